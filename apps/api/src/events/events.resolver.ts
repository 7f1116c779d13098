import type { Organization } from '@pharmatrace/domain';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { digestToHash, servedEvent } from '@pharmatrace/epcis';
import type { QueriedEvent } from '@pharmatrace/persistence';
import { CurrentOrganization } from '../common/auth.decorators';
import { connection, pageRequest } from '../common/paging';
import { EventQueryService } from './event-query.service';
import { EpcisEventType, EventConnectionType, EventCorrectionType, EventFilter, eventQueryParams } from './events.types';

export function toEventNode(e: QueriedEvent): EpcisEventType {
  const declared = e.body.eventID;
  return {
    eventHash: digestToHash(e.hash),
    eventID: typeof declared === 'string' ? declared : undefined,
    eventType: String(e.body.type),
    eventTime: e.eventTime,
    recordTime: e.recordTime,
    event: servedEvent({ body: e.body, ignoreFields: e.ignoreFields, errorDeclaration: e.corrections.at(-1)?.errorDeclaration }),
    corrections: e.corrections.map(EventCorrectionType.from),
  };
}

/** A list holds only the events the caller may read (read policy, libs/domain read-policy.ts). */
@Resolver()
export class EventsResolver {
  constructor(private readonly service: EventQueryService) {}

  @Query(() => EventConnectionType, { description: 'EPCIS events in event-time order, filtered like GET /epcis/events' })
  async events(
    @CurrentOrganization() org: Organization,
    @Args('filter', { type: () => EventFilter, nullable: true }) filter: EventFilter | null,
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('last', { type: () => Int, nullable: true }) last: number | null,
    @Args('before', { type: () => String, nullable: true }) before: string | null,
  ): Promise<EventConnectionType> {
    const request = pageRequest({ first, after, last, before });
    const page = await this.service.query(eventQueryParams(filter, request.size, request.cursor), org, request.direction);
    const edges = page.events.map((e) => ({ cursor: e.cursor, node: toEventNode(e) }));
    return connection(request, edges, page.hasMore);
  }
}

import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { hashDigest } from '@pharmatrace/epcis';
import { EventQueryRepository, QueriedEvent } from '@pharmatrace/persistence';
import { ReadPolicyService } from '../policy/read-policy.service';
import { MasterDataService } from '../master-data/master-data.service';
import { parseEventQuery, QueryParams } from './event-filter.parser';
import { encodePageToken } from './event-page.token';
import { EventQueryError, EventQueryErrorCode } from './event-query.error';

export interface EventPage {
  events: (QueriedEvent & { cursor: string })[];
  /** Null on the last page. */
  nextPageToken: string | null;
}

/**
 * The one event query behind `GET /epcis/events` and GraphQL `events`. Read policy: a list holds only the events the
 * caller may read (filtered in SQL, so pages stay full); one event is looked up among those too, so an event the
 * caller may not read is answered EVENT_NOT_FOUND, as if absent: a refusal would tell that someone captured it.
 */
@Injectable()
export class EventQueryService {
  constructor(
    private readonly repository: EventQueryRepository,
    private readonly policy: ReadPolicyService,
    private readonly masterData: MasterDataService,
  ) {}

  async query(params: QueryParams, reader: Organization): Promise<EventPage> {
    const { criteria, perPage, after, order, eventCountLimit, maxEventCount } = parseEventQuery(params);
    const readable = { ...criteria, visibleTo: await this.policy.eventVisibility(reader) };
    // Master data counts only where the reader may read it (docs/read-policy.md).
    if (criteria.masterData) readable.masterData = { ...criteria.masterData, publishers: await this.masterData.publishersFor(reader) };
    if (maxEventCount !== undefined && (await this.repository.countUpTo(readable, maxEventCount + 1)) > maxEventCount) {
      throw new EventQueryError(EventQueryErrorCode.QUERY_TOO_LARGE, `more than maxEventCount (${maxEventCount}) events match`, {
        maxEventCount,
      });
    }
    const served = after?.served ?? 0;
    const limit = Math.min(perPage, (eventCountLimit ?? Infinity) - served);
    if (limit <= 0) return { events: [], nextPageToken: null };
    const { events, hasMore } = await this.repository.page(readable, limit, after?.eventId, order);
    const withCursors = events.map((e, i) => ({ ...e, cursor: encodePageToken({ eventId: e.id, served: served + i + 1 }) }));
    const more = hasMore && served + events.length < (eventCountLimit ?? Infinity);
    return { events: withCursors, nextPageToken: more && events.length ? withCursors[withCursors.length - 1].cursor : null };
  }

  /** By CBV 2.0 hash (`ni:///sha-256;…?ver=CBV2.0`) or by the eventID the event was captured with. */
  async findOne(eventId: string, reader: Organization): Promise<QueriedEvent> {
    let digest: Buffer | null;
    try {
      digest = Buffer.from(hashDigest(eventId));
    } catch {
      digest = null;
    }
    const event = await this.repository.findOne(digest, eventId, await this.policy.eventVisibility(reader));
    if (!event)
      throw new EventQueryError(EventQueryErrorCode.EVENT_NOT_FOUND, `no event you may read has the hash or eventID ${eventId}`, {
        eventID: eventId,
      });
    return event;
  }
}

import type { Organization } from '@pharmatrace/domain';
import { Inject, Injectable } from '@nestjs/common';
import { hashDigest } from '@pharmatrace/epcis';
import { EventQueryRepository, masterDataVocabularies, QueriedEvent } from '@pharmatrace/persistence';
import { ReadPolicyService } from '../policy/read-policy.service';
import { MasterDataService } from '../master-data/master-data.service';
import { parseEventQuery, QueryParams } from './event-filter.parser';
import { Clock, CLOCK } from '../common/clock';
import { encodePageToken, PAGE_TOKEN_LIFETIME_S, PagePosition, queryKey } from './event-page.token';
import { EventQueryError, EventQueryErrorCode, tooComplex } from './event-query.error';

export interface EventPage {
  events: (QueriedEvent & { cursor: string })[];
  /** Null on the last page. */
  nextPageToken: string | null;
  /** More events match past this page, in the direction it was read. */
  hasMore: boolean;
  /** When this page's tokens stop reading (GS1-Next-Page-Token-Expires). */
  tokensExpire: Date;
}

/**
 * An event of a page with its cursor, field by field: `{ ...e, cursor }` gives every event of every page a hidden class
 * of its own once optimized, allocated in the old generation (docs/benchmarks.md, "Answers pg promoted").
 */
export function withCursor(e: QueriedEvent, cursor: string): QueriedEvent & { cursor: string } {
  return {
    id: e.id,
    eventTime: e.eventTime,
    hash: e.hash,
    recordTime: e.recordTime,
    body: e.body,
    ignoreFields: e.ignoreFields,
    corrections: e.corrections,
    cursor,
  };
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
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * One page of the query. `backward` (GraphQL `last`/`before`): the page that ends just before the token's event, read
   * in the opposite order and served in the query's own order.
   */
  async query(params: QueryParams, reader: Organization, direction: 'forward' | 'backward' = 'forward'): Promise<EventPage> {
    const { criteria, perPage, after, order, eventCountLimit, maxEventCount } = parseEventQuery(params);
    const query = queryKey(params);
    const now = this.clock();
    if (after) this.checkToken(after, query, now);
    const expiresAt = Math.floor(now.getTime() / 1000) + PAGE_TOKEN_LIFETIME_S;
    const tokensExpire = new Date(expiresAt * 1000);
    if (direction === 'backward' && eventCountLimit !== undefined) {
      // eventCountLimit keeps the first events from the start of the order: a page read from the end cannot honour it.
      throw new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, 'eventCountLimit: cannot be combined with last/before', {
        parameter: 'eventCountLimit',
        rule: 'forward-only',
      });
    }
    // A query by record time sees the events below the visibility horizon only: record times rise in commit order
    // there, so a client polling GE_recordTime from the last record time it saw never skips a later commit.
    const byRecordTime = order.key === 'recordTime' || !!criteria.recordTimeFrom || !!criteria.recordTimeBefore;
    const readable = { ...criteria, visibleTo: await this.policy.eventVisibility(reader), ...(byRecordTime ? { belowHorizon: true } : {}) };
    // Master data counts only where the reader may read it (docs/read-policy.md).
    if (criteria.masterData) {
      const publishers = await this.masterData.publishersFor(reader, masterDataVocabularies(criteria.masterData));
      readable.masterData = { ...criteria.masterData, publishers };
    }
    if (
      maxEventCount !== undefined &&
      (await this.repository.countUpTo(reader.id, readable, maxEventCount + 1).catch(tooComplex)) > maxEventCount
    ) {
      throw new EventQueryError(EventQueryErrorCode.QUERY_TOO_LARGE, `more than maxEventCount (${maxEventCount}) events match`, {
        maxEventCount,
      });
    }
    if (direction === 'backward') {
      const reversed = { ...order, direction: order.direction === 'ASC' ? ('DESC' as const) : ('ASC' as const) };
      const { events, hasMore } = await this.repository.page(reader.id, readable, perPage, after?.eventId, reversed).catch(tooComplex);
      const withCursors = events.reverse().map((e) => withCursor(e, encodePageToken({ eventId: e.id, served: 0, query, expiresAt })));
      return { events: withCursors, nextPageToken: null, hasMore, tokensExpire };
    }
    const served = after?.served ?? 0;
    const limit = Math.min(perPage, (eventCountLimit ?? Infinity) - served);
    if (limit <= 0) return { events: [], nextPageToken: null, hasMore: false, tokensExpire };
    const { events, hasMore } = await this.repository.page(reader.id, readable, limit, after?.eventId, order).catch(tooComplex);
    const withCursors = events.map((e, i) => withCursor(e, encodePageToken({ eventId: e.id, served: served + i + 1, query, expiresAt })));
    const more = hasMore && served + events.length < (eventCountLimit ?? Infinity);
    const nextPageToken = more && events.length ? withCursors[withCursors.length - 1].cursor : null;
    return { events: withCursors, nextPageToken, hasMore: more, tokensExpire };
  }

  /** A token reads on only the query that issued it, for a day: with other parameters it would page another answer. */
  private checkToken(after: PagePosition, query: string, now: Date): void {
    if (after.query !== query) {
      throw new EventQueryError(
        EventQueryErrorCode.INVALID_QUERY_PARAMETER,
        'nextPageToken: was issued for another query; page on with the parameters of the first page',
        { parameter: 'nextPageToken', rule: 'page-token-query' },
      );
    }
    if (after.expiresAt * 1000 <= now.getTime()) {
      throw new EventQueryError(
        EventQueryErrorCode.INVALID_QUERY_PARAMETER,
        'nextPageToken: has expired; query again from the first page',
        {
          parameter: 'nextPageToken',
          rule: 'page-token-expired',
        },
      );
    }
  }

  /** By CBV 2.0 hash (`ni:///sha-256;…?ver=CBV2.0`) or by the eventID the event was captured with. */
  async findOne(eventId: string, reader: Organization): Promise<QueriedEvent> {
    let digest: Buffer | null;
    try {
      digest = hashDigest(eventId);
    } catch {
      digest = null;
    }
    const event = await this.repository.findOne(reader.id, digest, eventId, await this.policy.eventVisibility(reader));
    if (!event)
      throw new EventQueryError(EventQueryErrorCode.EVENT_NOT_FOUND, `no event you may read has the hash or eventID ${eventId}`, {
        eventID: eventId,
      });
    return event;
  }
}

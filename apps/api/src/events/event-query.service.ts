import { Injectable } from '@nestjs/common';
import { hashDigest } from '@pharmatrace/epcis';
import { EventQueryRepository, QueriedEvent } from '@pharmatrace/persistence';
import { parseEventQuery, QueryParams } from './event-filter.parser';
import { encodePageToken } from './event-page.token';
import { EventQueryError, EventQueryErrorCode } from './event-query.error';

export interface EventPage {
  events: (QueriedEvent & { cursor: string })[];
  /** Null on the last page. */
  nextPageToken: string | null;
}

/** The one event query behind `GET /epcis/events` and GraphQL `events`. */
@Injectable()
export class EventQueryService {
  constructor(private readonly repository: EventQueryRepository) {}

  async query(params: QueryParams): Promise<EventPage> {
    const { criteria, perPage, afterId } = parseEventQuery(params);
    const { events, hasMore } = await this.repository.page(criteria, perPage, afterId);
    const withCursors = events.map((e) => ({ ...e, cursor: encodePageToken(e.id) }));
    return { events: withCursors, nextPageToken: hasMore && events.length ? withCursors[withCursors.length - 1].cursor : null };
  }

  /** By CBV 2.0 hash (`ni:///sha-256;…?ver=CBV2.0`) or by the eventID the event was captured with. */
  async findOne(eventId: string): Promise<QueriedEvent> {
    let digest: Buffer | null = null;
    try {
      digest = Buffer.from(hashDigest(eventId));
    } catch {
      digest = null;
    }
    const event = await this.repository.findOne(digest, eventId);
    if (!event) throw new EventQueryError(EventQueryErrorCode.EVENT_NOT_FOUND, `no event has the hash or eventID ${eventId}`, { eventID: eventId });
    return event;
  }
}

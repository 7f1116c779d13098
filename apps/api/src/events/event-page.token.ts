import { EventQueryError, EventQueryErrorCode } from './event-query.error';

/** Where a page ends: the last event served, and how many the query has served so far (for eventCountLimit). */
export interface PagePosition {
  eventId: number;
  served: number;
}

/** Page tokens are opaque to callers: the position after the last event served, so the next page starts strictly after it. */
export function encodePageToken({ eventId, served }: PagePosition): string {
  return Buffer.from(`event:${eventId}:${served}`).toString('base64url');
}

export function decodePageToken(token: string, parameter: string): PagePosition {
  // Tokens issued before the served count was kept (`event:<id>`) still read, as the start of a count.
  const match = /^event:(\d{1,18})(?::(\d{1,9}))?$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) {
    throw new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, `${parameter} is not a token this server issued`, {
      parameter,
      rule: 'page-token',
    });
  }
  return { eventId: Number(match[1]), served: Number(match[2] ?? 0) };
}

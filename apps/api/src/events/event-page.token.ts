import { EventQueryError, EventQueryErrorCode } from './event-query.error';

/** Page tokens are opaque to callers: the id of the last event served, so the next page starts strictly after it. */
export function encodePageToken(eventId: number): string {
  return Buffer.from(`event:${eventId}`).toString('base64url');
}

export function decodePageToken(token: string, parameter: string): number {
  const match = /^event:(\d{1,18})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) {
    throw new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, `${parameter} is not a token this server issued`, {
      parameter,
      rule: 'page-token',
    });
  }
  return Number(match[1]);
}

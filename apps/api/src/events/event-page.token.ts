import { createHash } from 'node:crypto';
import { EventQueryError, EventQueryErrorCode } from './event-query.error';
import type { QueryParams } from './query-values';

/** How long a page token reads on (GS1-Next-Page-Token-Expires): a day, for a sync that pauses overnight. */
export const PAGE_TOKEN_LIFETIME_S = 24 * 3600;

/**
 * Where a page ends: the last event served, how many the query has served so far (for eventCountLimit), which query it
 * belongs to and until when it reads. A token is a position, held nowhere on the server.
 */
export interface PagePosition {
  eventId: number;
  served: number;
  /** queryKey of the query that issued it: a token used with other parameters would page through another answer. */
  query: string;
  /** Unix seconds. */
  expiresAt: number;
}

/** The query a token belongs to: its parameters but the paging ones, in a canonical order, hashed. */
export function queryKey(params: QueryParams): string {
  const canonical = Object.entries(params)
    .filter(([name]) => name !== 'nextPageToken' && name !== 'perPage')
    .map(([name, values]) => [name, [...values].sort()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}

/** Page tokens are opaque to callers: the position after the last event served, so the next page starts strictly after it. */
export function encodePageToken({ eventId, served, query, expiresAt }: PagePosition): string {
  return Buffer.from(`event:${eventId}:${served}:${query}:${expiresAt}`).toString('base64url');
}

export function decodePageToken(token: string, parameter: string): PagePosition {
  const match = /^event:(\d{1,18}):(\d{1,9}):([0-9a-f]{16}):(\d{1,12})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) {
    throw new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, `${parameter} is not a token this server issued`, {
      parameter,
      rule: 'page-token',
    });
  }
  return { eventId: Number(match[1]), served: Number(match[2]), query: match[3], expiresAt: Number(match[4]) };
}

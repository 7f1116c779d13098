import { ReadTimeoutError } from '@pharmatrace/persistence';
import { AppError } from '../common/app.error';

export enum EventQueryErrorCode {
  /** A filter, page size or page token is malformed; `details` names the parameter and the rule. */
  INVALID_QUERY_PARAMETER = 'INVALID_QUERY_PARAMETER',
  /** No stored event the caller may read has this hash or eventID (unreadable events are not told apart from absent ones). */
  EVENT_NOT_FOUND = 'EVENT_NOT_FOUND',
  /** More events match than the query's `maxEventCount` allows (`details.maxEventCount`). */
  QUERY_TOO_LARGE = 'QUERY_TOO_LARGE',
  /** Reading the answer ran past the database's time limit for a query (`details.timeoutMs`), and was stopped. */
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
}

export class EventQueryError extends AppError<EventQueryErrorCode> {
  constructor(
    code: EventQueryErrorCode,
    message: string,
    details: { parameter?: string; rule?: string; eventID?: string; maxEventCount?: number; timeoutMs?: number } = {},
  ) {
    super(code, message, details);
  }
}

/**
 * For `.catch` on a read of events whose cost the client's query decides: Postgres's cancellation at the read timeout
 * (ReadTimeoutError) becomes QUERY_TOO_COMPLEX, saying how to ask for less; any other error goes on as it was.
 */
export function tooComplex(e: unknown): never {
  if (e instanceof ReadTimeoutError) {
    throw new EventQueryError(
      EventQueryErrorCode.QUERY_TOO_COMPLEX,
      `the query ran past the database's limit of ${e.timeoutMs} ms and was stopped: narrow it (an eventTime or recordTime range, EPCs, a business step) or ask for fewer events a page`,
      { timeoutMs: e.timeoutMs },
    );
  }
  throw e;
}

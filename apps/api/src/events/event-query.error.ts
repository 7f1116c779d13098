import { AppError } from '../common/app.error';

export enum EventQueryErrorCode {
  /** A filter, page size or page token is malformed; `details` names the parameter and the rule. */
  INVALID_QUERY_PARAMETER = 'INVALID_QUERY_PARAMETER',
  /** No stored event the caller may read has this hash or eventID (unreadable events are not told apart from absent ones). */
  EVENT_NOT_FOUND = 'EVENT_NOT_FOUND',
  /** More events match than the query's `maxEventCount` allows (`details.maxEventCount`). */
  QUERY_TOO_LARGE = 'QUERY_TOO_LARGE',
}

export class EventQueryError extends AppError<EventQueryErrorCode> {
  constructor(
    code: EventQueryErrorCode,
    message: string,
    details: { parameter?: string; rule?: string; eventID?: string; maxEventCount?: number } = {},
  ) {
    super(code, message, details);
  }
}

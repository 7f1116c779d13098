import { AppError } from '../common/app.error';

export enum EventQueryErrorCode {
  /** A filter, page size or page token is malformed; `details` names the parameter and the rule. */
  INVALID_QUERY_PARAMETER = 'INVALID_QUERY_PARAMETER',
  /** No stored event the caller may read has this hash or eventID (unreadable events are not told apart from absent ones). */
  EVENT_NOT_FOUND = 'EVENT_NOT_FOUND',
}

export class EventQueryError extends AppError<EventQueryErrorCode> {
  constructor(code: EventQueryErrorCode, message: string, details: { parameter?: string; rule?: string; eventID?: string } = {}) {
    super(code, message, details);
  }
}

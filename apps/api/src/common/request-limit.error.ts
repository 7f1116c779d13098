import { AppError } from './app.error';

export enum RequestLimitErrorCode {
  /** A value breaks an input limit (a NUL character, too long, nested too deep); `details.field` and `details.rule` say which. */
  INVALID_INPUT = 'INVALID_INPUT',
  /** The request body is larger than this endpoint reads; `details.limit` is in bytes. */
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** A GraphQL operation asks more than the server answers (tokens, depth, cost, aliases); `details.rule` names the limit. */
  OPERATION_TOO_LARGE = 'OPERATION_TOO_LARGE',
}

export class RequestLimitError extends AppError<RequestLimitErrorCode> {
  constructor(code: RequestLimitErrorCode, message: string, details: Record<string, unknown>) {
    super(code, message, details);
  }
}

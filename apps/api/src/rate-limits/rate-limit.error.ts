import { AppError } from '../common/app.error';

export enum RateLimitErrorCode {
  /** Too many requests for the key or the client address, or too many wrong keys: `Retry-After` says when to retry. */
  RATE_LIMITED = 'RATE_LIMITED',
}

export class RateLimitError extends AppError<RateLimitErrorCode> {
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(RateLimitErrorCode.RATE_LIMITED, message, { retryAfterSeconds });
  }
}

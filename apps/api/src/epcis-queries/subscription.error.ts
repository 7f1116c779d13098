import { AppError } from '../common/app.error';

export enum SubscriptionErrorCode {
  /** A subscription's controls are wrong (dest, stream or schedule, reportIfEmpty, initialRecordTime); `details.field` names which. */
  INVALID_SUBSCRIPTION = 'INVALID_SUBSCRIPTION',
  /** The query has no live subscription of that id. */
  SUBSCRIPTION_NOT_FOUND = 'SUBSCRIPTION_NOT_FOUND',
}

export class SubscriptionError extends AppError<SubscriptionErrorCode> {
  constructor(code: SubscriptionErrorCode, message: string, details: { field?: string; rule?: string; subscriptionID?: string } = {}) {
    super(code, message, details);
  }
}

import { AppError } from '../common/app.error';

export enum AlertErrorCode {
  /** A filter value, page size or cursor is malformed; `details` names the field and the rule. */
  INVALID_ALERT_QUERY = 'INVALID_ALERT_QUERY',
}

export class AlertError extends AppError<AlertErrorCode> {
  constructor(code: AlertErrorCode, message: string, details: { field: string; rule: string }) {
    super(code, message, details);
  }
}

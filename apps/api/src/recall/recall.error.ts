import { AppError } from '../common/app.error';

export enum RecallErrorCode {
  INVALID_RECALL = 'INVALID_RECALL',
  /** Only the GTIN's manufacturer or a regulator may recall its lots or withdraw it. */
  RECALL_FORBIDDEN = 'RECALL_FORBIDDEN',
  UNKNOWN_PRODUCT = 'UNKNOWN_PRODUCT',
}

export class RecallError extends AppError<RecallErrorCode> {
  constructor(code: RecallErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

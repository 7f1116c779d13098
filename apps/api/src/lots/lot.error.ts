import { AppError } from '../common/app.error';

export enum LotErrorCode {
  /** The GTIN, lot, page size or cursor is malformed; `details` names the field and the rule. */
  INVALID_LOT_QUERY = 'INVALID_LOT_QUERY',
}

export class LotError extends AppError<LotErrorCode> {
  constructor(code: LotErrorCode, message: string, details: { field: string; rule: string }) {
    super(code, message, details);
  }
}

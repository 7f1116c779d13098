import { AppError } from '../common/app.error';

export enum ReadGrantErrorCode {
  /** A grant's input is malformed or impossible; `details` names the field and the rule. */
  INVALID_GRANT = 'INVALID_GRANT',
  /** The caller does not manufacture the GTIN: only the GTIN's manufacturer grants read access to its packs. */
  GRANT_FORBIDDEN = 'GRANT_FORBIDDEN',
  /** No grant with this id was given by the caller (another organization's grant is not told apart from none). */
  GRANT_NOT_FOUND = 'GRANT_NOT_FOUND',
}

export class ReadGrantError extends AppError<ReadGrantErrorCode> {
  constructor(code: ReadGrantErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

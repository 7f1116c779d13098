import { AppError } from '../common/app.error';

export enum LicenceErrorCode {
  /** A licence field breaks its rule (`details.field`, `details.rule`). */
  INVALID_LICENCE = 'INVALID_LICENCE',
  /** The same type, issuing authority and number is on record for the organization already. */
  LICENCE_EXISTS = 'LICENCE_EXISTS',
  UNKNOWN_LICENCE = 'UNKNOWN_LICENCE',
}

export class LicenceError extends AppError<LicenceErrorCode> {
  constructor(code: LicenceErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

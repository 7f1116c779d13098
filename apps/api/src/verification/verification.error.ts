import { AppError } from '../common/app.error';

export enum VerificationErrorCode {
  /** The scanned or typed code is not a GS1 pack identifier; `details` names the AI and the rule. */
  INVALID_CODE = 'INVALID_CODE',
}

export class VerificationError extends AppError<VerificationErrorCode> {
  constructor(code: VerificationErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

import { AppError } from '../common/app.error';

export enum VerificationErrorCode {
  /** The scanned or typed code is not a GS1 pack identifier; `details` names the AI and the rule. */
  INVALID_CODE = 'INVALID_CODE',
  /** A VRS request broke the request format (parameter named in `details.parameter`). */
  INVALID_VRS_REQUEST = 'INVALID_VRS_REQUEST',
  /** The VRS `reqGLN` is not the GLN of the organization whose API key came with the request (whoever holds it, if anyone). */
  REQUESTOR_NOT_ALLOWED = 'REQUESTOR_NOT_ALLOWED',
}

export class VerificationError extends AppError<VerificationErrorCode> {
  constructor(code: VerificationErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

import { AppError } from '../common/app.error';

export enum SignatureErrorCode {
  /** A capture's signature is malformed, missing where required, or not by the organization's registered address. */
  INVALID_SIGNATURE = 'INVALID_SIGNATURE',
}

export enum SignatureRule {
  MALFORMED = 'MALFORMED',
  NO_SIGNING_ADDRESS = 'NO_SIGNING_ADDRESS',
  SIGNER_MISMATCH = 'SIGNER_MISMATCH',
  SIGNATURE_REQUIRED = 'SIGNATURE_REQUIRED',
  STREAMED_CAPTURE = 'STREAMED_CAPTURE',
}

export class SignatureError extends AppError<SignatureErrorCode> {
  constructor(
    readonly rule: SignatureRule,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(SignatureErrorCode.INVALID_SIGNATURE, message, { field: 'signature', rule, ...details });
  }
}

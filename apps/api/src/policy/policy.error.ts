import { AppError } from '../common/app.error';

export enum PolicyErrorCode {
  /** The read policy refuses this read to the caller's role (never answered as an empty result). */
  FORBIDDEN = 'FORBIDDEN',
}

export class PolicyError extends AppError<PolicyErrorCode> {
  constructor(message: string, details: { query: string; rule: string }) {
    super(PolicyErrorCode.FORBIDDEN, message, details);
  }
}

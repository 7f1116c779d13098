import { AppError } from '../common/app.error';
import { ProvenanceErrorCode } from '../provenance/provenance.error';

export enum ProofBundleErrorCode {
  /** Provenance's code for the same input error (declared shared in error-status.spec.ts). */
  INVALID_EPC = ProvenanceErrorCode.INVALID_EPC,
  /** A bundle without events would prove nothing, and a verifier must not be handed one. */
  NO_EVENTS = 'NO_EVENTS',
}

export class ProofBundleError extends AppError<ProofBundleErrorCode> {
  constructor(code: ProofBundleErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

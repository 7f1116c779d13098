import { AppError } from '../common/app.error';

export enum ProvenanceErrorCode {
  INVALID_EPC = 'INVALID_EPC',
  /** `after` is not a cursor this history issued. */
  INVALID_PROVENANCE_CURSOR = 'INVALID_PROVENANCE_CURSOR',
}

export class ProvenanceError extends AppError<ProvenanceErrorCode> {
  constructor(code: ProvenanceErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

import { AppError } from '../common/app.error';

export enum ProvenanceErrorCode {
  INVALID_EPC = 'INVALID_EPC',
  /** `after` is not a cursor this history issued. */
  INVALID_PROVENANCE_CURSOR = 'INVALID_PROVENANCE_CURSOR',
  /** `first` is not a page size from 1 to 500. */
  INVALID_PROVENANCE_PAGE = 'INVALID_PROVENANCE_PAGE',
}

export class ProvenanceError extends AppError<ProvenanceErrorCode> {
  constructor(code: ProvenanceErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

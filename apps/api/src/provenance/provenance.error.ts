import { AppError } from '../common/app.error';

export enum ProvenanceErrorCode {
  INVALID_EPC = 'INVALID_EPC',
}

export class ProvenanceError extends AppError<ProvenanceErrorCode> {
  constructor(code: ProvenanceErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

import { AppError } from '../common/app.error';

export enum HealthErrorCode {
  NOT_READY = 'NOT_READY',
}

export class HealthError extends AppError<HealthErrorCode> {
  constructor(code: HealthErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

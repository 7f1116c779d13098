import { AppError } from '../common/app.error';

export enum OrganizationErrorCode {
  INVALID_ORGANIZATION = 'INVALID_ORGANIZATION',
  GLN_TAKEN = 'GLN_TAKEN',
}

export class OrganizationError extends AppError<OrganizationErrorCode> {
  constructor(code: OrganizationErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

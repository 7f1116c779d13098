import { AppError } from '../common/app.error';

export enum OrganizationErrorCode {
  INVALID_ORGANIZATION = 'INVALID_ORGANIZATION',
  GLN_TAKEN = 'GLN_TAKEN',
  /** A requested company prefix equals, begins or is begun by one already registered (or another of the request). */
  COMPANY_PREFIX_OVERLAP = 'COMPANY_PREFIX_OVERLAP',
  /** A directory page's arguments break a rule (`details.field`, `details.rule`): a size, a cursor, a filter. */
  INVALID_DIRECTORY_QUERY = 'INVALID_DIRECTORY_QUERY',
  /** The unpaged `organizations` list would exceed its bound: page with organizationDirectory instead. */
  DIRECTORY_TOO_LARGE = 'DIRECTORY_TOO_LARGE',
}

export class OrganizationError extends AppError<OrganizationErrorCode> {
  constructor(code: OrganizationErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

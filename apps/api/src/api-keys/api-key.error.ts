import { AppError } from '../common/app.error';

export enum ApiKeyErrorCode {
  INVALID_API_KEY_INPUT = 'INVALID_API_KEY_INPUT',
  /** No such key, or a key of another organization (which a caller may not learn exists). */
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
  /** Rotating or revoking a key that is revoked, expired or already rotated. */
  API_KEY_NOT_ACTIVE = 'API_KEY_NOT_ACTIVE',
}

export class ApiKeyError extends AppError<ApiKeyErrorCode> {
  constructor(code: ApiKeyErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

import { AppError } from './app.error';

export enum AuthErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  /** The key's expiry, or the end of its rotation's grace period, has passed. */
  API_KEY_EXPIRED = 'API_KEY_EXPIRED',
  API_KEY_REVOKED = 'API_KEY_REVOKED',
}

export class AuthError extends AppError<AuthErrorCode> {
  constructor(code: AuthErrorCode, message: string) {
    super(code, message);
  }
}

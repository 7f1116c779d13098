import { AppError } from './app.error';

export enum AuthErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
}

export class AuthError extends AppError<AuthErrorCode> {
  constructor(code: AuthErrorCode, message: string) {
    super(code, message);
  }
}

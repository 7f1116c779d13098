import { AppError } from '../common/app.error';
import { AuthErrorCode } from '../common/auth.error';

/** The read policy refuses this read to the caller's role (never answered as an empty result): FORBIDDEN, as the guard's. */
export class PolicyError extends AppError<AuthErrorCode.FORBIDDEN> {
  constructor(message: string, details: { query: string; rule: string }) {
    super(AuthErrorCode.FORBIDDEN, message, details);
  }
}

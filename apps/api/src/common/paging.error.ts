import { AppError } from './app.error';

export enum PagingErrorCode {
  /** Connection arguments that cannot go together (`first` with `last`, `after` with `before`); `details.field` names one. */
  INVALID_PAGE_ARGUMENTS = 'INVALID_PAGE_ARGUMENTS',
}

export class PagingError extends AppError<PagingErrorCode> {
  constructor(message: string, details: { field: string; rule: string }) {
    super(PagingErrorCode.INVALID_PAGE_ARGUMENTS, message, details);
  }
}

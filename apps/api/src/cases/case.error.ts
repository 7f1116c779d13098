import { AppError } from '../common/app.error';

export enum CaseErrorCode {
  /** A case's input is malformed (an EPC, a counterparty, a summary, an attachment hash); `details` names the field and the rule. */
  INVALID_CASE = 'INVALID_CASE',
  /** No case with this id that the caller may see (another party's case is not told apart from none). */
  CASE_NOT_FOUND = 'CASE_NOT_FOUND',
  /** The action does not apply to the case in its state, or is the regulator's (`details.rule` says which). */
  CASE_ACTION_REFUSED = 'CASE_ACTION_REFUSED',
  /** Someone changed the case since it was read: reload it and decide again. */
  CASE_CHANGED = 'CASE_CHANGED',
}

export class CaseError extends AppError<CaseErrorCode> {
  constructor(code: CaseErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

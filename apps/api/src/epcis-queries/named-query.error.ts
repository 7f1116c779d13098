import { AppError } from '../common/app.error';

export enum NamedQueryErrorCode {
  /** The body of POST /epcis/queries is not `{ name, query }` as the binding defines it; `details.field` names what. */
  INVALID_NAMED_QUERY = 'INVALID_NAMED_QUERY',
  /** The caller has no live query of that name (another organization's queries are not told apart from absent ones). */
  QUERY_NOT_FOUND = 'QUERY_NOT_FOUND',
  /** The caller already has a live query of that name. */
  QUERY_EXISTS = 'QUERY_EXISTS',
}

export class NamedQueryError extends AppError<NamedQueryErrorCode> {
  constructor(code: NamedQueryErrorCode, message: string, details: { field?: string; rule?: string; queryName?: string } = {}) {
    super(code, message, details);
  }
}

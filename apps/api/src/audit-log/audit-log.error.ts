import { AppError } from '../common/app.error';

export enum AuditLogErrorCode {
  /** A page size or cursor of `auditLog` is malformed; `details` names the field and the rule. */
  INVALID_AUDIT_LOG_QUERY = 'INVALID_AUDIT_LOG_QUERY',
}

export class AuditLogError extends AppError<AuditLogErrorCode> {
  constructor(code: AuditLogErrorCode, message: string, details: { field: string; rule: string }) {
    super(code, message, details);
  }
}

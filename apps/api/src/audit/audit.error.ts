import { AppError } from '../common/app.error';

export enum AuditErrorCode {
  /** No batch has this id (`details.batchId`). */
  UNKNOWN_BATCH = 'UNKNOWN_BATCH',
  /** The batch is not mined yet, so there is no anchor to audit against (`details.status`). */
  BATCH_NOT_MINED = 'BATCH_NOT_MINED',
  /** No AnchorRegistry is configured (ANCHOR_CONTRACT_ADDRESS) or the chain did not answer. */
  AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE',
  /** The chain reached is not the one the batches were anchored on (`details.reason`): nothing is judged. */
  FOREIGN_CHAIN = 'FOREIGN_CHAIN',
}

export class AuditError extends AppError<AuditErrorCode> {
  constructor(code: AuditErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

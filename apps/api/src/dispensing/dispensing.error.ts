import { AppError } from '../common/app.error';

export enum DispensingErrorCode {
  /** The pack is not known: nothing to dispense. `details.nmvsCode` says NMVS_NC_PC_01 or _02. */
  UNKNOWN_PACK = 'UNKNOWN_PACK',
  ALREADY_DISPENSED = 'ALREADY_DISPENSED',
  /** The verdict forbids supply (recalled, expired, withdrawn, mismatching lot or expiry, inactive…); `details.alerts`. */
  NOT_SALEABLE = 'NOT_SALEABLE',
  /** Undo asked for a status the pack does not have (NMVS_NC_PCK_06). */
  UNDO_STATUS_MISMATCH = 'UNDO_STATUS_MISMATCH',
  /** Undo later than 10 days after the status was set (NMVS_NC_PCK_20). */
  UNDO_WINDOW_EXCEEDED = 'UNDO_WINDOW_EXCEEDED',
  /** Undo by another location than the one that set the status (NMVS_NC_PCK_21). */
  UNDO_BY_OTHER_LOCATION = 'UNDO_BY_OTHER_LOCATION',
  /** The pack's status cannot change any more (NMVS_NC_PCK_22). */
  PACK_INACTIVE = 'PACK_INACTIVE',
  /** An exception case holds the pack in quarantine: `details.epc` and `details.caseNumber`. */
  QUARANTINED = 'QUARANTINED',
}

export class DispensingError extends AppError<DispensingErrorCode> {
  constructor(
    code: DispensingErrorCode,
    message: string,
    details: { nmvsCode?: string; epc?: string; alerts?: string[]; caseNumber?: number } = {},
  ) {
    super(code, message, details);
  }
}

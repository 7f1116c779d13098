import { reportedIssues } from '@pharmatrace/epcis';
import { AppError } from '../common/app.error';

export enum CaptureErrorCode {
  /** The document breaks the EPCIS 2.0 schema or a GS1 rule; `details.issues` names each event, field and rule. */
  INVALID_DOCUMENT = 'INVALID_DOCUMENT',
  /** The caller may not write one of the events (e.g. commissioning a GTIN outside its company prefixes). */
  CAPTURE_FORBIDDEN = 'CAPTURE_FORBIDDEN',
  /** An event breaks a pack status rule (e.g. dispensing a pack already dispensed); `rule` is the violation code. */
  CAPTURE_CONFLICT = 'CAPTURE_CONFLICT',
  /** An event's eventID is a CBV 2.0 hash (`ni:///sha-256;…`) other than the event's own; each issue names the event and `/eventID`. */
  EVENT_ID_MISMATCH = 'EVENT_ID_MISMATCH',
  /** An ignoreFields declaration names a standard field, or is no array of names; each issue points into the declaration. */
  INVALID_IGNORE_FIELDS = 'INVALID_IGNORE_FIELDS',
  /** An errorDeclaration for a stored event another organization captured: only its capturer may declare it in error. */
  CORRECTION_FORBIDDEN = 'CORRECTION_FORBIDDEN',
}

export interface CaptureIssue {
  eventIndex: number | null;
  field: string;
  rule: string;
  message: string;
}

/** `details.issues` holds the first MAX_REPORTED_ISSUES (100); `details.moreIssues` counts the rest. */
export class CaptureError extends AppError<CaptureErrorCode> {
  readonly issues: CaptureIssue[];

  constructor(code: CaptureErrorCode, all: CaptureIssue[]) {
    const first = all[0];
    const where = first.eventIndex === null ? 'document' : `event ${first.eventIndex}`;
    const more = all.length > 1 ? ` (and ${all.length - 1} more issue${all.length > 2 ? 's' : ''})` : '';
    const { issues, moreIssues } = reportedIssues(all);
    super(code, `${where}, ${first.field || '/'}: ${first.message} [${first.rule}]${more}`, { issues, moreIssues });
    this.issues = issues;
  }
}

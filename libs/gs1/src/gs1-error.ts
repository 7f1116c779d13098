/** Every way GS1 data can be rejected; callers branch on `code`, people read `rule`. */
export enum Gs1ErrorCode {
  BAD_CHECK_DIGIT = 'BAD_CHECK_DIGIT',
  BAD_LENGTH = 'BAD_LENGTH',
  BAD_CHARACTER = 'BAD_CHARACTER',
  UNKNOWN_AI = 'UNKNOWN_AI',
  BAD_FORMAT = 'BAD_FORMAT',
  BAD_DATE = 'BAD_DATE',
  MISSING_REQUIRED_AI = 'MISSING_REQUIRED_AI',
  INVALID_AI_PAIR = 'INVALID_AI_PAIR',
  DUPLICATE_AI = 'DUPLICATE_AI',
  BAD_EPC_URI = 'BAD_EPC_URI',
  UNKNOWN_COMPANY_PREFIX = 'UNKNOWN_COMPANY_PREFIX',
  BAD_DIGITAL_LINK = 'BAD_DIGITAL_LINK',
  BAD_DICTIONARY = 'BAD_DICTIONARY',
}

export interface Gs1ErrorDetails {
  /** The Application Identifier whose data failed, when one is involved. */
  ai?: string;
  /** The part that failed: a key name (`gtin`, `serial`), a URI part (`path`, `query`) or an AI component (`component 2`). */
  field?: string;
}

export class Gs1Error extends Error {
  readonly code: Gs1ErrorCode;
  readonly ai?: string;
  readonly field?: string;
  /** Exactly what was required and not met, e.g. "check digit must be 2". */
  readonly rule: string;

  constructor(code: Gs1ErrorCode, rule: string, details: Gs1ErrorDetails = {}) {
    const where = [details.ai !== undefined ? `AI (${details.ai})` : undefined, details.field].filter(Boolean).join(' ');
    super(where ? `${where}: ${rule}` : rule);
    this.name = 'Gs1Error';
    this.code = code;
    this.rule = rule;
    this.ai = details.ai;
    this.field = details.field;
  }
}

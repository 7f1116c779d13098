/** Every way the EPCIS library rejects input; callers branch on `code`. */
export enum EpcisErrorCode {
  SCHEMA_VIOLATION = 'SCHEMA_VIOLATION',
  MALFORMED_DOCUMENT = 'MALFORMED_DOCUMENT',
  UNSUPPORTED_EVENT_TYPE = 'UNSUPPORTED_EVENT_TYPE',
  MALFORMED_HASH = 'MALFORMED_HASH',
  MALFORMED_TIME = 'MALFORMED_TIME',
  SCHEMA_UNAVAILABLE = 'SCHEMA_UNAVAILABLE',
  MALFORMED_XML = 'MALFORMED_XML',
  /** Bytes that are not valid in the document's encoding; the issue's `offset` is the first of them. */
  INVALID_ENCODING = 'INVALID_ENCODING',
  /** The document's encoding (byte-order mark, charset or XML declaration) is one this library does not read. */
  UNSUPPORTED_ENCODING = 'UNSUPPORTED_ENCODING',
}

/** One problem found in a document. */
export interface EpcisIssue {
  /** Index in the document's event list, or null when the issue is outside any event. */
  eventIndex: number | null;
  /** JSON pointer relative to the event (or to the document when eventIndex is null); '' is the whole thing. */
  field: string;
  /** The violated rule: the JSON Schema keyword plus its parameter, e.g. `required:action`, `enum`, `format:date-time`. */
  rule: string;
  message: string;
  /** Where the problem sits in the source text, when the input was parsed from XML (1-based line, 0-based column). */
  line?: number;
  column?: number;
  /** Encoding issues: the 0-based byte offset of the first bad byte, and the encoding it was read in. */
  offset?: number;
  encoding?: string;
}

export class EpcisValidationError extends Error {
  readonly code: EpcisErrorCode;
  readonly issues: EpcisIssue[];

  constructor(code: EpcisErrorCode, message: string, issues: EpcisIssue[] = []) {
    super(message);
    this.name = 'EpcisValidationError';
    this.code = code;
    this.issues = issues;
  }

  /** Field and rule of the first issue, for errors that concern a single value. */
  get field(): string | undefined {
    return this.issues[0]?.field;
  }

  get rule(): string | undefined {
    return this.issues[0]?.rule;
  }
}

export function singleIssueError(code: EpcisErrorCode, issue: EpcisIssue): EpcisValidationError {
  return new EpcisValidationError(code, issue.message, [issue]);
}

/** At most this many issues are reported for one input; the rest are only counted, so an answer stays small whatever the input. */
export const MAX_REPORTED_ISSUES = 100;

/** The first MAX_REPORTED_ISSUES issues, and how many more there were. */
export function reportedIssues<T>(issues: readonly T[]): { issues: T[]; moreIssues: number } {
  return { issues: issues.slice(0, MAX_REPORTED_ISSUES), moreIssues: Math.max(0, issues.length - MAX_REPORTED_ISSUES) };
}

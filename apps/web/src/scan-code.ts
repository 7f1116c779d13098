/** ASCII 29, the GS1 separator that ends a variable-length element string in raw DataMatrix data. */
export const GS = '\u001d';

/**
 * Characters a keyboard-wedge scanner may send instead of GS. None of them is in GS1's character set 82,
 * so none can occur inside a lot or serial, and replacing them back is lossless. `]` is left out: it starts
 * the symbology identifier.
 */
export const GS_SUBSTITUTES = ['|', '~', '^', '#', '@', '$', '{', '}', '\\', '`'] as const;
export type GsSubstitute = (typeof GS_SUBSTITUTES)[number];

export const GS_SUBSTITUTE_NAMES: Record<GsSubstitute, string> = {
  '|': 'vertical bar',
  '~': 'tilde',
  '^': 'caret',
  '#': 'hash',
  '@': 'at sign',
  $: 'dollar',
  '{': 'left brace',
  '}': 'right brace',
  '\\': 'backslash',
  '`': 'backtick',
};

export enum ScanCodeErrorCode {
  INVALID_GS_SUBSTITUTE = 'INVALID_GS_SUBSTITUTE',
}

export class ScanCodeError extends Error {
  constructor(
    readonly code: ScanCodeErrorCode,
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = 'ScanCodeError';
  }
}

export function isGsSubstitute(value: string): value is GsSubstitute {
  return (GS_SUBSTITUTES as readonly string[]).includes(value);
}

export function parseGsSubstitute(value: string | null | undefined): GsSubstitute | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (!isGsSubstitute(value)) {
    throw new ScanCodeError(
      ScanCodeErrorCode.INVALID_GS_SUBSTITUTE,
      'gsSubstitute',
      'not-in-cset-82',
      `GS substitute must be one of ${GS_SUBSTITUTES.join(' ')} (a character that never occurs in GS1 data), not ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * What a keyboard-wedge scan becomes before it is sent for verification: the configured substitute turned back
 * into GS, the terminating line break dropped; the `]d2` symbology identifier is kept, the server reads it.
 */
export function normaliseWedgeScan(raw: string, substitute: GsSubstitute | undefined): string {
  const text = raw.replace(/[\r\n]+$/, '');
  return substitute ? text.split(substitute).join(GS) : text;
}

/** Makes control characters visible, e.g. for showing what a scanner actually sent. */
export function visibleControls(text: string): string {
  return text.replace(/[\u0000-\u001f]/g, (c) => (c === GS ? '⟨GS⟩' : `⟨0x${c.charCodeAt(0).toString(16).padStart(2, '0')}⟩`));
}

/** Symbology identifiers whose data is a GS1 element string, the ones the server reads with the prefix. */
const GS1_SYMBOLOGY_IDS = new Set([']d2', ']Q3', ']C1', ']e0', ']J1']);

/**
 * What a camera decode becomes before it is sent: GS1 data keeps its symbology identifier, as a scanner would
 * send it; anything else (a Digital Link URL in a plain QR code) goes as the text alone.
 */
export function cameraScanPayload(symbologyIdentifier: string, text: string): string {
  return GS1_SYMBOLOGY_IDS.has(symbologyIdentifier) ? symbologyIdentifier + text : text;
}

import { gs1CheckDigit, Gs1Error, PackIdentity, parsePackScan } from '@pharmatrace/gs1';

/** The scanner faults behind most false "unknown serial" alerts in the EU, each with the fix to make. */
export enum CorrectionKind {
  /** The GS separator after a variable-length field was lost, so the lot swallowed the next element. */
  GS_MISSING = 'GS_MISSING',
  /** GS arrived as another character (keyboard-wedge set-up). */
  GS_REPLACED = 'GS_REPLACED',
  /** Y and Z swapped by a US/German keyboard layout mismatch. */
  Y_Z_SWAPPED = 'Y_Z_SWAPPED',
  /** Letter case inverted (Caps Lock) or forced by the scanner. */
  CASE_CHANGED = 'CASE_CHANGED',
  /** A linear EAN-13 scanned along with the DataMatrix ran into the end of the lot or serial. */
  EAN_IN_DATA = 'EAN_IN_DATA',
}

export const CORRECTION_ADVICE: Record<CorrectionKind, string> = {
  [CorrectionKind.GS_MISSING]: 'the scanner dropped the GS separator: enable FNC1/GS transmission in its settings',
  [CorrectionKind.GS_REPLACED]:
    'the scanner sends GS as another character: set that character as the GS substitute, or fix the keyboard mapping',
  [CorrectionKind.Y_Z_SWAPPED]: 'Y and Z are swapped: the scanner and the computer use different keyboard layouts (QWERTY/QWERTZ)',
  [CorrectionKind.CASE_CHANGED]: 'letter case changed: turn Caps Lock off, or disable case conversion in the scanner',
  [CorrectionKind.EAN_IN_DATA]: 'a linear EAN barcode was read together with the DataMatrix: read only the 2D code',
};

export interface ScanCandidate {
  kind: CorrectionKind;
  identity: PackIdentity;
}

const GS = '\u001d';
/** Characters wedge scanners commonly emit for GS when the keyboard mapping lacks it. */
const GS_STAND_INS = ['|', '~', '^', '@', '#', '{', '}', '\\', '`', '<GS>', '[GS]', '^]'];
const SYMBOLOGY = /^\][A-Za-z][0-9A-Za-z]/;

function split(raw: string): { prefix: string; data: string } {
  const m = SYMBOLOGY.exec(raw);
  return m ? { prefix: m[0], data: raw.slice(m[0].length) } : { prefix: '', data: raw };
}

const swapYZ = (s: string) => s.replace(/[YyZz]/g, (c) => ({ Y: 'Z', Z: 'Y', y: 'z', z: 'y' })[c]!);
const swapCase = (s: string) => s.replace(/[A-Za-z]/g, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()));

function tryParse(input: string): PackIdentity | null {
  try {
    return parsePackScan(input);
  } catch (e) {
    if (e instanceof Gs1Error) return null;
    throw e;
  }
}

/** A trailing EAN-13 with a valid check digit, stripped; null if the value does not end with one. */
function withoutTrailingEan(value: string | undefined): string | null {
  if (!value || value.length <= 13) return null;
  const tail = value.slice(-13);
  if (!/^\d{13}$/.test(tail) || gs1CheckDigit(tail.slice(0, 12)) !== Number(tail[12])) return null;
  return value.slice(0, -13);
}

/**
 * Readings of a scan that did not match, one per known scanner fault that could explain it. Pure: the caller looks
 * every candidate up and answers only when exactly one matches a pack, never guessing between two.
 */
export function scanCorrections(raw: string): ScanCandidate[] {
  const out: ScanCandidate[] = [];
  const add = (kind: CorrectionKind, identity: PackIdentity | null) => {
    if (identity) out.push({ kind, identity });
  };
  const { prefix, data } = split(raw.trim());

  for (const standIn of GS_STAND_INS) {
    if (data.includes(standIn)) add(CorrectionKind.GS_REPLACED, tryParse(prefix + data.split(standIn).join(GS)));
  }
  if (!data.includes(GS) && !/^(https?:|urn:|\()/i.test(data)) {
    for (let i = 2; i < data.length - 2; i++) {
      if (/^(10|17|21)/.test(data.slice(i))) add(CorrectionKind.GS_MISSING, tryParse(`${prefix}${data.slice(0, i)}${GS}${data.slice(i)}`));
    }
  }
  if (/[YyZz]/.test(data)) add(CorrectionKind.Y_Z_SWAPPED, tryParse(prefix + swapYZ(data)));
  if (/[A-Za-z]/.test(data)) {
    add(CorrectionKind.CASE_CHANGED, tryParse(prefix + swapCase(data)));
    const parsed = tryParse(raw);
    if (parsed) {
      for (const serial of new Set([parsed.serial.toUpperCase(), parsed.serial.toLowerCase()])) {
        if (serial !== parsed.serial)
          add(CorrectionKind.CASE_CHANGED, { ...parsed, serial, ...(parsed.lot ? { lot: parsed.lot.toUpperCase() } : {}) });
      }
    }
  }
  const parsed = tryParse(raw);
  if (parsed) {
    const lot = withoutTrailingEan(parsed.lot);
    if (lot) add(CorrectionKind.EAN_IN_DATA, { ...parsed, lot });
    const serial = withoutTrailingEan(parsed.serial);
    if (serial) add(CorrectionKind.EAN_IN_DATA, { ...parsed, serial });
  }
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = `${c.identity.gtin}|${c.identity.serial}|${c.identity.lot ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

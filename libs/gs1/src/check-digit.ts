import { Gs1Error, Gs1ErrorCode } from './gs1-error';

const DIGITS = /^[0-9]+$/;

/** GS1 mod-10 check digit of `digits` (the key without its check digit): weights 3,1,3… from the right. */
export function gs1CheckDigit(digits: string): number {
  if (!DIGITS.test(digits)) {
    throw new Gs1Error(Gs1ErrorCode.BAD_CHARACTER, 'check digit input must be one or more digits 0-9', { field: 'digits' });
  }
  let sum = 0;
  for (let i = digits.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (digits.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

function hasValidCheckDigit(key: string): boolean {
  return gs1CheckDigit(key.slice(0, -1)) === key.charCodeAt(key.length - 1) - 48;
}

function isKey(value: unknown, lengths: readonly number[]): boolean {
  return typeof value === 'string' && lengths.includes(value.length) && DIGITS.test(value) && hasValidCheckDigit(value);
}

const GTIN_LENGTHS = [8, 12, 13, 14] as const;

/** True for a GTIN-8, -12, -13 or -14 with a correct check digit. */
export function isValidGtin(gtin: string): boolean {
  return isKey(gtin, GTIN_LENGTHS);
}

export function isValidSscc(sscc: string): boolean {
  return isKey(sscc, [18]);
}

export function isValidGln(gln: string): boolean {
  return isKey(gln, [13]);
}

/**
 * Checks a fixed-length numeric GS1 key and throws a Gs1Error naming the rule it breaks.
 * `lengths` lists the accepted lengths; `field` names the key in the error.
 */
export function assertGs1Key(value: string, lengths: readonly number[], field: string, ai?: string): void {
  if (!lengths.includes(value.length)) {
    throw new Gs1Error(Gs1ErrorCode.BAD_LENGTH, `${field} must be ${lengths.join(', ')} digits long, got ${value.length}`, { ai, field });
  }
  if (!DIGITS.test(value)) {
    throw new Gs1Error(Gs1ErrorCode.BAD_CHARACTER, `${field} must contain digits 0-9 only`, { ai, field });
  }
  const expected = gs1CheckDigit(value.slice(0, -1));
  if (expected !== value.charCodeAt(value.length - 1) - 48) {
    throw new Gs1Error(Gs1ErrorCode.BAD_CHECK_DIGIT, `${field} check digit must be ${expected}`, { ai, field });
  }
}

/** Normalises a GTIN-8/12/13/14 to the 14-digit form used as the canonical key; throws on an invalid GTIN. */
export function toGtin14(gtin: string): string {
  assertGs1Key(gtin, GTIN_LENGTHS, 'gtin', '01');
  return gtin.padStart(14, '0');
}

/** CSET 82 in GS1 weight order: a character's index is its value in the alphanumeric check pair. */
const CSET82_ORDER = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const CSET32 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137,
  139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281,
  283, 293, 307, 311, 313, 317, 331, 337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421, 431, 433, 439, 443, 449,
  457, 461, 463, 467, 479, 487, 491, 499, 503, 509,
];

/**
 * GS1 alphanumeric check character pair (GMN, AI 8013) for `data` without the pair,
 * or undefined when `data` holds a character outside CSET 82 or is too long for the weight table.
 */
export function gs1CheckCharacterPair(data: string): string | undefined {
  if (data.length > PRIMES.length) return undefined;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const value = CSET82_ORDER.indexOf(data[i]);
    if (value < 0) return undefined;
    sum += value * PRIMES[data.length - 1 - i];
  }
  sum %= 1021;
  return CSET32[sum >> 5] + CSET32[sum & 31];
}

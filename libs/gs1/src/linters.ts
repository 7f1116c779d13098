import * as currencyCodes from 'currency-codes';
// The package's data file, not its entry point: the entry point loads every locale's country names (~50 ms) that the linters do not need.
import countryCodes from 'i18n-iso-countries/codes.json';
import { gs1CheckCharacterPair, gs1CheckDigit } from './check-digit';
import { daysInMonth, gs1FullYear } from './gs1-date';
import { Gs1ErrorCode } from './gs1-error';
import { PACKAGE_TYPE_CODES } from './package-type-codes';

export interface LintFailure {
  code: Gs1ErrorCode;
  rule: string;
}

/** A GS1 Syntax Dictionary linter: checks one component's data, already known to be in the component's character set. */
export type Linter = (data: string) => LintFailure | undefined;

const format = (rule: string): LintFailure => ({ code: Gs1ErrorCode.BAD_FORMAT, rule });
const date = (rule: string): LintFailure => ({ code: Gs1ErrorCode.BAD_DATE, rule });
const check = (rule: string): LintFailure => ({ code: Gs1ErrorCode.BAD_CHECK_DIGIT, rule });

const ALL_DIGITS = /^[0-9]*$/;
const NUMERIC_COUNTRY_CODES = new Set(countryCodes.map((row) => row[2]));
const ALPHA2_COUNTRY_CODES = new Set(countryCodes.map((row) => row[0]));
const IMPORTER_INDEX = /^[-0-9A-Za-z_]$/;
const MEDIA_TYPE = /^(0[1-9]|10|[89][0-9])$/;

function inRange(data: string, min: number, max: number): boolean {
  const n = Number(data);
  return ALL_DIGITS.test(data) && data.length > 0 && n >= min && n <= max;
}

function lintDate(data: string, yearDigits: 2 | 4, allowDayZero: boolean): LintFailure | undefined {
  const expected = yearDigits + 4;
  if (data.length !== expected || !ALL_DIGITS.test(data)) return date(`date must be ${expected} digits`);
  const yearPart = Number(data.slice(0, yearDigits));
  const year = yearDigits === 2 ? gs1FullYear(yearPart) : yearPart;
  const month = Number(data.slice(yearDigits, yearDigits + 2));
  const day = Number(data.slice(yearDigits + 2));
  if (month < 1 || month > 12) return date('month must be 01-12');
  const last = daysInMonth(year, month);
  if (day > last || (day === 0 && !allowDayZero))
    return date(`day must be ${allowDayZero ? '00' : '01'}-${last} for month ${month} of ${year}`);
  return undefined;
}

const hh: Linter = (d) => (inRange(d, 0, 23) && d.length === 2 ? undefined : format('hour must be 00-23'));
const mi: Linter = (d) => (inRange(d, 0, 59) && d.length === 2 ? undefined : format('minutes must be 00-59'));
const ss: Linter = (d) => (inRange(d, 0, 59) && d.length === 2 ? undefined : format('seconds must be 00-59'));

const gcppos1: Linter = (d) => (/^[0-9]{4}/.test(d) ? undefined : format('must start with a GS1 Company Prefix (at least 4 digits)'));

const iso3166: Linter = (d) => (NUMERIC_COUNTRY_CODES.has(d) ? undefined : format(`"${d}" is not an ISO 3166-1 numeric country code`));

function lintIban(d: string): LintFailure | undefined {
  if (d.length < 4 || !ALPHA2_COUNTRY_CODES.has(d.slice(0, 2))) return format('IBAN must start with an ISO 3166-1 alpha-2 country code');
  if (d.length > 34) return format('IBAN must be at most 34 characters');
  if (d.length <= 10) return format('IBAN is too short');
  if (!/^[0-9A-Z]+$/.test(d)) return format('IBAN may contain only digits and upper-case letters');
  let remainder = 0;
  for (const c of d.slice(4) + d.slice(0, 4)) {
    const v = parseInt(c, 36);
    remainder = (remainder * (v < 10 ? 10 : 100) + v) % 97;
  }
  return remainder === 1 ? undefined : check('IBAN check digits (mod 97) are wrong');
}

/** Reads a variable-length indicator (VLI) field of a North American coupon code; returns its end or a failure. */
function couponField(d: string, p: number, what: string, lengthOf: (vli: number) => number | undefined): number | LintFailure {
  if (p >= d.length) return format(`coupon code is missing the ${what} length indicator`);
  const length = lengthOf(d.charCodeAt(p) - 48);
  if (length === undefined) return format(`coupon code ${what} length indicator "${d[p]}" is not allowed`);
  if (d.length - (p + 1) < length) return format(`coupon code ${what} is shorter than its length indicator says`);
  return p + 1 + length;
}

const range =
  (min: number, max: number, add = 0) =>
  (v: number) =>
    v >= min && v <= max ? v + add : undefined;

function couponPurchase(d: string, p: number, nth: string, withGcp: boolean): number | LintFailure {
  let q = couponField(d, p, `${nth} purchase requirement`, range(1, 5));
  if (typeof q !== 'number') return q;
  if (q >= d.length) return format(`coupon code is missing the ${nth} purchase requirement code`);
  if (d[q] > '4' && d[q] !== '9') return format(`coupon code ${nth} purchase requirement code must be 0-4 or 9`);
  if (d.length - (q + 1) < 3) return format(`coupon code ${nth} purchase family code must be 3 digits`);
  q += 4;
  if (!withGcp) return q;
  return couponField(d, q, `${nth} purchase GCP`, (v) => (v === 9 ? 0 : v >= 0 && v <= 6 ? v + 6 : undefined));
}

/** AI (8110) North American Coupon Code, following the GS1 reference linter field by field. */
function lintCouponCode(d: string): LintFailure | undefined {
  if (!ALL_DIGITS.test(d)) return format('coupon code must be all digits');
  let p = couponField(d, 0, 'GCP', range(0, 6, 6));
  if (typeof p !== 'number') return p;
  if (d.length - p < 6) return format('coupon code offer code must be 6 digits');
  p = couponField(d, p + 6, 'save value', range(1, 5));
  if (typeof p !== 'number') return p;
  p = couponPurchase(d, p, '1st', false);
  if (typeof p !== 'number') return p;
  if (d[p] === '1') {
    if (p + 1 >= d.length) return format('coupon code is missing the additional purchase rules code');
    if (d[p + 1] > '3') return format('coupon code additional purchase rules code must be 0-3');
    p = couponPurchase(d, p + 2, '2nd', true);
    if (typeof p !== 'number') return p;
  }
  if (d[p] === '2') {
    p = couponPurchase(d, p + 1, '3rd', true);
    if (typeof p !== 'number') return p;
  }
  let expiry: string | undefined;
  if (d[p] === '3') {
    expiry = d.slice(p + 1, p + 7);
    if (lintDate(expiry, 2, false)) return format('coupon code expiration date must be a valid YYMMDD date');
    p += 7;
  }
  if (d[p] === '4') {
    const start = d.slice(p + 1, p + 7);
    if (lintDate(start, 2, false)) return format('coupon code start date must be a valid YYMMDD date');
    if (expiry !== undefined && start > expiry) return format('coupon code expiration date precedes its start date');
    p += 7;
  }
  if (d[p] === '5') {
    p = couponField(d, p + 1, 'serial number', range(0, 9, 6));
    if (typeof p !== 'number') return p;
  }
  if (d[p] === '6') {
    p = couponField(d, p + 1, 'retailer GCP/GLN', range(1, 7, 6));
    if (typeof p !== 'number') return p;
  }
  if (d[p] === '9') {
    if (!/^[01256]$/.test(d[p + 1] ?? '')) return format('coupon code save value code must be 0, 1, 2, 5 or 6');
    if (!/^[0-2]$/.test(d[p + 2] ?? '')) return format('coupon code save value applies-to-item must be 0-2');
    if (d[p + 3] === undefined) return format('coupon code is missing the store coupon flag');
    if (!/^[01]$/.test(d[p + 4] ?? '')) return format("coupon code don't-multiply flag must be 0 or 1");
    p += 5;
  }
  return p === d.length ? undefined : format('coupon code has data after its last valid field');
}

/** AI (8112) positive offer file coupon code. */
function lintCouponPosOffer(d: string): LintFailure | undefined {
  if (!ALL_DIGITS.test(d)) return format('coupon code must be all digits');
  if (d.length === 0 || (d[0] !== '0' && d[0] !== '1')) return format('coupon format code must be 0 or 1');
  let p = couponField(d, 1, 'funder ID', range(0, 6, 6));
  if (typeof p !== 'number') return p;
  if (d.length - p < 6) return format('coupon offer code must be 6 digits');
  p = couponField(d, p + 6, 'serial number', range(0, 9, 6));
  if (typeof p !== 'number') return p;
  return p === d.length ? undefined : format('coupon code has data after the serial number');
}

/**
 * Implementations of the linters named in the GS1 Syntax Dictionary, after the GS1 Syntax Engine's reference routines.
 * A dictionary naming a linter missing here fails validation of that AI (see `validateAiValue`) and the dictionary spec.
 */
export const LINTERS: Readonly<Record<string, Linter>> = {
  csum: (d) => {
    if (!ALL_DIGITS.test(d) || d.length < 2) return check('must be digits ending in a check digit');
    const expected = gs1CheckDigit(d.slice(0, -1));
    return expected === d.charCodeAt(d.length - 1) - 48 ? undefined : check(`check digit must be ${expected}`);
  },
  csumalpha: (d) => {
    if (d.length < 2) return check('must end in a two-character check pair');
    const expected = gs1CheckCharacterPair(d.slice(0, -2));
    return expected === d.slice(-2) ? undefined : check(`check character pair must be ${expected ?? 'computable'}`);
  },
  gcppos1,
  gcppos2: (d) => gcppos1(d.slice(1)),
  hasnondigit: (d) => (ALL_DIGITS.test(d) ? format('must contain at least one non-digit character') : undefined),
  hh,
  mi,
  ss,
  hhmi: (d) => (d.length === 4 ? (hh(d.slice(0, 2)) ?? mi(d.slice(2))) : format('time must be HHMI')),
  hyphen: (d) => (/^-+$/.test(d) ? undefined : format('must be a hyphen "-"')),
  iban: lintIban,
  importeridx: (d) => (IMPORTER_INDEX.test(d) ? undefined : format('importer index must be one of - 0-9 A-Z _ a-z')),
  iso3166,
  iso3166999: (d) => (d === '999' ? undefined : iso3166(d)),
  iso3166alpha2: (d) => (ALPHA2_COUNTRY_CODES.has(d) ? undefined : format(`"${d}" is not an ISO 3166-1 alpha-2 country code`)),
  iso4217: (d) => (/^\d{3}$/.test(d) && currencyCodes.number(d) ? undefined : format(`"${d}" is not an ISO 4217 numeric currency code`)),
  iso5218: (d) => (/^[0129]$/.test(d) ? undefined : format('sex code (ISO 5218) must be 0, 1, 2 or 9')),
  latitude: (d) => (d.length === 10 && inRange(d, 0, 1800000000) ? undefined : format('latitude must be 0000000000-1800000000')),
  longitude: (d) => (d.length === 10 && inRange(d, 0, 3600000000) ? undefined : format('longitude must be 0000000000-3600000000')),
  mediatype: (d) => (MEDIA_TYPE.test(d) ? undefined : format('AIDC media type must be 01-10 or 80-99')),
  nonzero: (d) => (/^0*$/.test(d) ? format('must not be zero') : undefined),
  nozeroprefix: (d) => (d.length > 1 && d[0] === '0' ? format('must not have a leading zero') : undefined),
  packagetype: (d) => (PACKAGE_TYPE_CODES.has(d) ? undefined : format(`"${d}" is not a GS1 PackageTypeCode`)),
  pcenc: (d) => (/%(?![0-9A-Fa-f]{2})/.test(d) ? format('every "%" must start a percent-encoded byte %XX') : undefined),
  pieceoftotal: (d) => {
    const half = d.length / 2;
    if (!Number.isInteger(half) || half === 0) return format('piece and total must have the same number of digits');
    const piece = Number(d.slice(0, half));
    const total = Number(d.slice(half));
    if (piece === 0) return format('piece number must not be zero');
    if (total === 0) return format('total number of pieces must not be zero');
    return piece > total ? format('piece number must not exceed the total') : undefined;
  },
  posinseqslash: (d) => {
    const m = /^([0-9]+)\/([0-9]+)$/.exec(d);
    if (!m) return format('must be <position>/<end>');
    if (m[1][0] === '0' || m[2][0] === '0') return format('position and end must not be zero or start with zero');
    return Number(m[1]) > Number(m[2]) ? format('position must not exceed the end') : undefined;
  },
  winding: (d) => (/^[019]$/.test(d) ? undefined : format('winding direction must be 0, 1 or 9')),
  yesno: (d) => (/^[01]$/.test(d) ? undefined : format('must be 0 (no) or 1 (yes)')),
  yymmd0: (d) => lintDate(d, 2, true),
  yymmdd: (d) => lintDate(d, 2, false),
  yyyymmdd: (d) => lintDate(d, 4, false),
  zero: (d) => (d === '0' ? undefined : format('must be 0')),
  couponcode: lintCouponCode,
  couponposoffer: lintCouponPosOffer,
};

import { Gs1Error, Gs1ErrorCode } from './gs1-error';

/**
 * Four-digit year of a two-digit GS1 year, by the GS1 General Specifications sliding window:
 * up to 50 years ahead of `now`, otherwise up to 49 years back.
 */
export function gs1FullYear(yy: number, now: Date = new Date()): number {
  const current = now.getUTCFullYear();
  const diff = yy - (current % 100);
  const century = current - (current % 100);
  if (diff >= 51) return century - 100 + yy;
  if (diff <= -50) return century + 100 + yy;
  return century + yy;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Converts a GS1 YYMMDD date (e.g. AI 17) to an ISO date `YYYY-MM-DD`.
 * Day `00` means the last day of the month, as the General Specifications define for expiry and similar dates.
 */
export function gs1DateToIso(yymmdd: string, now: Date = new Date()): string {
  if (!/^\d{6}$/.test(yymmdd)) {
    throw new Gs1Error(Gs1ErrorCode.BAD_DATE, 'date must be six digits YYMMDD', { field: 'date' });
  }
  const year = gs1FullYear(Number(yymmdd.slice(0, 2)), now);
  const month = Number(yymmdd.slice(2, 4));
  if (month < 1 || month > 12) throw new Gs1Error(Gs1ErrorCode.BAD_DATE, 'month must be 01-12', { field: 'date' });
  const last = daysInMonth(year, month);
  const dayDigits = Number(yymmdd.slice(4, 6));
  if (dayDigits > last) throw new Gs1Error(Gs1ErrorCode.BAD_DATE, `day must be 00-${last}`, { field: 'date' });
  const day = dayDigits === 0 ? last : dayDigits;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

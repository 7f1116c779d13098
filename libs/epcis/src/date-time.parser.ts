/**
 * Strict reading of the dates and date-times a client sends as query arguments or flow input, which are stored
 * or compared in the database: what the database would refuse (30 February, year 10000 in UTC, a +14:30 offset)
 * is refused here, as a 400 naming the field, instead of as a database error (issue 13). The event hash keeps its
 * own lenient reading in timestamp.ts, which mirrors the reference implementation.
 */
import { parseTimestamp } from 'pharmatrace-verify/cbv';

/** Four-digit ISO 8601 years, which the database and toISOString both keep. */
const MIN_YEAR = 1;
const MAX_YEAR = 9999;
/** UTC offsets run from -14:00 to +14:00 (XML Schema, which EPCIS follows). */
const MAX_OFFSET_MINUTES = 14 * 60;

const inYearRange = (epochMs: number): boolean => {
  const year = new Date(epochMs).getUTCFullYear();
  return year >= MIN_YEAR && year <= MAX_YEAR;
};

/** A calendar date YYYY-MM-DD that exists (Date.parse rolls 2028-02-30 over to 1 March), years 0001–9999; else null. */
export function parseIsoDate(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const parsed = parseTimestamp(text);
  return parsed && inYearRange(parsed.epochMs) ? new Date(parsed.epochMs) : null;
}

/**
 * A date-time with a zone that exists (a real day, an offset within ±14:00) and falls, in UTC, in years 0001–9999;
 * else null. `9999-12-31T23:59:59-14:00` is year 10000 in UTC, which the database refuses.
 */
export function parseZonedDateTime(text: string): Date | null {
  const parsed = parseTimestamp(text);
  if (!parsed || parsed.offsetMinutes === null || Math.abs(parsed.offsetMinutes) > MAX_OFFSET_MINUTES) return null;
  return inYearRange(parsed.epochMs) ? new Date(parsed.epochMs) : null;
}

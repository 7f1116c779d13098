import { parseZonedDateTime } from '@pharmatrace/epcis';
import type { EventCriteria } from '@pharmatrace/persistence';
import { EventQueryError, EventQueryErrorCode } from './event-query.error';

/** Query parameters by name, each with every value it was given (repeated parameters or a GraphQL list). */
export type QueryParams = Record<string, string[]>;

/**
 * A family of query parameters kept in a file of its own (quantity-filter.ts, sensor-filter.ts…): the parser accepts
 * the names it `accepts` and ANDs its criteria with the others.
 */
export interface QueryFamily {
  accepts(name: string): boolean;
  /** Its names, or their forms (`EQ_quantity_<uom>`), for the unsupported-parameter answer. */
  described: readonly string[];
  /** Given once and never split at `|` (a number or a time). */
  singleValued(name: string): boolean;
  /** EXISTS_ parameters: a name alone (`EXISTS_errorDeclaration=`) is a value. */
  mayBeEmpty(name: string): boolean;
  criteria(params: QueryParams): EventCriteria;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
/** A decimal number; an exponent of at most four digits, as epcis_number reads stored values. */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function invalid(parameter: string, rule: string, message: string): EventQueryError {
  return new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, `${parameter}: ${message}`, { parameter, rule });
}

export function single(params: QueryParams, name: string): string | undefined {
  const values = params[name];
  if (!values?.length) return undefined;
  if (values.length > 1) throw invalid(name, 'single-value', 'may be given only once');
  return values[0];
}

/** Strict: a real day, an offset within ±14:00 and a UTC year 0001–9999 (the database refuses the rest); null otherwise. */
export function instantOf(value: string): Date | null {
  return DATE_TIME.test(value) ? parseZonedDateTime(value) : null;
}

export function dateTimeValue(name: string, value: string): Date {
  const date = instantOf(value);
  if (!date) {
    throw invalid(
      name,
      'format:date-time',
      `"${value}" is not an ISO 8601 date-time with a zone (e.g. 2026-01-31T08:00:00Z) on a real day, years 0001–9999`,
    );
  }
  return date;
}

export function dateTime(params: QueryParams, name: string): Date | undefined {
  const value = single(params, name);
  return value === undefined ? undefined : dateTimeValue(name, value);
}

export const isNumber = (value: string): boolean => NUMBER.test(value);

export function numberValue(name: string, value: string): string {
  if (!isNumber(value)) throw invalid(name, 'number', `"${value}" is not a decimal number (e.g. 12, -3.5, 2.5E3)`);
  return value;
}

/** A calendar date (YYYY-MM-DD) on a real day, as ILMD dates such as cbvmda:itemExpirationDate are written. */
export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** CBV values arrive as bare words, CBV 1.x URNs or GS1 Web URIs; a custom URI matches only itself. */
export function vocabularySpellings(value: string, urn: string, web: string): string[] {
  if (/^[a-z_]+$/.test(value)) return [value, `urn:epcglobal:cbv:${urn}:${value}`, `https://ref.gs1.org/cbv/${web}-${value}`];
  const short = new RegExp(`^(?:urn:epcglobal:cbv:${urn}:|https://ref\\.gs1\\.org/cbv/${web}-)([a-z_]+)$`).exec(value)?.[1];
  return short ? vocabularySpellings(short, urn, web) : [value];
}

/** EXISTS_ parameters take no value (`EXISTS_x=`) or `true`. */
export function existsValue(params: QueryParams, name: string): boolean {
  const value = single(params, name);
  if (value === undefined) return false;
  if (value !== '' && value !== 'true') throw invalid(name, 'exists-value', `takes no value or "true", not "${value}"`);
  return true;
}

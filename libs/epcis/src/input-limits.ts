/**
 * Limits every request's input is held to, whichever transport brought it (GraphQL or the REST binding), so the
 * work one request causes is bounded before that work starts (issue 13).
 */

/** Events one capture may hold; announced as GS1-EPCIS-Capture-Limit. */
export const CAPTURE_EVENT_LIMIT = 10_000;
/**
 * Objects and arrays nested in one another. An EPCIS event nests about 6 deep (extensions a few more); the
 * recursive code downstream (schema validation, hashing, XML mapping) overflows the stack near 1,650.
 */
export const MAX_NESTING_DEPTH = 64;
/** Characters in one string value or property name; the longest real EPCIS value (a Digital Link URI) is far shorter. */
export const MAX_STRING_LENGTH = 65_536;

export type InputRule = 'max-depth' | 'max-length' | 'no-nul' | 'format:date-time';

export interface InputViolation {
  /** JSON pointer to the offending value from the input's root, '' for the root itself. */
  pointer: string;
  rule: InputRule;
  message: string;
}

/** JSON pointer escaping (RFC 6901), so a property name with '/' or '~' still points at itself. */
const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

function textViolation(text: string, pointer: string): InputViolation | null {
  if (text.length > MAX_STRING_LENGTH) {
    return { pointer, rule: 'max-length', message: `has ${text.length} characters; at most ${MAX_STRING_LENGTH} are accepted` };
  }
  // PostgreSQL text cannot hold U+0000, and no identifier or name has a reason to.
  if (text.includes('\u0000')) return { pointer, rule: 'no-nul', message: 'contains a NUL character (U+0000)' };
  return null;
}

/**
 * The first value of `input` breaking a limit: nested deeper than MAX_NESTING_DEPTH, a string or property name
 * longer than MAX_STRING_LENGTH or holding a NUL, a Date that is invalid or outside years 0001–9999. Iterative (an explicit stack, not recursion), so a hostile
 * depth cannot overflow the call stack here, and linear in the size of the input.
 */
export function findInputViolation(input: unknown): InputViolation | null {
  const stack: { value: unknown; pointer: string; depth: number }[] = [{ value: input, pointer: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, pointer, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const violation = textViolation(value, pointer);
      if (violation) return violation;
      continue;
    }
    if (value instanceof Date) {
      // A date-time scalar turns "yesterday" into an Invalid Date rather than refusing it.
      const year = value.getUTCFullYear();
      if (Number.isNaN(value.getTime()) || year < 1 || year > 9999) {
        return { pointer, rule: 'format:date-time', message: 'is not an ISO 8601 date-time in years 0001–9999' };
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_NESTING_DEPTH) {
      return { pointer, rule: 'max-depth', message: `is nested more than ${MAX_NESTING_DEPTH} levels deep` };
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], pointer: `${pointer}/${i}`, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(value);
    for (const key of keys) {
      const violation = textViolation(key, `${pointer}/${escape(key)}`);
      if (violation) return { ...violation, message: `property name ${violation.message}` };
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push({ value: (value as Record<string, unknown>)[keys[i]], pointer: `${pointer}/${escape(keys[i])}`, depth: depth + 1 });
    }
  }
  return null;
}

/** The length of a document's event list (capture or query document), 0 when it has none. */
export function eventCountOf(document: unknown): number {
  const body = (document as { epcisBody?: { eventList?: unknown; queryResults?: { resultsBody?: { eventList?: unknown } } } } | null)?.epcisBody;
  const list = body?.eventList ?? body?.queryResults?.resultsBody?.eventList;
  return Array.isArray(list) ? list.length : 0;
}

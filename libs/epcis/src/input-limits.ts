/**
 * Limits every request's input is held to, whichever transport brought it (GraphQL or the REST binding), so the
 * work one request causes is bounded before that work starts (issue 13).
 */
import { Resumable, runToEnd } from './time-slice';

/** Events one capture may hold; announced as GS1-EPCIS-Capture-Limit. */
export const CAPTURE_EVENT_LIMIT = 10_000;
/**
 * Objects and arrays nested in one another. An EPCIS event nests about 6 deep (extensions a few more); the
 * recursive code downstream (schema validation, hashing, XML mapping) overflows the stack near 1,650.
 */
export const MAX_NESTING_DEPTH = 64;
/** Characters in one string value or property name; the longest real EPCIS value (a Digital Link URI) is far shorter. */
export const MAX_STRING_LENGTH = 65_536;

/**
 * Items in one array. A pallet's aggregation lists a few thousand packs and a capture at most CAPTURE_EVENT_LIMIT
 * events; a 2 MB body can hold a million tiny items, each of which the schema validation would otherwise visit.
 */
export const MAX_LIST_LENGTH = 100_000;

export type InputRule = 'max-depth' | 'max-length' | 'max-items' | 'no-nul' | 'format:date-time';

export interface InputViolation {
  /** JSON pointer to the offending value from the input's root, '' for the root itself. */
  pointer: string;
  rule: InputRule;
  message: string;
}

/** JSON pointer escaping (RFC 6901), so a property name with '/' or '~' still points at itself. */
const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** JSON pointer of a path of property names and array indexes. */
export const pointerOfPath = (path: readonly (string | number)[]): string =>
  path.map((k) => `/${typeof k === 'number' ? k : escape(k)}`).join('');

/**
 * A limit found broken while the input was still being read, before the value holding it was built: the sliced JSON
 * parser refuses a list once it has read MAX_LIST_LENGTH items of it, rather than building a million-item array
 * only for findInputViolation to refuse it (building one held the event loop for 23-35 ms).
 */
export class InputLimitExceeded extends Error {
  constructor(readonly violation: InputViolation) {
    super(`${violation.pointer}: ${violation.message}`);
  }
}

function textViolation(text: string): Omit<InputViolation, 'pointer'> | null {
  if (text.length > MAX_STRING_LENGTH) {
    return { rule: 'max-length', message: `has ${text.length} characters; at most ${MAX_STRING_LENGTH} are accepted` };
  }
  // PostgreSQL text cannot hold U+0000, and no identifier or name has a reason to.
  if (text.includes('\u0000')) return { rule: 'no-nul', message: 'contains a NUL character (U+0000)' };
  return null;
}

/** An object or array being walked: its property names (null for an array), and the position of the next child. */
interface Frame {
  container: Record<string, unknown> | unknown[];
  keys: string[] | null;
  next: number;
}

/** JSON pointer of the child a frame visited last, built only once a violation is found. */
const pointerOf = (frames: Frame[]): string => frames.map((f) => `/${f.keys ? escape(f.keys[f.next - 1]) : f.next - 1}`).join('');

function dateViolation(value: Date): Omit<InputViolation, 'pointer'> | null {
  // A date-time scalar turns "yesterday" into an Invalid Date rather than refusing it.
  const year = value.getUTCFullYear();
  if (!Number.isNaN(value.getTime()) && year >= 1 && year <= 9999) return null;
  return { rule: 'format:date-time', message: 'is not an ISO 8601 date-time in years 0001–9999' };
}

/**
 * The first value of `input` breaking a limit: nested deeper than MAX_NESTING_DEPTH, an array of more than
 * MAX_LIST_LENGTH items (refused before any of them is visited), a string or property name
 * longer than MAX_STRING_LENGTH or holding a NUL, a Date that is invalid or outside years 0001–9999. Iterative (an
 * explicit stack of frames, not recursion), so a hostile depth cannot overflow the call stack here; linear in the
 * size of the input, and allocating nothing per value (256,000 values took 100 ms when each carried its pointer).
 */
export function findInputViolation(input: unknown): InputViolation | null {
  return runToEnd(inputViolationSteps(input));
}

/** Values visited between pauses of inputViolationSteps: about a millisecond of work. */
const VALUES_PER_STEP = 4_096;

/**
 * findInputViolation as resumable work that pauses every VALUES_PER_STEP values, for runSliced: a 4 MB document
 * (about 200,000 values) took 12-28 ms in one piece on a shared 2-core VM, on top of the JSON parse before it.
 */
export function* inputViolationSteps(input: unknown): Resumable<InputViolation | null> {
  const frames: Frame[] = [];
  let value = input;
  for (let visited = 1; ; visited++) {
    if (visited % VALUES_PER_STEP === 0) yield;
    if (typeof value === 'string') {
      const violation = textViolation(value);
      if (violation) return { ...violation, pointer: pointerOf(frames) };
    } else if (value instanceof Date) {
      const violation = dateViolation(value);
      if (violation) return { ...violation, pointer: pointerOf(frames) };
    } else if (value !== null && typeof value === 'object') {
      if (frames.length >= MAX_NESTING_DEPTH) {
        return { pointer: pointerOf(frames), rule: 'max-depth', message: `is nested more than ${MAX_NESTING_DEPTH} levels deep` };
      }
      if (Array.isArray(value) && value.length > MAX_LIST_LENGTH) {
        return {
          pointer: pointerOf(frames),
          rule: 'max-items',
          message: `has ${value.length} items; at most ${MAX_LIST_LENGTH} are accepted`,
        };
      }
      const keys = Array.isArray(value) ? null : Object.keys(value);
      for (const key of keys ?? []) {
        const violation = textViolation(key);
        if (violation)
          return { ...violation, pointer: `${pointerOf(frames)}/${escape(key)}`, message: `property name ${violation.message}` };
      }
      frames.push({ container: value as Record<string, unknown> | unknown[], keys, next: 0 });
    }
    // The next value: the next child of the innermost container that has one left.
    for (;;) {
      const top = frames[frames.length - 1];
      if (!top) return null;
      const length = top.keys ? top.keys.length : (top.container as unknown[]).length;
      if (top.next < length) {
        const key = top.keys ? top.keys[top.next] : top.next;
        top.next++;
        value = (top.container as Record<string | number, unknown>)[key];
        break;
      }
      frames.pop();
    }
  }
}

/** The length of a document's event list (capture or query document), 0 when it has none. */
export function eventCountOf(document: unknown): number {
  const body = (document as { epcisBody?: { eventList?: unknown; queryResults?: { resultsBody?: { eventList?: unknown } } } } | null)
    ?.epcisBody;
  const list = body?.eventList ?? body?.queryResults?.resultsBody?.eventList;
  return Array.isArray(list) ? list.length : 0;
}

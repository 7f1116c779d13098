/**
 * JSON.parse in slices, for request bodies of several megabytes. JSON.parse of a 4 MB body holds the event loop for
 * 22-60 ms on our machines (issue 13: no request may delay another by more than 50 ms), and cannot be interrupted.
 * A streaming parser made for the job (@streamparser/json, fed 16 KB at a time) takes 190-314 ms for the same 3.9 MB
 * that JSON.parse reads in 22-33 ms, 8-10× the CPU, so this is written here instead: it still lets JSON.parse do the
 * parsing, of pieces small enough to be quick.
 *
 * Two linear passes. The first finds every container (object or array) whose text spans LEAF_CHARS or more and where
 * it ends; the second builds those containers itself and hands their other members to JSON.parse, in runs of at
 * most LEAF_CHARS. Both passes pause (`yield`) every few hundred kilobytes, for runSliced. The result is JSON.parse's (the spec compares them on random and broken texts): the same values,
 * key order, last duplicate key winning, `__proto__` an own property, the same texts refused.
 */
import { InputLimitExceeded, pointerOfPath } from './input-limits';
import { type Resumable, runSliced } from './time-slice';

/** Members up to this size are parsed by one JSON.parse call: about half a millisecond. */
const LEAF_CHARS = 64 * 1024;
/** Characters scanned or parsed between two chances to pause (runSliced pauses only once its slice is used up). */
const STEP_CHARS = 64 * 1024;
/**
 * Members per JSON.parse call, and what each one weighs in characters of work: tiny members (a list of a million `5`s)
 * cost per member, not per character.
 */
const RUN_MEMBERS = 4096;
const MEMBER_WEIGHT = 16;
/** Below this length one JSON.parse call (about 2 ms) costs less than slicing. */
export const SLICED_JSON_MIN_CHARS = 256 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function syntaxError(message: string, at: number): SyntaxError {
  return new SyntaxError(`${message} in JSON at position ${at}`);
}

/** Just past the string starting at `at` (a quote): the next quote not escaped by an odd run of backslashes. */
function stringEnd(text: string, at: number): number {
  for (let from = at + 1; ;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw syntaxError('Unterminated string', at);
    let b = quote - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    if ((quote - 1 - b) % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** First pass: start → closing position of each container spanning `leaf` characters or more. */
function* largeContainers(text: string, leaf: number): Generator<void, Map<number, number>, void> {
  const large = new Map<number, number>();
  const open: number[] = [];
  let pause = STEP_CHARS;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) open.push(i);
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      const start = open.pop();
      // '{' and '}' are two code points apart, as are '[' and ']'.
      if (start === undefined || c - text.charCodeAt(start) !== 2) throw syntaxError(`Unexpected token ${text[i]}`, i);
      if (i - start >= leaf) large.set(start, i);
    }
    i++;
    if (i >= pause) {
      pause += STEP_CHARS;
      yield;
    }
  }
  if (open.length) throw syntaxError('Unexpected end of JSON input: unclosed bracket', open[open.length - 1]);
  return large;
}

/** Just past a member that is not a large container: where, at its own depth, a comma or a closing bracket comes. */
function memberEnd(text: string, at: number): number {
  let depth = 0;
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 0) return i;
      depth--;
    } else if (c === COMMA && depth === 0) return i;
    i++;
  }
  return i;
}

/** JSON.parse of text[start, end); `position`: where that piece sits in the whole text, for the error message. */
function parsePiece(text: string, start: number, end: number, position = start): unknown {
  try {
    return JSON.parse(start === 0 && end === text.length ? text : text.slice(start, end));
  } catch (e) {
    if (e instanceof SyntaxError) throw new SyntaxError(`${e.message} (in the value at position ${position})`, { cause: e });
    throw e;
  }
}

interface Frame {
  value: unknown[] | Record<string, unknown>;
  /**
   * An array's members as the runs JSON.parse gave them, joined once when the array closes: pushing a million members
   * one by one into an array that grows in the large-object space cost 46 ms of pushes and a 21 ms collection in the
   * middle of one slice (the API's own event loop held 64 ms by a million-item `epcList`).
   */
  runs?: unknown[][];
  /** Where reading resumes. */
  at: number;
  end: number;
  members: number;
  /** The key this container is the value of, in its parent object. */
  key?: string;
  /** Its index in its parent array. */
  index?: number;
}

/** Sets a member as JSON.parse does: `__proto__` is an own property like any other key, never the prototype. */
function put(frame: Frame, key: string | undefined, value: unknown): void {
  if (frame.runs) frame.runs.push([value]);
  else if (key === '__proto__') Object.defineProperty(frame.value, key, { value, writable: true, enumerable: true, configurable: true });
  else (frame.value as Record<string, unknown>)[key!] = value;
}

/** A member of an object or array: where its key ends (objects) and where its value starts. */
interface Member {
  keyEnd?: number;
  valueAt: number;
}

/** The member starting at `at`; a malformed key or missing colon throws, or gives null when `strict` is false. */
function locate(text: string, frame: Frame, at: number, strict: boolean): Member | null {
  if (Array.isArray(frame.value)) return { valueAt: at };
  if (text.charCodeAt(at) !== QUOTE) {
    if (strict) throw syntaxError(`Unexpected token ${text[at]}, expected a property name`, at);
    return null;
  }
  const keyEnd = stringEnd(text, at);
  const colon = skipSpace(text, keyEnd);
  if (text.charCodeAt(colon) !== COLON) {
    if (strict) throw syntaxError(`Unexpected token ${text[colon]}, expected ':'`, colon);
    return null;
  }
  return { keyEnd, valueAt: skipSpace(text, colon + 1) };
}

/**
 * The innermost array on `stack` has more than `maxItems` members. Only a large container can: a smaller one has no
 * room for MAX_LIST_LENGTH of them.
 */
function tooLong(stack: Frame[], maxItems: number): InputLimitExceeded {
  return new InputLimitExceeded({
    pointer: pointerOfPath(stack.slice(1).map((f) => f.key ?? f.index!)),
    rule: 'max-items',
    message: `has more than ${maxItems} items; at most ${maxItems} are accepted`,
  });
}

/**
 * JSON.parse(text), pausing between steps of about STEP_CHARS; runSliced runs it. `leaf` is for tests. An array with
 * more than `maxItems` members throws InputLimitExceeded (naming it) as soon as that many have been read.
 */
export function* jsonParsing(text: string, leaf = LEAF_CHARS, maxItems = Infinity): Resumable<unknown> {
  const large = yield* largeContainers(text, leaf);
  const rootAt = skipSpace(text, 0);
  const rootEnd = large.get(rootAt);
  if (rootEnd === undefined) return JSON.parse(text);
  if (skipSpace(text, rootEnd + 1) !== text.length)
    throw syntaxError('Unexpected non-whitespace character after JSON', skipSpace(text, rootEnd + 1));

  const open = (at: number, key?: string, index?: number): Frame => ({
    ...(text.charCodeAt(at) === OPEN_ARRAY ? { value: [], runs: [] } : { value: {} }),
    at: at + 1,
    end: large.get(at)!,
    members: 0,
    key,
    index,
  });
  const stack: Frame[] = [open(rootAt)];
  let work = 0;
  for (;;) {
    const frame = stack[stack.length - 1];
    let at = skipSpace(text, frame.at);
    if (at === frame.end) {
      stack.pop();
      const value = frame.runs ? ([] as unknown[]).concat(...frame.runs) : frame.value;
      if (!stack.length) return value;
      const parent = stack[stack.length - 1];
      put(parent, frame.key, value);
      parent.at = frame.end + 1;
      parent.members++;
      if (parent.runs && parent.members > maxItems) throw tooLong(stack, maxItems);
      continue;
    }
    if (frame.members > 0) {
      if (text.charCodeAt(at) !== COMMA) throw syntaxError(`Unexpected token ${text[at]}, expected ','`, at);
      at = skipSpace(text, at + 1);
    }
    let member = locate(text, frame, at, true)!;
    if (large.has(member.valueAt)) {
      frame.at = member.valueAt;
      if (member.keyEnd === undefined) stack.push(open(member.valueAt, undefined, frame.members));
      else stack.push(open(member.valueAt, parsePiece(text, at, member.keyEnd) as string));
      continue;
    }
    // Small members that follow one another, up to `leaf` characters, go to JSON.parse together: one call per member
    // made a million-item list cost a million calls.
    const runStart = at;
    let runEnd: number;
    let count = 0;
    for (;;) {
      const end = memberEnd(text, member.valueAt);
      if (end === member.valueAt) throw syntaxError(`Unexpected token ${text[end] ?? 'end of input'}, expected a value`, end);
      if (end > frame.end) throw syntaxError('Unexpected end of container', frame.end);
      runEnd = end;
      count++;
      const next = skipSpace(text, end);
      if (text.charCodeAt(next) !== COMMA || runEnd - runStart >= leaf || count >= RUN_MEMBERS) break;
      // A trailing comma, a malformed key or a large member after the comma: left to the loop above.
      const following = locate(text, frame, skipSpace(text, next + 1), false);
      if (!following || following.valueAt >= frame.end || large.has(following.valueAt)) break;
      member = following;
    }
    const array = Array.isArray(frame.value);
    const run = parsePiece(`${array ? '[' : '{'}${text.slice(runStart, runEnd)}${array ? ']' : '}'}`, 0, runEnd - runStart + 2, runStart);
    if (array) frame.runs!.push(run as unknown[]);
    else for (const key of Object.keys(run as object)) put(frame, key, (run as Record<string, unknown>)[key]);
    frame.at = runEnd;
    frame.members += count;
    if (array && frame.members > maxItems) throw tooLong(stack, maxItems);
    work += runEnd - runStart + count * MEMBER_WEIGHT;
    if (work >= STEP_CHARS) {
      work = 0;
      yield;
    }
  }
}

/**
 * JSON.parse(text): at once for short texts, in slices that give the event loop a turn for long ones, which also
 * refuse an array of more than `maxItems` members before building it (a short text has no room for one that long).
 */
export function parseJsonSliced(text: string, maxItems = Infinity): Promise<unknown> {
  if (text.length < SLICED_JSON_MIN_CHARS) return Promise.resolve().then(() => JSON.parse(text));
  return runSliced(jsonParsing(text, LEAF_CHARS, maxItems));
}

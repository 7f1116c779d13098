import fc from 'fast-check';
import {
  eventCountOf,
  findInputViolation,
  inputViolationSteps,
  MAX_LIST_LENGTH,
  MAX_NESTING_DEPTH,
  MAX_STRING_LENGTH,
} from './input-limits';

/** `depth` objects nested in one another, built without recursion. */
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('findInputViolation', () => {
  it('accepts ordinary input', () => {
    expect(findInputViolation({ name: 'Acme', list: [1, 'two', { three: null }], when: new Date('2026-01-01T00:00:00Z') })).toBeNull();
    expect(findInputViolation(nested(MAX_NESTING_DEPTH))).toBeNull();
  });

  it('names a NUL in a value or a property name by its JSON pointer', () => {
    expect(findInputViolation({ a: [{ 'b/c': 'x\u0000' }] })).toMatchObject({ pointer: '/a/0/b~1c', rule: 'no-nul' });
    expect(findInputViolation({ ['k\u0000']: 1 })).toMatchObject({
      pointer: '/k\u0000',
      rule: 'no-nul',
      message: expect.stringMatching(/^property name/),
    });
    expect(findInputViolation('\u0000')).toMatchObject({ pointer: '', rule: 'no-nul' });
  });

  it('refuses nesting past the limit without recursing, however deep', () => {
    expect(findInputViolation(nested(MAX_NESTING_DEPTH + 1))).toMatchObject({ rule: 'max-depth', pointer: '/a'.repeat(MAX_NESTING_DEPTH) });
    expect(findInputViolation(nested(200_000))).toMatchObject({ rule: 'max-depth' });
  });

  it('refuses a list of more than MAX_LIST_LENGTH items before visiting any of them', () => {
    expect(findInputViolation({ a: [{ epcList: Array(MAX_LIST_LENGTH).fill('x') }] })).toBeNull();
    const huge = Array(1_000_000).fill('\u0000');
    expect(findInputViolation({ a: [{ epcList: huge }] })).toMatchObject({
      pointer: '/a/0/epcList',
      rule: 'max-items',
      message: `has 1000000 items; at most ${MAX_LIST_LENGTH} are accepted`,
    });
  });

  it('as resumable steps, pauses every few thousand values and finds what the whole walk finds', () => {
    const steps = inputViolationSteps({ list: [...Array(10_000).fill('ok'), 'x\u0000'] });
    let pauses = 0;
    for (let step = steps.next(); ; step = steps.next(), pauses++) {
      if (step.done) {
        expect(step.value).toMatchObject({ pointer: '/list/10000', rule: 'no-nul' });
        break;
      }
    }
    expect(pauses).toBe(2);
    // Small inputs finish within the first step: the pipe checks them without waiting a turn.
    expect(inputViolationSteps({ code: 'x' }).next()).toEqual({ done: true, value: null });
  });

  it('refuses an over-long string and an invalid or out-of-range date', () => {
    expect(findInputViolation({ s: 'x'.repeat(MAX_STRING_LENGTH + 1) })).toMatchObject({ pointer: '/s', rule: 'max-length' });
    expect(findInputViolation({ since: new Date('yesterday') })).toMatchObject({ pointer: '/since', rule: 'format:date-time' });
    expect(findInputViolation({ since: new Date('+010000-01-01T00:00:00Z') })).toMatchObject({ rule: 'format:date-time' });
  });

  it('finds a NUL wherever it is hidden in any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.string(), fc.string(), (value, before, after) => {
        return findInputViolation({ wrapper: [value, { deep: `${before}\u0000${after}` }] })?.rule === 'no-nul';
      }),
      { seed: 13, numRuns: 200 },
    );
  });
});

describe('eventCountOf', () => {
  it('counts capture and query documents, and anything else as none', () => {
    expect(eventCountOf({ epcisBody: { eventList: [1, 2] } })).toBe(2);
    expect(eventCountOf({ epcisBody: { queryResults: { resultsBody: { eventList: [1] } } } })).toBe(1);
    expect(eventCountOf({ epcisBody: { eventList: 'x' } })).toBe(0);
    expect(eventCountOf(null)).toBe(0);
  });
});

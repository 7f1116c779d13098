import fc from 'fast-check';
import { InputLimitExceeded } from './input-limits';
import { jsonParsing, parseJsonSliced, SLICED_JSON_MIN_CHARS } from './sliced-json.parser';
import { runToEnd } from './time-slice';

/** JSON.parse's answer, or the fact that it refused the text. */
function reference(text: string): { value: unknown } | 'refused' {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return 'refused';
  }
}

function sliced(text: string, leaf: number): { value: unknown } | 'refused' {
  try {
    return { value: runToEnd(jsonParsing(text, leaf)) };
  } catch (e) {
    // Only syntax errors: anything else would be a bug of the parser, not a refusal.
    if (!(e instanceof SyntaxError)) throw e;
    return 'refused';
  }
}

/** Equal values and the same key order, which toEqual alone does not check. */
function expectSame(actual: { value: unknown } | 'refused', expected: { value: unknown } | 'refused') {
  expect(actual).toEqual(expected);
  if (actual !== 'refused' && expected !== 'refused') expect(JSON.stringify(actual.value)).toBe(JSON.stringify(expected.value));
}

/** JSON texts with whitespace between tokens, so the parser's own handling of separators is exercised. */
const spaced = fc
  .tuple(fc.jsonValue({ maxDepth: 5 }), fc.constantFrom('', ' ', '\n\t', '  \r\n'))
  .map(([value, space]) => JSON.stringify(value, null, space.length ? space : undefined));

describe('jsonParsing', () => {
  it('reads every JSON text as JSON.parse does, whichever containers are large', () => {
    fc.assert(
      fc.property(spaced, fc.integer({ min: 1, max: 64 }), (text, leaf) => expectSame(sliced(text, leaf), reference(text))),
      { numRuns: 2000 },
    );
  });

  it('refuses exactly the broken texts JSON.parse refuses (a character deleted, inserted or replaced)', () => {
    const edit = fc.tuple(
      spaced,
      fc.nat(),
      fc.constantFrom('', ',', ':', '"', '\\', '[', ']', '{', '}', '1', ' ', 'x', '-', '.'),
      fc.boolean(),
    );
    fc.assert(
      fc.property(edit, fc.integer({ min: 1, max: 32 }), ([text, position, insert, replace], leaf) => {
        const at = text.length ? position % text.length : 0;
        const broken = text.slice(0, at) + insert + text.slice(replace ? at + 1 : at);
        expectSame(sliced(broken, leaf), reference(broken));
      }),
      { numRuns: 4000 },
    );
  });

  it('keeps __proto__ an own property, the last of duplicate keys, and -0, as JSON.parse does', () => {
    const text = '{"__proto__": {"polluted": true}, "a": [1, {"__proto__": []}], "a": -0, "b": 1e400}';
    const value = runToEnd(jsonParsing(text, 1)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(['__proto__', 'a', 'b']);
    expect(Object.is(value.a, -0)).toBe(true);
    expect(value.b).toBe(Infinity);
    expectSame({ value }, reference(text));
  });

  it('orders keys as JSON.parse does when duplicates and integer-like keys fall in different runs', () => {
    const text = '{"b": 1, "2": [2], "a": {"x": 3}, "1": 4, "b": 5, "a": 6, "0": 7}';
    for (const leaf of [1, 3, 8, 20, 100]) expectSame(sliced(text, leaf), reference(text));
  });

  it('refuses text after the value, an unclosed or mismatched bracket, and an unterminated string', () => {
    for (const text of ['[1] [2]', '[1, [2]', '{"a": [1}', '["a\\"]', ']', '[1,]', '{"a":1,}', '{"a" 1}', '[1 2]']) {
      expect(() => runToEnd(jsonParsing(text, 1))).toThrow(SyntaxError);
    }
  });

  it('pauses while it reads a large text, so runSliced can give other work a turn', () => {
    const text = JSON.stringify({
      eventList: Array.from({ length: 20_000 }, (_, i) => ({ epcList: [`urn:epc:id:sgtin:0614141.107346.${i}`] })),
    });
    const work = jsonParsing(text);
    let pauses = 0;
    let step = work.next();
    for (; !step.done; step = work.next()) pauses++;
    expect(pauses).toBeGreaterThan(2);
    expect(step.value).toEqual(JSON.parse(text));
  });
});

describe('jsonParsing with a list limit', () => {
  const parse = (text: string, maxItems: number, leaf = 16) => runToEnd(jsonParsing(text, leaf, maxItems));

  it('refuses the first list longer than the limit, naming it by a JSON pointer, before reading the rest', () => {
    const text = JSON.stringify({ a: [{ 'b/c': [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }], z: 1 });
    let thrown: unknown;
    try {
      parse(`${text.slice(0, -1)},"broken":}`, 10);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InputLimitExceeded);
    expect((thrown as InputLimitExceeded).violation).toEqual({
      pointer: '/a/0/b~1c',
      rule: 'max-items',
      message: 'has more than 10 items; at most 10 are accepted',
    });
  });

  it('reads a list of exactly the limit, and the same value as JSON.parse', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer(), { maxLength: 30 }), { maxLength: 5 }),
        fc.integer({ min: 0, max: 30 }),
        (lists, limit) => {
          const text = JSON.stringify({ lists });
          const longest = Math.max(lists.length, ...lists.map((l) => l.length));
          if (longest <= limit) expect(parse(text, limit, 1)).toEqual(JSON.parse(text));
          else expect(() => parse(text, limit, 1)).toThrow(InputLimitExceeded);
        },
      ),
    );
  });
});

describe('parseJsonSliced', () => {
  it('answers JSON.parse for short and long texts alike, and rejects what it refuses', async () => {
    const long = JSON.stringify({ pad: 'x'.repeat(SLICED_JSON_MIN_CHARS), list: Array.from({ length: 50_000 }, (_, i) => i) });
    await expect(parseJsonSliced('{"a":1}')).resolves.toEqual({ a: 1 });
    await expect(parseJsonSliced(long)).resolves.toEqual(JSON.parse(long));
    await expect(parseJsonSliced(`${long}x`)).rejects.toThrow(SyntaxError);
    await expect(parseJsonSliced('{')).rejects.toThrow(SyntaxError);
  });
});

import fc from 'fast-check';
import { memoized } from './memo';

describe('memoized', () => {
  it('answers as the function does, computing each input once while it is kept', () => {
    const calls: string[] = [];
    const f = memoized((key) => {
      calls.push(key);
      return key.toUpperCase();
    }, 4);
    expect([f('a'), f('a'), f('xb'), f('xb'), f('')]).toEqual(['A', 'A', 'XB', 'XB', '']);
    expect(calls).toEqual(['a', 'xb', '']);
  });

  it('computes a long value every time: those are not kept', () => {
    let computed = 0;
    const f = memoized((key) => `${key.length}${computed++}`, 8, 4);
    expect([f('abcde'), f('abcde'), f('abcd'), f('abcd')]).toEqual(['50', '51', '42', '42']);
  });

  it('keeps at most `max` results: once full it starts again, and still answers right (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 200 }), fc.integer({ min: 1, max: 16 }), (keys, max) => {
        let computed = 0;
        const f = memoized((key) => {
          computed++;
          return `${key}!`;
        }, max);
        for (const key of keys) expect(f(key)).toBe(`${key}!`);
        expect(computed).toBeLessThanOrEqual(keys.length);
        expect(computed).toBeGreaterThanOrEqual(new Set(keys).size);
      }),
    );
  });

  it('keeps results that are not text, null among them, and hands every caller the same one', () => {
    let computed = 0;
    const f = memoized((key) => {
      computed++;
      return key === 'bad' ? null : Object.freeze({ length: key.length });
    });
    expect([f('bad'), f('bad')]).toEqual([null, null]);
    expect(f('abc')).toBe(f('abc'));
    expect(computed).toBe(2);
  });
});

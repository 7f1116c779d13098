import fc from 'fast-check';
import { memoized } from './memo';

describe('memoized', () => {
  it('answers as the function does, computing each input once while it is kept (null results too)', () => {
    const calls: string[] = [];
    const f = memoized((key) => {
      calls.push(key);
      return key.startsWith('x') ? null : key.toUpperCase();
    }, 4);
    expect([f('a'), f('a'), f('xb'), f('xb')]).toEqual(['A', 'A', null, null]);
    expect(calls).toEqual(['a', 'xb']);
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
});

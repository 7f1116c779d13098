import fc from 'fast-check';
import { bumpFees, MIN_REPLACEMENT_BUMP_PERCENT } from './fee-bump';

describe('bumpFees', () => {
  it('raises both caps by the percentage, rounding up', () => {
    expect(bumpFees({ maxFeePerGas: 1_000n, maxPriorityFeePerGas: 101n }, 10)).toEqual({
      maxFeePerGas: 1_100n,
      maxPriorityFeePerGas: 112n,
    });
    expect(bumpFees({ maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n }, 15)).toEqual({
      maxFeePerGas: 2_300_000_000n,
      maxPriorityFeePerGas: 1_150_000_000n,
    });
  });

  it('moves a zero tip and meets a network that now asks more', () => {
    expect(bumpFees({ maxFeePerGas: 10n, maxPriorityFeePerGas: 0n }, 10)).toEqual({ maxFeePerGas: 11n, maxPriorityFeePerGas: 1n });
    expect(bumpFees({ maxFeePerGas: 100n, maxPriorityFeePerGas: 10n }, 10, { maxFeePerGas: 500n, maxPriorityFeePerGas: 50n })).toEqual({
      maxFeePerGas: 500n,
      maxPriorityFeePerGas: 50n,
    });
  });

  it('refuses a bump nodes would reject as underpriced', () => {
    expect(() => bumpFees({ maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }, 9)).toThrow(RangeError);
  });

  it('always satisfies the replacement rule: both caps up by >= 10%, tip <= cap', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 24n }),
        fc.bigInt({ min: 0n, max: 10n ** 24n }),
        fc.integer({ min: MIN_REPLACEMENT_BUMP_PERCENT, max: 300 }),
        (a, b, percent) => {
          const previous = { maxFeePerGas: a > b ? a : b, maxPriorityFeePerGas: a > b ? b : a };
          const next = bumpFees(previous, percent);
          expect(next.maxFeePerGas * 100n).toBeGreaterThanOrEqual(previous.maxFeePerGas * 110n);
          expect(next.maxPriorityFeePerGas * 100n).toBeGreaterThanOrEqual(previous.maxPriorityFeePerGas * 110n);
          expect(next.maxPriorityFeePerGas).toBeLessThanOrEqual(next.maxFeePerGas);
        },
      ),
    );
  });
});

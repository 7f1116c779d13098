import fc from 'fast-check';
import { RpcBackoff } from './rpc.backoff';

describe('RpcBackoff', () => {
  it('doubles the wait per failure up to the ceiling, and resets on success', () => {
    const backoff = new RpcBackoff(1_000, 5_000);
    expect([backoff.failed(0), backoff.failed(0), backoff.failed(0), backoff.failed(0)]).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect(backoff.ready(4_999)).toBe(false);
    expect(backoff.ready(5_000)).toBe(true);
    backoff.succeeded();
    expect(backoff.ready(0)).toBe(true);
    expect(backoff.failed(0)).toBe(1_000);
  });

  it('never waits longer than the ceiling nor less than the base', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 200 }),
        (base, ceiling, n) => {
          const backoff = new RpcBackoff(base, ceiling);
          for (let i = 0; i < n; i++) {
            const wait = backoff.failed(0);
            expect(wait).toBeLessThanOrEqual(ceiling);
            expect(wait).toBeGreaterThanOrEqual(Math.min(base, ceiling));
          }
        },
      ),
    );
  });
});

/**
 * Exponential backoff for one unreachable chain: each failure doubles the wait (from `baseMs` up to `maxMs`), a
 * success resets it. Sealing never waits on it, so the backlog grows as sealed batches and drains on recovery.
 */
export class RpcBackoff {
  private failures = 0;
  private until = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {}

  ready(now = Date.now()): boolean {
    return now >= this.until;
  }

  /** Records a failure; returns the wait before the next try. */
  failed(now = Date.now()): number {
    const wait = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    this.until = now + wait;
    return wait;
  }

  succeeded(): void {
    this.failures = 0;
    this.until = 0;
  }
}

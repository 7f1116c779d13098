import Redis from 'ioredis';

/** What Redis did between two readings: commands, and the microseconds it spent in them (`INFO commandstats`). */
export interface RedisUse {
  commands: number;
  micros: number;
}

/**
 * Redis's own account of its work, read before and after a measured run. The bench's Redis is the machine's (the
 * API's REDIS_URL); other users of the same server (a test run) would be counted too, so the benches run alone.
 */
export class RedisMeter {
  private readonly redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });

  private async read(): Promise<Map<string, { calls: number; usec: number }>> {
    const stats = new Map<string, { calls: number; usec: number }>();
    for (const line of (await this.redis.info('commandstats')).split('\n')) {
      const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
      if (m) stats.set(m[1], { calls: Number(m[2]), usec: Number(m[3]) });
    }
    return stats;
  }

  /** Starts a reading; the function it answers ends it (the readings' own INFO commands are left out). */
  async start(): Promise<() => Promise<RedisUse>> {
    const before = await this.read();
    return async () => {
      const after = await this.read();
      const use: RedisUse = { commands: 0, micros: 0 };
      for (const [name, s] of after) {
        if (name === 'info') continue;
        const calls = s.calls - (before.get(name)?.calls ?? 0);
        if (calls <= 0) continue;
        use.commands += calls;
        use.micros += s.usec - (before.get(name)?.usec ?? 0);
      }
      return use;
    };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

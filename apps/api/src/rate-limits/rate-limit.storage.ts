import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { createRedis, isCluster, type RedisConnection, type RedisTarget, untagged } from '@pharmatrace/persistence';

const LOG_EVERY_MS = 60_000;
/** The longest a hit counted here waits before Redis, and so every other API process, counts it. */
export const FLUSH_MS = 100;
/** Below this share of a limit a hit is counted here alone; above it every hit asks Redis. */
export const LOCAL_SHARE = 0.9;
/** Keys counted here at once: beyond, a new key (say, one more client address) is counted in Redis alone. */
const MAX_COUNTERS = 100_000;
const SWEEP_MS = 60_000;

/** A client whose commands fail at once while Redis is unreachable, instead of queueing for ~10 s of retries. */
export function failFastRedis(target: RedisTarget): RedisConnection {
  const redis = createRedis(target, { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2_000, disconnectTimeout: 200 });
  // Connection errors surface through the failed commands, not as unhandled 'error' events.
  redis.on('error', () => undefined);
  return redis;
}

/**
 * Adds ARGV[1] hits to a fixed window that starts with its first hit (ARGV[2] ms long). With ARGV[4] = 1 a total over
 * the limit (ARGV[3]) blocks the key for a window, as @nest-lab/throttler-storage-redis (which this replaced) did.
 * Returns the window's total, the ms left in it and the ms left of a block (0 if none).
 */
const HIT_SCRIPT = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
local blocked = redis.call('PTTL', KEYS[2])
if blocked <= 0 then
  blocked = 0
  if ARGV[4] == '1' and hits > tonumber(ARGV[3]) then
    redis.call('SET', KEYS[2], 1, 'PX', ARGV[2])
    blocked = tonumber(ARGV[2])
  end
end
return { hits, ttl, blocked }`;

type HitReply = [total: number, windowMs: number, blockedMs: number];
type HitRedis = RedisConnection & {
  pharmatraceHit(hitKey: string, blockKey: string, hits: number, windowMs: number, limit: number, decide: 0 | 1): Promise<HitReply>;
};

/** What a hit learns: whether the key is over its limit, for how long, and the window's hits so far. */
export interface RateVerdict {
  readonly blocked: boolean;
  readonly retryAfterSeconds: number;
  readonly hits: number;
}

/** One key's window as this process knows it: Redis's total at the last answer, plus the hits not yet sent. */
interface Counter {
  remote: number;
  pending: number;
  windowEnd: number;
  blockedUntil: number;
  windowMs: number;
  limit: number;
}

/**
 * Rate-limit counters (fixed windows) in Redis, shared by every API process, without a round trip per request. The
 * first hit of a key asks Redis for the window's total; after that, hits while the known total is under LOCAL_SHARE of
 * the limit are counted here and sent in one pipeline every FLUSH_MS, and every hit above that share asks Redis (one
 * EVAL), which blocks the key for a window when its total passes the limit. A blocked key is refused here, at once,
 * until its block ends.
 *
 * Why not @nestjs/throttler with @nest-lab/throttler-storage-redis: one EVAL per limit per request (two per scan) and
 * the guard's own lookups cost more main-thread time than the verification itself, which put `verify` at 60-72% of
 * `{ __typename }`'s throughput (`npm run bench verification`, docs/benchmarks.md). What this gives up: several
 * processes together may pass a limit by the hits the others took in their last FLUSH_MS, never more.
 *
 * While Redis is unreachable every process still counts its own hits and holds each limit alone (so a limit is at most
 * multiplied by the number of processes); the outage shows on /health/ready and in one warning a minute.
 */
@Injectable()
export class RateLimitStorage implements OnModuleDestroy {
  private readonly logger = new Logger('RateLimits');
  private readonly redis: HitRedis;
  private readonly prefix: string;
  private readonly counters = new Map<string, Counter>();
  private readonly unsent = new Set<string>();
  private flushTimer?: NodeJS.Timeout;
  private readonly sweepTimer: NodeJS.Timeout;
  private lastWarning = 0;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'redisUrl' | 'queuePrefix'> & Partial<Pick<AppConfig, 'redisCluster'>>) {
    this.redis = failFastRedis(config) as HitRedis;
    this.redis.defineCommand('pharmatraceHit', { numberOfKeys: 2, lua: HIT_SCRIPT });
    // Untagged: each key's two counters share a slot through their own tag (redisKeys), and keys spread over the cluster.
    this.prefix = `${untagged(config.queuePrefix)}:rate:`;
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  /** Counts one hit on `key`; without a wait while the key is far from its limit or already over it. */
  hit(key: string, limit: number, windowMs: number): RateVerdict | Promise<RateVerdict> {
    const now = Date.now();
    let counter = this.counters.get(key);
    if (counter && counter.windowEnd <= now && counter.blockedUntil <= now) {
      // A new window: hits of the old one not yet sent (at most FLUSH_MS of them) no longer count.
      this.counters.delete(key);
      this.unsent.delete(key);
      counter = undefined;
    }
    if (!counter) {
      const fresh: Counter = { remote: 0, pending: 0, windowEnd: now + windowMs, blockedUntil: 0, windowMs, limit };
      if (this.counters.size < MAX_COUNTERS) this.counters.set(key, fresh);
      return this.ask(key, fresh, now);
    }
    counter.limit = limit;
    counter.windowMs = windowMs;
    if (counter.blockedUntil > now) return verdict(counter, now);
    if (counter.remote + counter.pending + 1 <= limit * LOCAL_SHARE) {
      counter.pending++;
      this.unsent.add(key);
      this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
      return verdict(counter, now);
    }
    return this.ask(key, counter, now);
  }

  /** Sends this hit with the key's unsent ones and lets Redis decide. */
  private async ask(key: string, counter: Counter, now: number): Promise<RateVerdict> {
    const hits = counter.pending + 1;
    counter.pending = 0;
    this.unsent.delete(key);
    try {
      if (this.redis.status !== 'ready') throw new RedisNotReady(this.redis.status);
      this.learn(counter, await this.redis.pharmatraceHit(...this.redisKeys(key), hits, counter.windowMs, counter.limit, 1), now);
    } catch (e) {
      this.unreachable(e);
      this.keepUnsent(key, counter, hits);
      if (counter.remote + counter.pending > counter.limit) counter.blockedUntil = now + counter.windowMs;
    }
    return verdict(counter, now);
  }

  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    const batch = [...this.unsent].flatMap((key) => {
      const counter = this.counters.get(key);
      if (!counter || counter.pending === 0) return [];
      const hits = counter.pending;
      counter.pending = 0;
      return [{ key, counter, hits }];
    });
    this.unsent.clear();
    if (!batch.length) return;
    if (this.redis.status !== 'ready') {
      this.unreachable(new RedisNotReady(this.redis.status));
      return batch.forEach(({ key, counter, hits }) => this.keepUnsent(key, counter, hits));
    }
    const replies = await (isCluster(this.redis) ? this.sendEach(batch) : this.sendPipelined(batch));
    const now = Date.now();
    batch.forEach(({ key, counter, hits }, i) => {
      const [error, reply] = replies?.[i] ?? [new Error('no reply'), null];
      if (error) {
        this.unreachable(error);
        this.keepUnsent(key, counter, hits);
      } else this.learn(counter, reply as HitReply, now);
    });
  }

  /** One round trip for the whole batch, on one Redis. */
  private async sendPipelined(batch: { key: string; counter: Counter; hits: number }[]): Promise<[Error | null, unknown][] | null> {
    const pipeline = this.redis.pipeline() as unknown as {
      pharmatraceHit(...args: unknown[]): void;
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    for (const { key, counter, hits } of batch) pipeline.pharmatraceHit(...this.redisKeys(key), hits, counter.windowMs, counter.limit, 0);
    return pipeline.exec().catch((e: Error) => batch.map(() => [e, null] as [Error, null]));
  }

  /** A cluster pipelines only keys of one slot: each key is sent on its own, side by side. */
  private sendEach(batch: { key: string; counter: Counter; hits: number }[]): Promise<[Error | null, unknown][]> {
    return Promise.all(
      batch.map(({ key, counter, hits }) =>
        this.redis.pharmatraceHit(...this.redisKeys(key), hits, counter.windowMs, counter.limit, 0).then(
          (reply): [null, unknown] => [null, reply],
          (e: Error): [Error, null] => [e, null],
        ),
      ),
    );
  }

  private learn(counter: Counter, [total, windowMs, blockedMs]: HitReply, now: number): void {
    counter.remote = total;
    counter.windowEnd = now + windowMs;
    if (blockedMs > 0) counter.blockedUntil = now + blockedMs;
  }

  /** Hits Redis did not take stay counted here and are sent again with the next flush. */
  private keepUnsent(key: string, counter: Counter, hits: number): void {
    counter.pending += hits;
    if (this.counters.get(key) !== counter) return;
    this.unsent.add(key);
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
  }

  /** One hash slot per key, so that the script's two keys may live on one Redis Cluster node. */
  private redisKeys(key: string): [string, string] {
    return [`{${this.prefix}${key}}:hits`, `{${this.prefix}${key}}:blocked`];
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, c] of this.counters) if (c.windowEnd <= now && c.blockedUntil <= now) this.counters.delete(key);
  }

  private unreachable(e: unknown): void {
    // Not an outage: the first connection is still being made (at boot, before the first request could wait for it).
    if (this.redis.status === 'connecting' || this.redis.status === 'connect' || this.redis.status === 'wait') return;
    const now = Date.now();
    if (now - this.lastWarning < LOG_EVERY_MS) return;
    this.lastWarning = now;
    this.logger.warn(`rate limits counted per process while Redis is unreachable: ${e instanceof Error ? e.message : String(e)}`);
  }

  onModuleDestroy(): void {
    clearTimeout(this.flushTimer);
    clearInterval(this.sweepTimer);
    this.redis.disconnect();
  }
}

class RedisNotReady extends Error {
  constructor(status: string) {
    super(`Redis connection is ${status}`);
  }
}

function verdict(c: Counter, now: number): RateVerdict {
  const blockedMs = Math.max(0, c.blockedUntil - now);
  return { blocked: blockedMs > 0, retryAfterSeconds: Math.max(1, Math.ceil(blockedMs / 1000)), hits: c.remote + c.pending };
}

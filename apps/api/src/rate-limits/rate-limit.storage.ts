import { Logger, OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const LOG_EVERY_MS = 60_000;

/** A client whose commands fail at once while Redis is unreachable, instead of queueing for ~10 s of retries. */
export function failFastRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2_000 });
  // Connection errors surface through the failed commands, not as unhandled 'error' events.
  redis.on('error', () => undefined);
  return redis;
}

/**
 * The Redis counters of @nest-lab/throttler-storage-redis, failing open and fast: while Redis is unreachable a command
 * fails at once (no offline queue, no retries) and the request is let through uncounted, because refusing every
 * pharmacist's scan and every health probe for want of a counter would turn a cache outage into a platform outage.
 * The outage itself shows on /health/ready and in one warning a minute.
 */
export class FailOpenThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger('RateLimits');
  private readonly inner: ThrottlerStorageRedisService;
  private lastWarning = 0;

  constructor(redisUrl: string) {
    this.inner = new ThrottlerStorageRedisService(failFastRedis(redisUrl));
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      return await this.inner.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (e) {
      const now = Date.now();
      if (now - this.lastWarning >= LOG_EVERY_MS) {
        this.lastWarning = now;
        this.logger.warn(`rate limits not counted while Redis is unreachable: ${(e as Error).message}`);
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  /** Nest calls it on the storage provider at shutdown. */
  onModuleDestroy(): void {
    this.inner.redis.disconnect();
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import IORedis from 'ioredis';
import { HealthCheck } from './health.check';

/**
 * A PING on a connection of its own, opened and closed per check: the API holds no Redis connection otherwise
 * (only the worker's queue does), and one that retried forever in the background would hide an outage.
 */
@Injectable()
export class RedisCheck implements HealthCheck {
  readonly name = 'redis';

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async run() {
    const redis = new IORedis(this.config.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 2_000,
    });
    // connect() rejects with a bare "Connection is closed."; the socket's own error says why.
    let cause: Error | undefined;
    redis.on('error', (e: Error) => (cause = e));
    try {
      await redis.connect();
      await redis.ping();
      return {};
    } catch (e) {
      throw cause ?? e;
    } finally {
      redis.disconnect();
    }
  }
}

import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import Redis from 'ioredis';

export const AUTH_FAILURE_REDIS = Symbol('AUTH_FAILURE_REDIS');

/**
 * Wrong keys (unknown, expired, revoked, or a wrong admin token) per client address, counted in Redis so that every
 * API process sees them: past the limit the address is refused until its window ends, and each refusal is logged
 * with the address, never the key.
 */
@Injectable()
export class AuthFailureLimiter implements OnModuleDestroy {
  private readonly logger = new Logger('AuthFailures');
  private readonly limit: number;
  private readonly windowSeconds: number;
  private readonly prefix: string;

  constructor(
    @Inject(AUTH_FAILURE_REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limit = config.rateLimits.authFailuresPerIp;
    this.windowSeconds = config.rateLimits.authFailureWindowSeconds;
    this.prefix = `${config.queuePrefix}:auth-failures:`;
  }

  /** Counts one failure; the seconds until the address may try again once it is over the limit, else 0. */
  async fail(address: string): Promise<number> {
    const key = this.prefix + address;
    // Without Redis the wrong key is still refused (401), only not counted: see FailOpenThrottlerStorage.
    const results = await this.redis
      .multi()
      .incr(key)
      .expire(key, this.windowSeconds, 'NX')
      .ttl(key)
      .exec()
      .catch(() => null);
    if (!results) return 0;
    const count = Number(results?.[0][1]);
    const ttl = Number(results?.[2][1]);
    if (count <= this.limit) return 0;
    this.logger.warn(`${count} wrong API keys from ${address} within ${this.windowSeconds} s; refused for ${ttl} s`);
    return Math.max(1, ttl);
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}

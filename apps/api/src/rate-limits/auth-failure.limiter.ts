import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { RateLimitStorage } from './rate-limit.storage';

/**
 * Wrong keys (unknown, expired, revoked, or a wrong admin token) per client address, counted like every limit
 * (RateLimitStorage: in Redis, shared by every API process): past the limit the address is refused until its window
 * ends, and each refusal is logged with the address, never the key.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly logger = new Logger('AuthFailures');
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(
    private readonly storage: RateLimitStorage,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limit = config.rateLimits.authFailuresPerIp;
    this.windowMs = config.rateLimits.authFailureWindowSeconds * 1000;
  }

  /** Counts one failure; the seconds until the address may try again once it is over the limit, else 0. */
  async fail(address: string): Promise<number> {
    const { blocked, retryAfterSeconds, hits } = await this.storage.hit(`auth-failures:${address}`, this.limit, this.windowMs);
    if (!blocked) return 0;
    this.logger.warn(`${hits} wrong API keys from ${address} within ${this.windowMs / 1000} s; refused for ${retryAfterSeconds} s`);
    return retryAfterSeconds;
  }
}

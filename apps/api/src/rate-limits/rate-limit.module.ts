import { Module } from '@nestjs/common';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { KeyGate } from './key-gate.middleware';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitStorage } from './rate-limit.storage';

/** Counters in Redis shared by every API process: the guard's limits per key and address, and wrong keys per address. */
@Module({
  providers: [RateLimitStorage, RateLimitGuard, AuthFailureLimiter, KeyGate],
  exports: [RateLimitStorage, RateLimitGuard, KeyGate],
})
export class RateLimitModule {}

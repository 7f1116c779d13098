import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '@pharmatrace/config';
import type { ExecutionContext } from '@nestjs/common';
import { Principal } from '../common/principal';
import { requestOf } from '../common/request-of';
import { AUTH_FAILURE_REDIS, AuthFailureLimiter } from './auth-failure.limiter';
import { KeyGate } from './key-gate.middleware';
import { FailOpenThrottlerStorage, failFastRedis } from './rate-limit.storage';
import { VERIFICATION_RATE } from './verification-rate.decorator';

const MINUTE_MS = 60_000;

const principalOf = (ctx: ExecutionContext): Principal | undefined => requestOf(ctx).principal;
const isVerification = (ctx: ExecutionContext): boolean => Reflect.getMetadata(VERIFICATION_RATE, ctx.getHandler()) === true;
const keyTracker = (req: Record<string, any>): string => (req.principal.kind === 'admin' ? 'admin' : req.principal.apiKeyId);

/**
 * Limits per API key (verification apart) and per client address, a minute each, in Redis (one EVAL per limit) so
 * that every API process counts the same requests. Public routes count only against the address.
 */
@Module({})
export class RateLimitModule {
  static forRoot(config: AppConfig): DynamicModule {
    const prefix = `${config.queuePrefix}:rate`;
    const { perKeyPerMinute, verifyPerKeyPerMinute, perIpPerMinute } = config.rateLimits;
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          storage: new FailOpenThrottlerStorage(config.redisUrl),
          setHeaders: false,
          throttlers: [
            {
              name: 'key',
              ttl: MINUTE_MS,
              limit: perKeyPerMinute,
              skipIf: (ctx) => !principalOf(ctx) || isVerification(ctx),
              getTracker: keyTracker,
              generateKey: (_ctx, tracker) => `${prefix}:key:${tracker}`,
            },
            {
              name: 'verify',
              ttl: MINUTE_MS,
              limit: verifyPerKeyPerMinute,
              skipIf: (ctx) => !principalOf(ctx) || !isVerification(ctx),
              getTracker: keyTracker,
              generateKey: (_ctx, tracker) => `${prefix}:verify:${tracker}`,
            },
            {
              name: 'ip',
              ttl: MINUTE_MS,
              limit: perIpPerMinute,
              getTracker: (req) => req.ip ?? 'unknown',
              generateKey: (_ctx, tracker) => `${prefix}:ip:${tracker}`,
            },
          ],
        }),
      ],
      providers: [
        { provide: AUTH_FAILURE_REDIS, useFactory: () => failFastRedis(config.redisUrl) },
        AuthFailureLimiter,
        KeyGate,
      ],
      exports: [KeyGate],
    };
  }
}

import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { Principal } from '../common/principal';
import { ApiRequest, requestOf } from '../common/request-of';
import { RateLimitError } from './rate-limit.error';
import { RateLimitStorage, RateVerdict } from './rate-limit.storage';
import { RATE_CLASS, RateClass } from './verification-rate.decorator';

const MINUTE_MS = 60_000;

/**
 * Limits a minute per API key (verification apart, @VerificationRate) and per client address, on GraphQL resolvers as
 * on REST handlers; @NoRateLimit handlers count against none. It runs after the AuthGuard, so a request is counted
 * against the key that authenticated it; public routes count only against the address. Over a limit: RATE_LIMITED with
 * `Retry-After`. Written for the hot path: no wait while the counters answer from memory (RateLimitStorage), and the
 * handler's class read once.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly classes = new Map<object, RateClass | undefined>();
  private readonly limits: AppConfig['rateLimits'];

  constructor(
    private readonly reflector: Reflector,
    private readonly storage: RateLimitStorage,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limits = config.rateLimits;
  }

  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    const rate = this.rateClassOf(ctx);
    if (rate === 'none') return true;
    const req = requestOf(ctx);
    const principal: Principal | undefined = req.principal;
    const address = () => this.check(req, this.storage.hit(`ip:${req.ip ?? 'unknown'}`, this.limits.perIpPerMinute, MINUTE_MS), 'address');
    if (!principal) return address();
    const tracker = principal.kind === 'admin' ? 'admin' : principal.apiKeyId;
    const key =
      rate === 'verification'
        ? this.storage.hit(`verify:${tracker}`, this.limits.verifyPerKeyPerMinute, MINUTE_MS)
        : this.storage.hit(`key:${tracker}`, this.limits.perKeyPerMinute, MINUTE_MS);
    // The address is counted only for a request its key lets through, as each limit refuses on its own.
    const keyChecked = this.check(req, key, 'key');
    return keyChecked instanceof Promise ? keyChecked.then(address) : address();
  }

  private check(req: ApiRequest, verdict: RateVerdict | Promise<RateVerdict>, what: string): boolean | Promise<boolean> {
    if (verdict instanceof Promise) return verdict.then((v) => this.check(req, v, what) as boolean);
    if (!verdict.blocked) return true;
    req.res?.setHeader('Retry-After', String(verdict.retryAfterSeconds));
    throw new RateLimitError(
      verdict.retryAfterSeconds,
      `more requests a minute than this ${what} may make; retry in ${verdict.retryAfterSeconds} s`,
    );
  }

  private rateClassOf(ctx: ExecutionContext): RateClass | undefined {
    const handler = ctx.getHandler();
    if (!this.classes.has(handler))
      this.classes.set(handler, this.reflector.getAllAndOverride<RateClass>(RATE_CLASS, [handler, ctx.getClass()]));
    return this.classes.get(handler);
  }
}

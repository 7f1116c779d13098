import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { requestOf } from '../common/request-of';
import { RateLimitError } from './rate-limit.error';

/**
 * @nestjs/throttler's guard on GraphQL resolvers as on REST handlers. It runs after the AuthGuard, so a request is
 * counted against the key that authenticated it; every answer over a limit is RATE_LIMITED with `Retry-After`.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override getRequestResponse(context: ExecutionContext): { req: Record<string, any>; res: Record<string, any> } {
    const req = requestOf(context);
    return { req, res: req.res };
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, detail.timeToBlockExpire);
    requestOf(context).res?.setHeader('Retry-After', String(seconds));
    throw new RateLimitError(seconds, `more than ${detail.limit} requests a minute; retry in ${seconds} s`);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import type { NextFunction, Request, Response } from 'express';
import { bearerToken, hashApiKey, sameHash } from '../common/api-key';
import { AuthErrorCode } from '../common/auth.error';
import { KeyRecord, OrganizationDirectory } from '../common/organization.directory';
import { requestIdOf } from '../logging/request-id';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { RateLimitErrorCode } from './rate-limit.error';

/** What a request without a key in force may send: GraphiQL's `{ __typename }` and a login-less form fit easily. */
export const ANONYMOUS_BODY_LIMIT = 16 * 1024;

/**
 * Runs before the body parsers, so a body is read only for a key in force: without one, a body over
 * ANONYMOUS_BODY_LIMIT (or of undeclared length) is refused unread and the connection closed. Wrong keys are counted
 * per client address (AuthFailureLimiter). The AuthGuard still decides every request; this only refuses early.
 * A cached key in force passes without waiting a turn, as in the guard.
 */
@Injectable()
export class KeyGate {
  private readonly adminTokenHash: Buffer | null;

  constructor(
    private readonly directory: OrganizationDirectory,
    private readonly failures: AuthFailureLimiter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.adminTokenHash = config.adminToken ? hashApiKey(config.adminToken) : null;
  }

  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    // The request logger runs later; a refusal here must still carry the id a caller quotes to the operator.
    (req as Request & { id?: string }).id ??= requestIdOf(req, res);
    const token = bearerToken(req.headers.authorization);
    if (!token) {
      if (this.smallBody(req)) return next();
      return this.refuse(
        req,
        res,
        401,
        AuthErrorCode.UNAUTHENTICATED,
        `send "Authorization: Bearer <api key>": without one, a body may have at most ${ANONYMOUS_BODY_LIMIT} bytes`,
      );
    }
    const hash = this.directory.keyHash(token);
    if (this.adminTokenHash && sameHash(hash, this.adminTokenHash)) return next();
    const cached = this.directory.cachedByApiKeyHash(hash);
    if (cached && inForce(cached)) return next();
    this.directory
      .byApiKeyHash(hash)
      .then(async (key) => {
        if (key && inForce(key)) return next();
        const retryAfter = await this.failures.fail(req.ip ?? 'unknown');
        if (retryAfter) {
          res.setHeader('Retry-After', String(retryAfter));
          return this.refuse(
            req,
            res,
            429,
            RateLimitErrorCode.RATE_LIMITED,
            `too many wrong API keys from this address; retry in ${retryAfter} s`,
          );
        }
        if (this.smallBody(req)) return next();
        const code = !key ? AuthErrorCode.UNAUTHENTICATED : key.revoked ? AuthErrorCode.API_KEY_REVOKED : AuthErrorCode.API_KEY_EXPIRED;
        return this.refuse(req, res, 401, code, 'this API key is not in force');
      })
      .catch(next);
  };

  private smallBody(req: Request): boolean {
    if (req.headers['transfer-encoding']) return false;
    return Number(req.headers['content-length'] ?? 0) <= ANONYMOUS_BODY_LIMIT;
  }

  /** Answers in the shape of the route (GraphQL or problem JSON) and closes the connection rather than drain the body. */
  private refuse(req: Request, res: Response, status: number, code: string, message: string): void {
    res.setHeader('Connection', 'close');
    const body = req.path.startsWith('/graphql')
      ? { errors: [{ message, extensions: { code } }] }
      : { type: `urn:pharmatrace:error:${code}`, title: code, status, detail: message };
    res.status(status).json(body);
  }
}

const inForce = (key: KeyRecord) => !key.revoked && (!key.expiresAt || key.expiresAt.getTime() > Date.now());

import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { bearerToken, hashApiKey, sameHash } from './api-key';
import { Access, ACCESS_KEY } from './auth.decorators';
import { ApiKeyUsageRecorder } from './api-key-usage.recorder';
import { AuthError, AuthErrorCode } from './auth.error';
import { KeyRecord, OrganizationDirectory } from './organization.directory';
import { Principal } from './principal';
import { requestOf } from './request-of';

/** Every handler is closed unless a decorator opens it: no decorator means any authenticated organization. */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Hashed once: every request hashes its token once, then compares hashes with the admin's and looks up the org's. */
  private readonly adminTokenHash: Buffer | null;

  constructor(
    private readonly reflector: Reflector,
    private readonly organizations: OrganizationDirectory,
    private readonly usage: ApiKeyUsageRecorder,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.adminTokenHash = config.adminToken ? hashApiKey(config.adminToken) : null;
  }

  /** Per class, then handler: what a handler's decorators allow never changes, and the guard runs on every call. */
  private readonly accessOf = new WeakMap<object, WeakMap<object, Access>>();

  /** Answers without waiting a turn when the key's organization is cached, as it is on all but a minute's first call. */
  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    const access = this.access(ctx);
    if (access.kind === 'public') return true;
    const req = requestOf(ctx);
    const principal = this.authenticate(req.headers?.authorization);
    return principal instanceof Promise ? principal.then((p) => this.admit(access, req, p)) : this.admit(access, req, principal);
  }

  private admit(access: Access, req: { principal?: Principal }, principal: Principal): boolean {
    req.principal = principal;
    if (access.kind === 'admin') {
      if (principal.kind !== 'admin') throw new AuthError(AuthErrorCode.FORBIDDEN, 'this operation needs the admin token');
      return true;
    }
    if (access.kind === 'organization-or-admin') return true;
    if (principal.kind !== 'organization') {
      throw new AuthError(AuthErrorCode.FORBIDDEN, "this operation needs an organization's API key, not the admin token");
    }
    if (access.kind === 'roles' && !access.roles.includes(principal.organization.role)) {
      throw new AuthError(
        AuthErrorCode.FORBIDDEN,
        `this operation is for ${access.roles.join(' or ')} organizations; ${principal.organization.name} is a ${principal.organization.role}`,
      );
    }
    return true;
  }

  private access(ctx: ExecutionContext): Access {
    const handler = ctx.getHandler();
    const type = ctx.getClass();
    let byHandler = this.accessOf.get(type);
    if (!byHandler) this.accessOf.set(type, (byHandler = new WeakMap()));
    let access = byHandler.get(handler);
    if (!access) {
      access = this.reflector.getAllAndOverride<Access>(ACCESS_KEY, [handler, type]) ?? { kind: 'any-organization' };
      byHandler.set(handler, access);
    }
    return access;
  }

  /** The caller an Authorization header names, judged as every request is (also for WebSocket upgrades, which no guard sees). */
  authenticate(header: string | undefined): Principal | Promise<Principal> {
    const token = bearerToken(header);
    if (!token) throw new AuthError(AuthErrorCode.UNAUTHENTICATED, 'send "Authorization: Bearer <api key>"');
    const tokenHash = this.organizations.keyHash(token);
    if (this.adminTokenHash && sameHash(tokenHash, this.adminTokenHash)) return { kind: 'admin' };
    const cached = this.organizations.cachedByApiKeyHash(tokenHash);
    if (cached) return this.inForce(cached);
    return this.organizations.byApiKeyHash(tokenHash).then((key) => {
      if (!key) throw new AuthError(AuthErrorCode.UNAUTHENTICATED, 'unknown API key');
      return this.inForce(key);
    });
  }

  private inForce(key: KeyRecord): Principal {
    if (key.revoked) throw new AuthError(AuthErrorCode.API_KEY_REVOKED, 'this API key was revoked');
    if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) {
      throw new AuthError(AuthErrorCode.API_KEY_EXPIRED, `this API key expired at ${key.expiresAt.toISOString()}`);
    }
    this.usage.seen(key.keyId);
    return { kind: 'organization', organization: key.organization, apiKeyId: key.keyId };
  }
}

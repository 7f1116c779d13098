import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { OrganizationRole } from '@pharmatrace/persistence';
import { requestOf } from './request-of';
import type { Principal } from './principal';

export const ACCESS_KEY = 'pharmatrace:access';

export type Access =
  | { kind: 'public' }
  | { kind: 'admin' }
  | { kind: 'roles'; roles: OrganizationRole[] }
  | { kind: 'any-organization' }
  | { kind: 'organization-or-admin' };

/** No credentials needed (pages, health). */
export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies Access);
/** The operator's ADMIN_TOKEN only. */
export const AdminOnly = () => SetMetadata(ACCESS_KEY, { kind: 'admin' } satisfies Access);
/** Any organization's API key, or the operator's ADMIN_TOKEN (the handler decides which organization it acts on). */
export const OrganizationOrAdmin = () => SetMetadata(ACCESS_KEY, { kind: 'organization-or-admin' } satisfies Access);
/** An organization's API key whose organization has one of these roles. */
export const Roles = (...roles: OrganizationRole[]) => SetMetadata(ACCESS_KEY, { kind: 'roles', roles } satisfies Access);

/** The caller; only on handlers that are not public, where the guard has set it. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => requestOf(ctx).principal!);

/** The calling organization; only on handlers the guard restricts to organizations. */
export const CurrentOrganization = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const principal = requestOf(ctx).principal;
  return principal?.kind === 'organization' ? principal.organization : undefined;
});

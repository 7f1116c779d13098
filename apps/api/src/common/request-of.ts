import { ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from './principal';

/** An API request once the guards ran: the auth guard sets the principal of every route that is not public. */
export type ApiRequest = Request & { principal?: Principal };

/**
 * The HTTP request behind a GraphQL resolver or a REST handler. A resolver's arguments are (root, args, context,
 * info), and the context is the one api.module builds: `{ req }`. Read in place rather than through
 * GqlExecutionContext.create, which copies the context on every call of the guard and of each parameter decorator.
 */
export function requestOf(ctx: ExecutionContext): ApiRequest {
  if (ctx.getType<string>() === 'graphql') return ctx.getArgByIndex<{ req: ApiRequest }>(2).req;
  return ctx.switchToHttp().getRequest<ApiRequest>();
}

import { ExecutionContext } from '@nestjs/common';

/**
 * The HTTP request behind a GraphQL resolver or a REST handler. A resolver's arguments are (root, args, context,
 * info), and the context is the one api.module builds: `{ req }`. Read in place rather than through
 * GqlExecutionContext.create, which copies the context on every call of the guard and of each parameter decorator.
 */
export function requestOf(ctx: ExecutionContext): any {
  if (ctx.getType<string>() === 'graphql') return ctx.getArgByIndex<{ req: unknown }>(2).req;
  return ctx.switchToHttp().getRequest();
}

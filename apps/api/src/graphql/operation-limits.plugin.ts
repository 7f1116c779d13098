import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { RequestLimitErrorCode } from '../common/request-limit.error';

/** GraphQL Armor's refusal of an operation while it is parsed, as the client is answered. */
class OperationTooLarge extends GraphQLError {
  constructor(message: string) {
    super(message, {
      extensions: { code: RequestLimitErrorCode.OPERATION_TOO_LARGE, details: { rule: 'max-tokens' }, http: { status: 400 } },
    });
  }
}

/**
 * GraphQL Armor checks its token limit in a `parsingDidStart` hook. Apollo treats an error thrown from a hook as
 * unexpected (500 "Internal server error") unless an `unexpectedErrorProcessingRequest` hook throws in turn, which
 * Armor's does, with no status (so still a 500). This answers the refusal as OPERATION_TOO_LARGE with HTTP 400, as
 * Armor's other limits (depth, cost, aliases: validation rules) already are 400s.
 */
export function refusalsAsBadRequest(plugin: ApolloServerPlugin<BaseContext>): ApolloServerPlugin<BaseContext> {
  return {
    ...plugin,
    async unexpectedErrorProcessingRequest({ error }) {
      if (error instanceof OperationTooLarge) throw error;
    },
    async requestDidStart(requestContext): Promise<GraphQLRequestListener<BaseContext> | void> {
      const listener = await plugin.requestDidStart?.(requestContext);
      const parsingDidStart = listener?.parsingDidStart;
      if (!listener || !parsingDidStart) return listener;
      return {
        ...listener,
        async parsingDidStart(context) {
          try {
            return await parsingDidStart.call(listener, context);
          } catch (e) {
            throw new OperationTooLarge(e instanceof Error ? e.message : String(e));
          }
        },
      };
    },
  };
}

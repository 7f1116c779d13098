import { ApolloServer, HeaderMap } from '@apollo/server';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSchema, execute } from 'graphql';
import { shareOneHiddenClass } from '../../../../test/support/hidden-class';
import { CompiledExecutionGateway } from './compiled-execution.gateway';
import { apolloGatewayContextModule, gatewayRequestContext, useGatewayRequestContext } from './gateway-request-context';

// Apollo's own builder, taken before anything in this file replaces it (each spec file has its own module registry).
const apollos = apolloGatewayContextModule().makeGatewayGraphQLRequestContext;

type Built = ReturnType<typeof gatewayRequestContext>;
type Arguments = Parameters<typeof gatewayRequestContext>;

function requestContext(i: number, search = '?a=1'): Arguments {
  const headers = new HeaderMap([['accept', 'application/json']]);
  // Placeholders where the builder only passes a value on: the comparison is of what reaches the gateway.
  return [
    {
      request: {
        query: `{ n${i} }`,
        operationName: 'Op',
        variables: { i },
        extensions: { e: 1 },
        http: { method: 'POST', search, headers, body: {} },
      },
      response: { http: { status: undefined, headers: new HeaderMap() } },
      schema: { schema: true },
      contextValue: { req: i },
      queryHash: `hash${i}`,
      document: { kind: 'Document' },
      source: `{ n${i} }`,
      operationName: 'Op',
      operation: { kind: 'OperationDefinition' },
      errors: undefined,
      metrics: { m: 1 },
      overallCachePolicy: { p: 1 },
      requestIsBatched: false,
    } as unknown as Arguments[0],
    { logger: { l: 1 }, cache: { c: 1 } } as unknown as Arguments[1],
    { includeStacktraceInErrorResponses: false },
  ];
}

/** What an executor can read of a context, accessors and headers included, as plain data. */
function readable(built: Built | GatewayGraphQLRequestContext) {
  const { request, response, ...rest } = built as GatewayGraphQLRequestContext;
  return {
    ...rest,
    request: { ...request, http: request.http && { ...request.http, headers: [...request.http.headers] } },
    response: { status: response?.http?.status, headers: [...(response?.http?.headers ?? [])] },
  };
}

describe('gateway request context', () => {
  it('gives an executor what Apollo would, headers and the response status read and written through', () => {
    for (const search of ['', '?a=1', 'a=1']) {
      const [ours, theirs] = [requestContext(1, search), requestContext(1, search)];
      const built = gatewayRequestContext(...ours);
      expect(readable(built)).toEqual(readable(apollos(...theirs) as GatewayGraphQLRequestContext));

      built.response!.http!.status = 418;
      built.response!.http!.headers.append('x-a', '1');
      built.response!.http!.headers.append('x-a', '2');
      built.request.http!.headers.set('x-b', '3');
      expect(ours[0].response.http.status).toBe(418);
      expect(ours[0].response.http.headers.get('x-a')).toBe('1, 2');
      expect(built.request.http!.headers.get('x-b')).toBe('3');
      expect(built.request.http!.headers.has('x-c')).toBe(false);
    }
  });

  it("leaves out of the context what Apollo's leaves out", () => {
    const [request, server, internals] = requestContext(1);
    const bare = { ...request, request: {} } as Arguments[0];
    expect(readable(gatewayRequestContext(bare, server, internals))).toEqual(
      readable(apollos(bare, server, internals) as GatewayGraphQLRequestContext),
    );
  });

  it("reads the status through its class, where each of Apollo's contexts has an accessor of its own", () => {
    const status = (http: object) => Object.getOwnPropertyDescriptor(http, 'status');
    expect(status(gatewayRequestContext(...requestContext(1)).response!.http!)).toBeUndefined();
    expect(status((apollos(...requestContext(1)) as GatewayGraphQLRequestContext).response!.http!)).toHaveProperty('get');
    expect(shareOneHiddenClass((i) => gatewayRequestContext(...requestContext(i)).response!.http!)).toBe(true);
  });

  it("is what Apollo's request pipeline hands the gateway once the gateway is made", async () => {
    const schema = buildSchema('type Query { n: Int }');
    const seen: unknown[] = [];
    const gateway = new CompiledExecutionGateway({
      compile: () => ({ errors: [] }),
    });
    gateway.useSchema(schema);
    const load = gateway.load.bind(gateway);
    gateway.load = async () => {
      await load();
      return {
        executor: async (rc: GatewayGraphQLRequestContext) => {
          seen.push(rc.response?.http);
          return execute({ schema, document: rc.document!, rootValue: { n: 7 } });
        },
      };
    };
    const server = new ApolloServer({ gateway });
    await server.start();
    try {
      const response = await server.executeOperation({ query: '{ n }' });
      expect(response.body).toEqual({ kind: 'single', singleResult: { data: { n: 7 } } });
      expect(seen).toHaveLength(1);
      expect(Object.getOwnPropertyDescriptor(seen[0], 'status')).toBeUndefined();
    } finally {
      await server.stop();
    }
  });

  it('refuses to start on an Apollo that no longer builds gateway contexts where it did', () => {
    expect(() => useGatewayRequestContext({} as never)).toThrow(/no longer builds gateway contexts/);
    const module = { makeGatewayGraphQLRequestContext: apollos };
    useGatewayRequestContext(module);
    expect(module.makeGatewayGraphQLRequestContext).toBe(gatewayRequestContext);
  });
});

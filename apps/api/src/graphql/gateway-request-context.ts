import { dirname, join } from 'node:path';
import type { ApolloServer, BaseContext, GraphQLRequestContextExecutionDidStart, HeaderMap } from '@apollo/server';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';

/** The parts of Apollo's internals the gateway context reads (Apollo does not export their type). */
interface ApolloInternals {
  includeStacktraceInErrorResponses: boolean;
}

type ApolloRequestContext = GraphQLRequestContextExecutionDidStart<BaseContext>;

/**
 * Apollo Server's own builder of the context it hands a gateway's executor, as its request pipeline calls it: through
 * the exports of this one module of its CommonJS build, looked up at every call.
 */
interface GatewayContextModule {
  makeGatewayGraphQLRequestContext: (
    requestContext: ApolloRequestContext,
    server: Pick<ApolloServer<BaseContext>, 'logger' | 'cache'>,
    internals: ApolloInternals,
  ) => unknown;
}

/** The Fetch API's Headers over Apollo's header map, as Apollo's own adapter is (it does not export it). */
class HeadersOfMap {
  constructor(private readonly map: HeaderMap) {}
  append(name: string, value: string): void {
    const current = this.map.get(name);
    this.map.set(name, current === undefined ? value : `${current}, ${value}`);
  }
  delete(name: string): void {
    this.map.delete(name);
  }
  get(name: string): string | null {
    return this.map.get(name) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  set(name: string, value: string): void {
    this.map.set(name, value);
  }
  entries() {
    return this.map.entries();
  }
  keys() {
    return this.map.keys();
  }
  values() {
    return this.map.values();
  }
  [Symbol.iterator]() {
    return this.map.entries();
  }
}

/** The response's status, read and written through to Apollo's response: an accessor of the class, not of each object. */
class ResponseHttp {
  readonly headers: HeadersOfMap;
  constructor(private readonly response: ApolloRequestContext['response']) {
    this.headers = new HeadersOfMap(response.http.headers);
  }
  get status(): number | undefined {
    return this.response.http.status;
  }
  set status(status: number | undefined) {
    this.response.http.status = status;
  }
}

/**
 * The same context as Apollo's `makeGatewayGraphQLRequestContext` (@apollo/server 5), field for field, but for the
 * response's `status`: Apollo defines its getter and setter in an object literal, so every operation's context had an
 * accessor pair of its own, closing over the whole request. V8 allocates accessor pairs in the old generation, and
 * until a major collection frees it, a dead one there keeps what it points to alive through young collections: the
 * request's objects were all promoted. Measured: 3M such literals promoted 554 MB (a class accessor: 0.07 MB); a bare
 * Apollo server with a gateway promoted 10.1 KB a request at 1,000 requests/s, 0.5 KB with the pair removed from
 * Apollo's file; the API 11.4 KB a request for `{ __typename }` (0.6 KB with this), scavenges taking 4.5-5 ms instead
 * of 1-2 (docs/benchmarks.md).
 */
export function gatewayRequestContext(
  requestContext: ApolloRequestContext,
  server: Pick<ApolloServer<BaseContext>, 'logger' | 'cache'>,
  internals: ApolloInternals,
): GatewayGraphQLRequestContext {
  const { request: given } = requestContext;
  const request: Record<string, unknown> = {};
  if ('query' in given) request.query = given.query;
  if ('operationName' in given) request.operationName = given.operationName;
  if ('variables' in given) request.variables = given.variables;
  if ('extensions' in given) request.extensions = given.extensions;
  if (given.http) {
    const { method, search, headers } = given.http;
    const question = search !== '' && !search.startsWith('?') ? '?' : '';
    request.http = { method, url: `https://unknown-url.invalid/${question}${search}`, headers: new HeadersOfMap(headers) };
  }
  return {
    request,
    response: { http: new ResponseHttp(requestContext.response) },
    logger: server.logger,
    schema: requestContext.schema,
    schemaHash: 'schemaHash no longer exists since Apollo Server 4',
    context: requestContext.contextValue,
    cache: server.cache,
    queryHash: requestContext.queryHash,
    document: requestContext.document,
    source: requestContext.source,
    operationName: requestContext.operationName,
    operation: requestContext.operation,
    errors: requestContext.errors,
    metrics: requestContext.metrics,
    debug: internals.includeStacktraceInErrorResponses,
    overallCachePolicy: requestContext.overallCachePolicy,
    requestIsBatched: requestContext.requestIsBatched,
  } as unknown as GatewayGraphQLRequestContext;
}

/** Apollo's module, found beside its CommonJS entry point (the package exports no path to it). */
export function apolloGatewayContextModule(): GatewayContextModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, whose export is replaced
  return require(join(dirname(require.resolve('@apollo/server')), 'utils', 'makeGatewayGraphQLRequestContext.js'));
}

/**
 * Has Apollo's request pipeline build gateway contexts with gatewayRequestContext. Apollo offers no option for it;
 * its pipeline reads the builder from the module's exports at each call, so replacing the export is enough. Throws at
 * boot, rather than leaving the garbage back unnoticed, if an upgrade of @apollo/server moved the builder.
 */
export function useGatewayRequestContext(module: GatewayContextModule = apolloGatewayContextModule()): void {
  if (module.makeGatewayGraphQLRequestContext === gatewayRequestContext) return;
  if (typeof module.makeGatewayGraphQLRequestContext !== 'function' || module.makeGatewayGraphQLRequestContext.length !== 3)
    throw new Error('@apollo/server no longer builds gateway contexts in makeGatewayGraphQLRequestContext: see gateway-request-context.ts');
  module.makeGatewayGraphQLRequestContext = gatewayRequestContext as GatewayContextModule['makeGatewayGraphQLRequestContext'];
}

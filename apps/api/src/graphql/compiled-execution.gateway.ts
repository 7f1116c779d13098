import type {
  GatewayExecutionResult,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import {
  DocumentNode,
  execute,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  GraphQLInputType,
  GraphQLSchema,
  isInputObjectType,
  printSchema,
  TypeInfo,
  VariableDefinitionNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { compileQuery, CompiledQuery, isCompiledQuery } from 'graphql-jit';
import { useGatewayRequestContext } from './gateway-request-context';

/** Executions of one document after which it is compiled: a query sent once is not worth compiling. */
const COMPILE_AFTER = 1;

export type Compile = (schema: GraphQLSchema, document: DocumentNode, operationName?: string) => CompiledQuery | GatewayExecutionResult;

interface Operation {
  runs: number;
  variables: readonly VariableDefinitionNode[];
  /** False for operations graphql-jit would run differently from graphql-js (reachesInputDefaults). */
  compilable: boolean;
  compiled?: CompiledQuery | GatewayExecutionResult;
}

/**
 * Runs each operation that clients repeat as JavaScript compiled for it by graphql-jit. graphql-js walks the document
 * for every request, with a promise per field; on 1M packs, interleaved runs with and without compilation gave
 * main-thread CPU per request of 350–354 against 404–419 µs for the pharmacist's `verify`, and 287–291 against
 * 301–305 µs for `{ __typename }`.
 *
 * Apollo's gateway hook is its one extension point that replaces execution alone: parsing, validation, GraphQL Armor,
 * plugins and the formatting of errors into `extensions.code` stay Apollo's. A document runs in graphql-js until it has
 * been executed COMPILE_AFTER times: compiling `verify` takes 0.6 ms and an introspection query 7.5 ms, so a stream of
 * distinct queries must not each pay it. Apollo caches the parsed document per query text, so a repeated query
 * arrives as the same DocumentNode.
 */
export class CompiledExecutionGateway implements GatewayInterface {
  private readonly compile: Compile;
  private readonly compare: boolean;

  /** `compare`: run every compiled query in graphql-js too, and answer an error where the two differ (tests). */
  constructor({ compile = compileQuery, compare = false }: { compile?: Compile; compare?: boolean } = {}) {
    this.compile = compile;
    this.compare = compare;
    // Apollo's own context for a gateway kept every request's garbage past young collections (see there).
    useGatewayRequestContext();
  }

  private schema?: GraphQLSchema;
  private listener?: GatewaySchemaLoadOrUpdateCallback;
  private readonly documents = new WeakMap<DocumentNode, Map<string | null, Operation>>();

  /** Given to Nest as `transformSchema`: the schema Nest builds from the resolvers is the one executed. */
  readonly useSchema = (schema: GraphQLSchema): GraphQLSchema => {
    this.schema = schema;
    return schema;
  };

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    this.listener = callback;
    return () => {
      this.listener = undefined;
    };
  }

  async load() {
    const schema = this.schema;
    if (!schema) throw new Error('the GraphQL schema was not built before Apollo started');
    this.listener?.({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
    return { executor: (rc: GatewayGraphQLRequestContext) => this.execute(schema, rc) };
  }

  async stop(): Promise<void> {
    this.listener = undefined;
  }

  private async execute(schema: GraphQLSchema, rc: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> {
    const { document, operationName, context } = rc;
    const variables = rc.request.variables ?? {};
    let operations = this.documents.get(document);
    if (!operations) this.documents.set(document, (operations = new Map()));
    let entry = operations.get(operationName);
    if (!entry) {
      const variableDefinitions = getOperationAST(document, operationName)?.variableDefinitions ?? [];
      operations.set(
        operationName,
        (entry = { runs: 0, variables: variableDefinitions, compilable: !reachesInputDefaults(schema, document) }),
      );
    }
    if (!entry.compiled) {
      if (!entry.compilable || entry.runs++ < COMPILE_AFTER)
        return execute({ schema, document, operationName, contextValue: context, variableValues: variables });
      entry.compiled = this.compile(schema, document, operationName ?? undefined);
    }
    if (!isCompiledQuery(entry.compiled)) return entry.compiled;
    const raw = await entry.compiled.query(undefined, context, variables);
    // graphql-jit coerces the variables itself and answers a refusal with errors and no data, worded its own way;
    // graphql-js's wording is the one clients and Apollo know. Coercing them with graphql-js too for every request
    // cost about 4 µs of a `verify`.
    if (raw.errors && !('data' in raw) && entry.variables.length) {
      const coerced = getVariableValues(schema, entry.variables, variables);
      if (coerced.errors) return { errors: coerced.errors };
    }
    const result = raw.errors ? { ...raw, errors: raw.errors.map(asGraphqlJsError) } : raw;
    // Queries only: they never write (a mutation run twice would act twice).
    if (this.compare && getOperationAST(document, operationName)?.operation === 'query') {
      const reference = await execute({ schema, document, operationName, contextValue: context, variableValues: variables });
      const [ours, theirs] = [comparable(result), comparable(reference)];
      // A query whose answer moves between runs (a timestamp, a bundle's generation time) proves nothing either way:
      // a divergence is a compiled answer that a second compiled run repeats and graphql-js does not give.
      if (ours !== theirs && comparable(await entry.compiled.query(undefined, context, variables)) === ours) {
        return { errors: [new GraphQLError(`compiled execution diverged from graphql-js: ${ours} instead of ${theirs}`)] };
      }
    }
    return result;
  }
}

/** What a client sees of an answer: data, and each error's message, path and extensions. */
function comparable(result: GatewayExecutionResult): string {
  const errors = result.errors?.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions }));
  return JSON.stringify({ data: result.data, errors });
}

/**
 * Whether any argument in the document takes an input object with a field that has a default value: graphql-jit
 * leaves such a field unset where graphql-js fills in its default (an operator's second identical
 * `createOrganization` without `companyPrefixes` failed once compiled), so those operations always run in graphql-js.
 */
function reachesInputDefaults(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let reaches = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument() {
        const argument = typeInfo.getArgument();
        if (argument && hasInputDefaults(argument.type)) reaches = true;
      },
    }),
  );
  return reaches;
}

function hasInputDefaults(type: GraphQLInputType, seen = new Set<unknown>()): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named)) return false;
  seen.add(named);
  return Object.values(named.getFields()).some((field) => field.defaultValue !== undefined || hasInputDefaults(field.type, seen));
}

/**
 * graphql-jit's errors freeze their message, and plugins rewrite messages (GraphQL Armor masks field suggestions in
 * place): Apollo gets graphql-js errors, as graphql-js would have raised them.
 */
function asGraphqlJsError(error: GraphQLError): GraphQLError {
  const copy = new GraphQLError(error.message, { path: error.path, originalError: error.originalError, extensions: error.extensions });
  // graphql-js derives locations from AST nodes, which graphql-jit does not keep; its computed ones are the same.
  return Object.assign(copy, { locations: error.locations });
}

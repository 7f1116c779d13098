import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSchema, execute, getIntrospectionQuery, GraphQLError, GraphQLScalarType, GraphQLSchema, parse, validate } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { Compile, CompiledExecutionGateway } from './compiled-execution.gateway';

/** A schema with what ours uses: async resolvers, typed errors, enums, a custom scalar, lists, non-null propagation. */
function testSchema(): GraphQLSchema {
  const schema = buildSchema(`
    enum Status { ACTIVE DISPENSED }
    scalar Day
    type Org { name: String! gln: String }
    type Pack { epc: String! status: Status! day: Day holder: Org alerts: [String!]! broken: String! }
    type Query {
      pack(epc: String!, n: Int = 1): Pack
      packs(epcs: [String!]!): [Pack]!
      fail(code: String!): Pack
      filtered(code: String!): Pack!
    }
    type Mutation { touch(epc: String!): Int! register(input: Register!): [String!]! }
    input Register { name: String! prefixes: [String!]! = [] }
  `);
  const day = schema.getType('Day') as GraphQLScalarType;
  day.serialize = (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);
  const pack = async (epc: string) =>
    epc === 'none'
      ? null
      : {
          epc,
          status: epc.endsWith('d') ? 'DISPENSED' : 'ACTIVE',
          day: new Date(Date.UTC(2028, 5, 30)),
          holder: epc === 'x' ? null : { name: 'Pharmacy', gln: null },
          alerts: [],
        };
  const fields = schema.getQueryType()!.getFields();
  fields.pack.resolve = (_r, args) => pack(args.epc);
  fields.packs.resolve = (_r, args) => Promise.all(args.epcs.map(pack));
  fields.fail.resolve = async (_r, args) => {
    throw new GraphQLError(`no such ${args.code}`, { extensions: { code: args.code, details: { field: 'code' } } });
  };
  // Nest's exception filters answer with the error as the resolver's value, which graphql-js raises.
  fields.filtered.resolve = async (_r, args) => new GraphQLError(`refused ${args.code}`, { extensions: { code: args.code } });
  (schema.getType('Pack') as any).getFields().broken.resolve = () => null;
  let touched = 0;
  schema.getMutationType()!.getFields().touch.resolve = () => ++touched;
  schema.getMutationType()!.getFields().register.resolve = (_r, args) => [args.input.name, ...args.input.prefixes];
  return schema;
}

const OPERATIONS: { query: string; variables?: Record<string, unknown>; operationName?: string }[] = [
  { query: '{ pack(epc: "a") { epc status day holder { name gln } alerts } }' },
  { query: 'query($e: String!) { p: pack(epc: $e) { epc ...F } } fragment F on Pack { status holder { name } }', variables: { e: 'bd' } },
  {
    query: 'query($e: String!, $s: Boolean!) { pack(epc: $e) { epc status @skip(if: $s) day @include(if: $s) } }',
    variables: { e: 'a', s: true },
  },
  { query: '{ packs(epcs: ["a", "none", "x"]) { epc holder { name } } }' },
  { query: '{ pack(epc: "none") { epc } }' },
  { query: '{ fail(code: "INVALID_CODE") { epc } }' },
  { query: '{ pack(epc: "a") { epc broken } }' },
  { query: '{ filtered(code: "NOT_SALEABLE") { epc } }' },
  { query: '{ a: pack(epc: "a") { epc } b: filtered(code: "FORBIDDEN") { epc } }' },
  { query: '{ packs(epcs: ["a", "b"]) { epc broken } }' },
  { query: 'query($e: String!) { pack(epc: $e) { epc } }', variables: {} },
  { query: 'query($e: String!) { pack(epc: $e) { epc } }', variables: { e: 42 } },
  { query: 'query($n: Int) { pack(epc: "a", n: $n) { epc } }', variables: { n: 'many' } },
  { query: 'query A { pack(epc: "a") { epc } } query B { pack(epc: "bd") { status } }', operationName: 'B' },
  { query: '{ __typename pack(epc: "a") { __typename epc } }' },
  { query: getIntrospectionQuery() },
  // An input field's default: graphql-jit leaves it unset, so these must not run compiled.
  { query: 'mutation { register(input: { name: "Acme" }) }' },
  { query: 'mutation($i: Register!) { register(input: $i) }', variables: { i: { name: 'Acme' } } },
];

const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('CompiledExecutionGateway', () => {
  let schema: GraphQLSchema;
  let executor: GatewayExecutor;
  beforeEach(async () => {
    schema = testSchema();
    const gateway = new CompiledExecutionGateway();
    gateway.useSchema(schema);
    const loaded: GraphQLSchema[] = [];
    gateway.onSchemaLoadOrUpdate(({ apiSchema }) => loaded.push(apiSchema));
    executor = (await gateway.load()).executor!;
    expect(loaded).toEqual([schema]);
  });

  const run = (document: ReturnType<typeof parse>, op: (typeof OPERATIONS)[number]) =>
    executor({
      document,
      operationName: op.operationName ?? null,
      request: { variables: op.variables },
      context: {},
    } as unknown as GatewayGraphQLRequestContext);

  it.each(OPERATIONS.map((op) => [op.query.slice(0, 60), op] as const))(
    'answers %s exactly as graphql-js, compiled or not',
    async (_, op) => {
      const document = parse(op.query);
      expect(validate(schema, document)).toEqual([]);
      const reference = plain(await execute({ schema, document, variableValues: op.variables, operationName: op.operationName }));
      // Apollo hands a repeated query over as the same document: the first runs in graphql-js, later ones compiled.
      for (let i = 0; i < 3; i++) expect(plain(await run(document, op))).toEqual(reference);
    },
  );

  it('compiles a document on its second execution, and only once', async () => {
    const compile = jest.fn(compileQuery);
    const gateway = new CompiledExecutionGateway({ compile });
    gateway.useSchema(schema);
    gateway.onSchemaLoadOrUpdate(() => undefined);
    const compiledExecutor = (await gateway.load()).executor!;
    const document = parse('{ pack(epc: "a") { epc } }');
    const once = () =>
      compiledExecutor({ document, operationName: null, request: {}, context: {} } as unknown as GatewayGraphQLRequestContext);
    expect((await once()).data).toEqual({ pack: { epc: 'a' } });
    expect(compile).not.toHaveBeenCalled();
    for (let i = 0; i < 3; i++) expect((await once()).data).toEqual({ pack: { epc: 'a' } });
    expect(compile).toHaveBeenCalledTimes(1);
  });

  it('in comparing mode, answers an error where a compiled query differs from graphql-js, and runs no mutation twice', async () => {
    // A compiler that gets one field wrong, as graphql-jit did with input defaults.
    const wrong: Compile = (s, d, o) => {
      const compiled = compileQuery(s, d, o);
      if (!isCompiledQuery(compiled)) return compiled;
      const right = compiled.query;
      return Object.assign(compiled, {
        query: async (root: unknown, ctx: unknown, vars: Record<string, unknown>) => ({
          ...(await right(root, ctx, vars)),
          data: { pack: { epc: 'wrong' } },
        }),
      });
    };
    const gateway = new CompiledExecutionGateway({ compile: wrong, compare: true });
    gateway.useSchema(schema);
    gateway.onSchemaLoadOrUpdate(() => undefined);
    const comparing = (await gateway.load()).executor!;
    const ask = (document: ReturnType<typeof parse>) =>
      comparing({ document, operationName: null, request: {}, context: {} } as unknown as GatewayGraphQLRequestContext);
    const query = parse('{ pack(epc: "a") { epc } }');
    expect((await ask(query)).data).toEqual({ pack: { epc: 'a' } });
    const diverged = await ask(query);
    expect(diverged.data).toBeUndefined();
    expect(diverged.errors?.[0].message).toMatch(/^compiled execution diverged from graphql-js: .*"wrong".* instead of .*"a"/);

    let touched = 0;
    schema.getMutationType()!.getFields().touch.resolve = () => ++touched;
    const mutation = parse('mutation { touch(epc: "a") }');
    for (let i = 0; i < 3; i++) await ask(mutation);
    expect(touched).toBe(3);
  });

  it('keeps the error a resolver throws, with its extensions, for Apollo to format', async () => {
    const document = parse('{ fail(code: "X") { epc } }');
    for (let i = 0; i < 3; i++) {
      const { errors } = await run(document, { query: '' });
      expect(errors).toHaveLength(1);
      expect(errors![0]).toBeInstanceOf(GraphQLError);
      expect(errors![0].extensions).toEqual({ code: 'X', details: { field: 'code' } });
      expect(errors![0].path).toEqual(['fail']);
      // GraphQL Armor rewrites messages in place.
      expect(() => Object.assign(errors![0], { message: 'masked' })).not.toThrow();
    }
  });

  it('compiles each operation of a document on its own', async () => {
    const document = parse('query A { pack(epc: "a") { epc } } query B { pack(epc: "bd") { status } }');
    for (let i = 0; i < 3; i++) {
      expect((await run(document, { query: '', operationName: 'A' })).data).toEqual({ pack: { epc: 'a' } });
      expect((await run(document, { query: '', operationName: 'B' })).data).toEqual({ pack: { status: 'DISPENSED' } });
    }
  });

  it('runs a mutation once per request, compiled or not', async () => {
    const document = parse('mutation { touch(epc: "a") }');
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await run(document, { query: '' })).data);
    expect(answers).toEqual([{ touch: 1 }, { touch: 2 }, { touch: 3 }, { touch: 4 }]);
  });

  it('refuses to start before Nest has built the schema', async () => {
    await expect(new CompiledExecutionGateway().load()).rejects.toThrow('schema was not built');
  });

  it('stops telling Apollo about the schema once unsubscribed', async () => {
    const gateway = new CompiledExecutionGateway();
    gateway.useSchema(schema);
    const loaded: unknown[] = [];
    gateway.onSchemaLoadOrUpdate((s) => loaded.push(s))();
    await gateway.load();
    expect(loaded).toEqual([]);
  });
});

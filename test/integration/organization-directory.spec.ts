import { INestApplication } from '@nestjs/common';
import { companyPrefixCandidates } from '@pharmatrace/gs1';
import fc from 'fast-check';
import { Client } from 'pg';
import { createOrganization, gql, GqlResult, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const ROLES = ['MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER', 'REGULATOR'] as const;
const WORDS = ['Alpha', 'North', 'Pharma', 'Wholesale', 'Care', '100%', '50_50', 'Ltd'];
const REGISTERED = 1_000;
const MAKERS = 40;
/** A maker's company prefix: 8 digits, none beginning another. */
const prefixOf = (i: number) => `71${String(i).padStart(6, '0')}`;
const gtinOf = (prefix: string) => withCheckDigit(`0${prefix}0001`.padEnd(13, '0'));

const DIRECTORY = `query($first: Int, $after: String, $last: Int, $before: String, $glns: [String!], $search: String,
  $roles: [OrganizationRole!], $ownerOfGtin: String) {
  organizationDirectory(first: $first, after: $after, last: $last, before: $before, glns: $glns, search: $search, roles: $roles,
    ownerOfGtin: $ownerOfGtin) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

interface Row {
  id: string;
  name: string;
  role: string;
  gln: string;
  prefixes: string[];
}

interface Filter {
  glns?: string[];
  search?: string;
  roles?: string[];
  ownerOfGtin?: string;
}

/**
 * The paged directory at the size where the unpaged list gives up (issue 18: a national registry holds tens of
 * thousands of organizations). Walking the pages of any filter, either way and at any size, through GraphQL and the
 * repository's SQL, visits exactly what a filter of the whole table in memory finds, in the same order.
 */
describe('organization directory: pages and filters over a registry of 1,000 (real Postgres)', () => {
  let app: INestApplication;
  let regulator: string;
  let all: Row[];
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    ({ apiKey: regulator } = await createOrganization(app, {
      name: 'Medicines Agency',
      role: 'REGULATOR',
      gln: withCheckDigit('061414100009'),
    }));
    const pg = new Client({ connectionString: dbUrl() });
    await pg.connect();
    try {
      const rows = Array.from({ length: REGISTERED }, (_, i) => ({
        name: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7 + 3) % WORDS.length]} ${i}`,
        role: i < MAKERS ? 'MANUFACTURER' : ROLES[1 + (i % 3)],
        gln: withCheckDigit(`7${String(i).padStart(11, '0')}`),
        prefixes: i < MAKERS ? `{${prefixOf(i)}}` : '{}',
      }));
      // In one statement, so that many share one created_at and the order falls to the id.
      await pg.query(
        `INSERT INTO organization (name, role, gln, company_prefixes)
         SELECT n, r::organization_role, g, p::text[] FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(n, r, g, p)`,
        [rows.map((r) => r.name), rows.map((r) => r.role), rows.map((r) => r.gln), rows.map((r) => r.prefixes)],
      );
      all = (await pg.query<Row>(`SELECT id, name, role, gln, company_prefixes AS prefixes FROM organization ORDER BY created_at, id`))
        .rows;
    } finally {
      await pg.end();
    }
  });

  const model = (f: Filter) => {
    const text = f.search?.trim().toLowerCase();
    const candidates = f.ownerOfGtin ? companyPrefixCandidates(f.ownerOfGtin.slice(1)) : undefined;
    return all
      .filter(
        (o) =>
          (!f.glns || f.glns.includes(o.gln)) &&
          (text === undefined || `${o.name} ${o.gln}`.toLowerCase().includes(text)) &&
          (!f.roles || f.roles.includes(o.role)) &&
          (!candidates || o.prefixes.some((p) => candidates.includes(p))),
      )
      .map((o) => o.id);
  };

  async function walk(filter: Filter, size: number, forward: boolean): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard <= REGISTERED; guard++) {
      const vars: Record<string, unknown> = forward ? { ...filter, first: size, after: cursor } : { ...filter, last: size, before: cursor };
      const res: GqlResult = await gql(app, DIRECTORY, vars, regulator);
      expect(res.errors).toBeUndefined();
      const page = res.data!.organizationDirectory;
      const nodes = page.edges.map((e: { node: { id: string } }) => e.node.id);
      if (forward) ids.push(...nodes);
      else ids.unshift(...nodes);
      const more = forward ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
      if (!more) return ids;
      cursor = forward ? page.pageInfo.endCursor : page.pageInfo.startCursor;
    }
    throw new Error('the walk did not end');
  }

  it('the unpaged list refuses a directory past 1,000 organizations, naming the paged one', async () => {
    const res = await gql(app, `{ organizations { id } }`, {}, regulator);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]).toMatchObject({
      message: expect.stringContaining('organizationDirectory'),
      extensions: { code: 'DIRECTORY_TOO_LARGE', details: { field: 'organizations', limit: 1000 } },
    });
  });

  it('any filter, walked a page at a time either way, visits what the whole table filtered finds, in order (property)', async () => {
    const glnPool = [...all.filter((_, i) => i % 97 === 0).map((o) => o.gln), withCheckDigit('999999999999')];
    const owned = Array.from({ length: 4 }, (_, i) => gtinOf(prefixOf(i * 13)));
    const one = {
      glns: fc.subarray(glnPool),
      search: fc.constantFrom('pharma', 'NORTH 1', '100%', '50_5', '_', '%', ' care ', '7000000009', 'nobody'),
      roles: fc.subarray([...ROLES], { minLength: 1 }),
      ownerOfGtin: fc.constantFrom(...owned, gtinOf('72000000')),
    };
    // Mostly one filter or two that overlap often; sometimes any of them together (which rarely leaves anything).
    const filter: fc.Arbitrary<Filter> = fc.oneof(
      fc.record({ glns: one.glns }),
      fc.record({ search: one.search }),
      fc.record({ roles: one.roles }),
      fc.record({ ownerOfGtin: one.ownerOfGtin }),
      fc.record({ search: one.search, roles: one.roles }),
      fc.record(one, { requiredKeys: [] }),
    );
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(filter, fc.integer({ min: 20, max: 500 }), fc.boolean(), async (f, size, forward) => {
        const expected = model(f);
        if (expected.length) nonEmpty++;
        expect(await walk(f, size, forward)).toEqual(expected);
      }),
      { numRuns: 30 },
    );
    // The property saw real pages, not only empty answers.
    expect(nonEmpty).toBeGreaterThan(5);
  });

  it('finds a GTIN’s brand owner among 40 makers by its company prefix', async () => {
    const res = await gql(app, DIRECTORY, { ownerOfGtin: gtinOf(prefixOf(26)) }, regulator);
    expect(res.data.organizationDirectory.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
      all.find((o) => o.prefixes.includes(prefixOf(26)))!.id,
    ]);
  });
});

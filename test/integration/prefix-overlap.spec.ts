import { prefixesOverlap, type RegisteredPrefix } from '@pharmatrace/domain';
import { dataSourceOptions, OrganizationRepository } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { useDatabase } from '../support/platform';

/** Digits from a small alphabet, so that prefixes of a registry often begin one another. */
const prefixArb = fc.stringMatching(/^[01]{4,7}$/);

class Refused extends Error {}

/**
 * Registration reads only the registered prefixes a request can overlap (migration 1767600000000), where it read the
 * registry whole: what it reads must be exactly those, in registration order, for any registry and any request, since
 * the refusal (findPrefixOverlap) names the first of them.
 */
describe('the registered prefixes a registration is shown (real Postgres)', () => {
  const url = useDatabase();
  let db: DataSource;
  let organizations: OrganizationRepository;
  /** What the registry holds, in registration order. */
  const registry: RegisteredPrefix[] = [];
  let gln = 1_000_000_000;

  beforeAll(async () => {
    db = new DataSource(dataSourceOptions(url(), { poolSize: 2 }));
    await db.initialize();
    organizations = new OrganizationRepository(db);
  });
  afterAll(() => db?.destroy());

  /** Registers `prefixes` if nothing refuses, and answers what `admit` was shown. */
  async function register(prefixes: string[], refuse: boolean): Promise<RegisteredPrefix[]> {
    let shown: RegisteredPrefix[] = [];
    const name = `Org ${gln}`;
    const created = await organizations
      .create(
        { name, role: 'MANUFACTURER', gln: String(gln++).padStart(13, '0'), companyPrefixes: prefixes },
        Buffer.from(randomUUID()),
        (r) => {
          shown = r;
          if (refuse) throw new Refused();
        },
      )
      .catch((e: unknown) => {
        if (e instanceof Refused) return null;
        throw e;
      });
    if (created) registry.push(...prefixes.map((prefix) => ({ prefix, organizationId: created.id, organizationName: name })));
    return shown;
  }

  it('is every registered prefix that begins or is begun by a requested one, oldest holder first (property)', async () => {
    let overlapsSeen = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(prefixArb, { minLength: 0, maxLength: 3 }), fc.boolean(), async (requested, keep) => {
        const expected = registry.filter((r) => requested.some((p) => prefixesOverlap(p, r.prefix)));
        const shown = await register(requested, !keep);
        expect(shown).toEqual(expected);
        overlapsSeen += expected.length;
      }),
      { numRuns: 150 },
    );
    // Not vacuous: the registry grew and requests met prefixes they overlap.
    expect(registry.length).toBeGreaterThan(50);
    expect(overlapsSeen).toBeGreaterThan(50);
  });
});

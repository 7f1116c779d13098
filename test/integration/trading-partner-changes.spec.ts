import type { TradingPartner } from '@pharmatrace/domain';
import { dataSourceOptions, LicenceRepository } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { useDatabase } from '../support/platform';

const day = (d: number) => new Date(Date.UTC(2026, 0, d));

/** A process's partners kept up to date by reads of the changes since its last read, as TradingPartnerLoader keeps them. */
class Follower {
  readonly byId = new Map<string, TradingPartner>();
  horizon?: string;
  partial = 0;

  constructor(private readonly licences: LicenceRepository) {}

  async read(): Promise<void> {
    const { partners, horizon } = await this.licences.tradingPartners(this.horizon);
    if (this.horizon !== undefined) this.partial += partners.length;
    for (const p of partners) this.byId.set(p.id, p);
    this.horizon = horizon;
  }
}

const sorted = (partners: Iterable<TradingPartner>) => [...partners].sort((a, b) => a.id.localeCompare(b.id));

/**
 * The partners a process reads after its first read are those registered or whose licences changed since its previous
 * one (trading_partner_change, migration 1767800000000): following them must leave it with what a whole read answers,
 * whatever the changes and however transactions overlap the reads.
 */
describe('the trading partners changed since a read (real Postgres)', () => {
  const url = useDatabase();
  let db: DataSource;
  let licences: LicenceRepository;
  let gln = 2_000_000_000;

  beforeAll(async () => {
    db = new DataSource(dataSourceOptions(url(), { poolSize: 3 }));
    await db.initialize();
    licences = new LicenceRepository(db);
  });
  afterAll(() => db?.destroy());

  async function register(): Promise<string> {
    const [{ id }] = await db.query<{ id: string }[]>(
      `INSERT INTO organization (name, role, gln) VALUES ($1, 'DISTRIBUTOR', $2) RETURNING id`,
      [`Org ${gln}`, String(gln++).padStart(13, '0')],
    );
    return id;
  }

  async function whole(): Promise<TradingPartner[]> {
    return sorted((await licences.tradingPartners()).partners);
  }

  it('followed from read to read, are what a whole read answers (property)', async () => {
    const follower = new Follower(licences);
    await follower.read();
    const organizations = [await register()];
    const licenceIds: string[] = [];
    const change = fc.oneof(
      fc.constant({ kind: 'register' as const }),
      fc.record({
        kind: fc.constant('licence' as const),
        holder: fc.nat(),
        from: fc.integer({ min: 1, max: 20 }),
        length: fc.integer({ min: 1, max: 20 }),
      }),
      fc.record({ kind: fc.constant('decide' as const), which: fc.nat(), verify: fc.boolean() }),
    );
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 4 }), async (changes) => {
        for (const c of changes) {
          if (c.kind === 'register') organizations.push(await register());
          else if (c.kind === 'licence') {
            const added = await licences.add({
              organizationId: organizations[c.holder % organizations.length],
              type: 'wholesale',
              issuingAuthority: 'Board',
              number: `N-${licenceIds.length}`,
              validFrom: day(c.from),
              validUntil: day(c.from + c.length),
            });
            licenceIds.push(added.id);
          } else if (licenceIds.length) {
            const id = licenceIds[c.which % licenceIds.length];
            if (c.verify) await licences.verify(id, organizations[0]);
            else await licences.reject(id, organizations[0], 'no');
          }
        }
        changed += changes.length;
        await follower.read();
        expect(sorted(follower.byId.values())).toEqual(await whole());
      }),
      { numRuns: 40 },
    );
    expect(changed).toBeGreaterThan(40);
    // Each read answered the changed organizations only, not the registry.
    expect(follower.partial).toBeLessThanOrEqual(changed);
  });

  it('reads again a change whose transaction was running when the previous read was taken', async () => {
    const follower = new Follower(licences);
    await follower.read();
    const holder = await register();
    await follower.read();
    const running = new Client({ connectionString: url() });
    await running.connect();
    try {
      await running.query('BEGIN');
      await running.query(
        `INSERT INTO organization_licence (organization_id, type, issuing_authority, number, valid_from, valid_until)
         VALUES ($1, 'wholesale', 'Board', 'LATE-1', $2, $3)`,
        [holder, day(1), day(30)],
      );
      // A change committed while that transaction runs is read at once; the running one's is not yet there.
      const other = await register();
      await follower.read();
      expect(follower.byId.has(other)).toBe(true);
      expect(follower.byId.get(holder)?.licences).toEqual([]);
      await running.query('COMMIT');
      await follower.read();
      expect(follower.byId.get(holder)?.licences).toHaveLength(1);
      expect(sorted(follower.byId.values())).toEqual(await whole());
    } finally {
      await running.end();
    }
  });
});

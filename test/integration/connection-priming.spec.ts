import { INestApplication } from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { primePool } from '../../libs/persistence/src/replication/read-routing';
import { startApi, testConfig, useDatabase } from '../support/platform';

// Values whose plan is the generic one's: with an empty array in `= ANY($1)` the custom plans would look cheaper and
// Postgres would go on making them (the verification statement reads its arrays through sub-selects for that reason).
const HOT = { name: 'hot_one', text: 'SELECT count(*) FROM organization WHERE name = $1', values: [''] };
const API_POOL = 20;

interface PlanCounts {
  name: string;
  generic_plans: string;
  custom_plans: string;
}

/** Every connection of `pool` at once (its idle ones first), and the plans each has made of its named statements. */
async function plansOnEachConnection(pool: Pool, size: number): Promise<PlanCounts[][]> {
  const clients: PoolClient[] = [];
  try {
    for (let i = 0; i < size; i++) clients.push(await pool.connect());
    return await Promise.all(
      clients.map(
        async (c) => (await c.query<PlanCounts>(`SELECT name, generic_plans::text, custom_plans::text FROM pg_prepared_statements`)).rows,
      ),
    );
  } finally {
    for (const c of clients) c.release();
  }
}

/**
 * A pool connection's first executions of a hot named statement are its slowest: Postgres parses it and then plans it
 * anew at each of the first five. Primed at boot, no request meets that, whichever connection it is given.
 */
describe('connections primed at boot (primePool, DATABASE_PRIME_CONNECTIONS)', () => {
  const dbUrl = useDatabase();
  let pool: Pool;
  beforeEach(() => {
    pool = new Pool({ connectionString: dbUrl(), max: 3, idleTimeoutMillis: 0 });
  });
  afterEach(() => pool.end());

  it('opens every connection and leaves each on the generic plan of every hot statement', async () => {
    await primePool(pool, 3, [HOT], true);
    expect(pool.totalCount).toBe(3);
    expect(pool.idleCount).toBe(3);
    const plans = await plansOnEachConnection(pool, 3);
    expect(plans).toEqual(Array(3).fill([{ name: 'hot_one', generic_plans: '1', custom_plans: '5' }]));
  });

  it('only opens the connections where statements go unnamed (a transaction-mode pooler plans them each time)', async () => {
    await primePool(pool, 3, [HOT], false);
    expect(pool.totalCount).toBe(3);
    expect(await plansOnEachConnection(pool, 3)).toEqual([[], [], []]);
  });

  it('fails, closing the connections it held, when a statement cannot run', async () => {
    const broken = { ...HOT, text: 'SELECT count(*) FROM organization WHERE id = $1::uuid', values: ['not a uuid'] };
    await expect(primePool(pool, 3, [broken], true)).rejects.toThrow(/uuid/);
    expect(pool.totalCount).toBe(0);
  });

  describe('the API', () => {
    /** Boots the API on the spec's database, hands `check` its primary pool, and closes it whatever happens. */
    const withApi = async (prime: string, check: (pool: Pool) => Promise<void>) => {
      const app: INestApplication = await startApi(testConfig({ DATABASE_URL: dbUrl(), DATABASE_PRIME_CONNECTIONS: prime }));
      try {
        await check((app.get(DataSource).driver as PostgresDriver).master as Pool);
      } finally {
        await app.close();
      }
    };

    it('primes its whole pool with the verification statement before it serves', () =>
      withApi('true', async (apiPool) => {
        expect(apiPool.totalCount).toBe(API_POOL);
        const plans = await plansOnEachConnection(apiPool, API_POOL);
        for (const statements of plans)
          expect(statements).toContainEqual({ name: 'verification_views', generic_plans: '1', custom_plans: '5' });
      }));

    it('opens connections as requests come when told not to', () =>
      withApi('false', async (apiPool) => {
        expect(apiPool.totalCount).toBeLessThan(API_POOL);
      }));
  });
});

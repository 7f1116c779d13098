import { dataSourceOptions, PgClient } from '@pharmatrace/persistence';
import { getHeapSpaceStatistics } from 'node:v8';
import { Client, Pool } from 'pg';
import { collectGarbage } from '../../libs/epcis/src/stream-test.fixtures';
import { adminUrl } from '../support/database';

type Collect = (options?: { type: 'minor' | 'major' }) => void;
const gc = collectGarbage() as Collect;
const oldSpaceUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;

/** A result the size of a provenance answer's rows: 50 rows of 200 characters and a number. */
const ROWS = `SELECT g AS n, repeat('x', 200) AS s FROM generate_series(1, 50) g`;

/**
 * Bytes the old generation grew by, per query, over `queries` awaited queries on one held connection (after 300 to
 * warm it) with two young collections every 25: what those queries' answers left that outlived young collections
 * (docs/benchmarks.md, "Answers pg promoted").
 */
async function promotedPerQuery(client: typeof Client, queries: number): Promise<number> {
  const pool = new Pool({ connectionString: adminUrl(), max: 1, Client: client });
  const held = await pool.connect();
  try {
    for (let i = 0; i < 300; i++) await held.query(ROWS);
    gc({ type: 'major' });
    const before = oldSpaceUsed();
    for (let i = 0; i < queries; i++) {
      await held.query(ROWS);
      if (i % 25 === 24) {
        gc({ type: 'minor' });
        gc({ type: 'minor' });
      }
    }
    return (oldSpaceUsed() - before) / queries;
  } finally {
    held.release();
    await pool.end();
  }
}

describe('PgClient', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ connectionString: adminUrl(), max: 2, Client: PgClient });
  });
  afterAll(() => pool.end());

  it('is the class every pool of the DataSource builds its connections with', () => {
    expect((dataSourceOptions(adminUrl()).extra as { Client: unknown }).Client).toBe(PgClient);
  });

  it('answers a query sent without a callback as pg does, with a callback too, and a statement with values', async () => {
    const client = await pool.connect();
    try {
      expect(client).toBeInstanceOf(PgClient);
      const { rows } = await client.query(ROWS);
      expect(rows).toHaveLength(50);
      expect(rows[49]).toEqual({ n: 50, s: 'x'.repeat(200) });
      const named = await client.query({ name: 'pg_client_spec', text: 'SELECT $1::int + 1 AS n', values: [41] });
      expect(named.rows).toEqual([{ n: 42 }]);
      expect((await client.query('SELECT $1::text AS t', ['again'])).rows).toEqual([{ t: 'again' }]);
      const viaCallback = await new Promise((resolve, reject) =>
        client.query('SELECT 7 AS n', (error: Error | null, result: { rows: unknown[] }) => (error ? reject(error) : resolve(result.rows))),
      );
      expect(viaCallback).toEqual([{ n: 7 }]);
    } finally {
      client.release();
    }
  });

  it("rejects with Postgres's error, its stack through the caller's await, and the connection stays usable", async () => {
    const client = await pool.connect();
    try {
      const error = await client.query('SELECT 1 / 0').then(
        () => null,
        (e: Error & { code?: string }) => e,
      );
      expect(error?.code).toBe('22012');
      expect(error?.stack).toContain('pg-client.spec.ts');
      expect((await client.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    } finally {
      client.release();
    }
  });

  it("leaves less than a tenth of what pg's own promise path promotes to the old generation", async () => {
    const ours = await promotedPerQuery(PgClient, 500);
    const pgs = await promotedPerQuery(Client, 500);
    // The control: if pg's own path stopped promoting its answers, this measure could no longer tell, and the class
    // would have no reason left to exist.
    expect(pgs).toBeGreaterThan(8_000);
    expect(ours).toBeLessThan(pgs / 10);
  });
});

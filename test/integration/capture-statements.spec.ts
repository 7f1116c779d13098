import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument, packingEvent } from '@pharmatrace/epcis';
import { Pool, type PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

// Each test's manufacturer has a company prefix of its own (prefixes may not overlap): its GTIN and cases carry it.
const pack = (prefix: string, serial: string) => `https://id.gs1.org/01/${withCheckDigit(`0${prefix}07346`)}/21/${serial}`;
const caseOf = (prefix: string, n: number) => `urn:epc:id:sscc:${prefix}.${String(1_000_000_000 + n)}`;

interface Prepared {
  name: string;
  generic_plans: string;
  custom_plans: string;
}

/** The named statements of every connection the pool has open, each connection's list apart. */
async function preparedOnEachConnection(pool: Pool): Promise<Prepared[][]> {
  const clients: PoolClient[] = [];
  try {
    for (let i = pool.totalCount; i > 0; i--) clients.push(await pool.connect());
    return await Promise.all(
      clients.map(
        async (c) =>
          (await c.query<Prepared>(`SELECT name, generic_plans::text, custom_plans::text FROM pg_prepared_statements ORDER BY name`)).rows,
      ),
    );
  } finally {
    for (const c of clients) c.release();
  }
}

/**
 * Capture's statements that carry a chunk's arrays (its event keys, its lock walk, the quarantine holds, the states it
 * updates) are named where the pool keeps named statements, so each connection plans them a few times and then reuses
 * the plan; behind a transaction-mode pooler they go unnamed, as every other statement there does.
 */
describe("capture's array statements, named or not by the pool mode (real Postgres)", () => {
  const dbUrl = useDatabase();

  /** Boots the API with `env`, captures `documents` documents (two packs commissioned and packed into a case each). */
  const captureWith = async (env: Record<string, string>, documents: number, check: (pool: Pool) => Promise<void>) => {
    const app: INestApplication = await startApi(testConfig({ DATABASE_URL: dbUrl(), DATABASE_PRIME_CONNECTIONS: 'false', ...env }));
    const prefix = env.DATABASE_POOL_MODE === 'transaction' ? '0614142' : '0614141';
    try {
      const maker = await createOrganization(app, {
        name: `Maker ${prefix}`,
        role: 'MANUFACTURER',
        gln: withCheckDigit(`${prefix}00001`),
        companyPrefixes: [prefix],
        // The licence step registers the one licensing authority, which the second test's API would meet again.
        licensed: false,
      });
      for (let n = 0; n < documents; n++) {
        const packs = [pack(prefix, `${n}A`), pack(prefix, `${n}B`)];
        const res = await gql(
          app,
          CAPTURE,
          {
            document: epcisDocument([
              commissioningEvent({ eventTime: new Date(Date.UTC(2026, 4, 1, 8, n)), epcs: packs, lot: 'L1', expiry: '2028-01-31' }),
              packingEvent({
                eventTime: new Date(Date.UTC(2026, 4, 1, 9, n)),
                parent: caseOf(prefix, n),
                children: packs,
              }),
            ]),
          },
          maker.apiKey,
        );
        expect(res.errors).toBeUndefined();
      }
      await check((app.get(DataSource).driver as PostgresDriver).master as Pool);
    } finally {
      await app.close();
    }
  };

  it('names them where the pool keeps named statements, and plans them generically after the first executions', () =>
    captureWith({}, 8, async (pool) => {
      const statements = (await preparedOnEachConnection(pool)).flat().filter((s) => s.name.startsWith('capture_'));
      // New events' keys go in with a plain INSERT: ON CONFLICT's statement is never needed for them.
      expect(statements.map((st) => st.name)).not.toContain('capture_event_keys');
      for (const name of ['capture_new_event_keys', 'capture_lock_states', 'capture_quarantine_holds', 'capture_products']) {
        const executions = statements.filter((s) => s.name === name);
        expect(executions.length).toBeGreaterThan(0);
        const total = executions.reduce((sum, s) => sum + Number(s.generic_plans) + Number(s.custom_plans), 0);
        expect(total).toBe(8);
        // No connection plans one anew past the five custom plans Postgres makes before it weighs the generic one.
        for (const s of executions) expect(Number(s.custom_plans)).toBeLessThanOrEqual(5);
      }
    }));

  it('sends them unnamed where statements cannot be kept (DATABASE_POOL_MODE=transaction)', () =>
    captureWith({ DATABASE_POOL_MODE: 'transaction' }, 2, async (pool) => {
      expect((await preparedOnEachConnection(pool)).flat()).toEqual([]);
    }));
});

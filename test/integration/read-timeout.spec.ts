import { INestApplication } from '@nestjs/common';
import { dataSourceOptions, EventQueryRepository, ReadRouting, ReadTimeoutError } from '@pharmatrace/persistence';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const EVENTS = `query($first: Int) { events(first: $first) { edges { node { eventHash } } } }`;

/**
 * Reads whose cost the client's query decides (event queries, their counts, lists of values) run under a statement
 * timeout in a read-only transaction of their own (DATABASE_READ_TIMEOUT_MS): past it Postgres stops the work, and the
 * client is told QUERY_TOO_COMPLEX with the limit, over REST and GraphQL alike, never a 500 or a request held open.
 */
describe('reads a client shapes are bounded in time (real Postgres)', () => {
  const dbUrl = useDatabase();
  let app: INestApplication;
  let key: string;

  beforeAll(async () => {
    // A millisecond: any page of a thousand events takes longer.
    app = await startApi(testConfig({ DATABASE_URL: dbUrl(), DATABASE_READ_TIMEOUT_MS: '1' }));
    let id: string;
    ({ apiKey: key, id } = await createOrganization(app, { name: 'Agency', role: 'REGULATOR', gln: withCheckDigit('061414100999') }));
    const pg = new Client({ connectionString: dbUrl() });
    await pg.connect();
    await pg.query(
      `INSERT INTO event (event_hash, event_type, event_time, read_point, captured_by, body)
       SELECT sha256(g::text::bytea), 'ObjectEvent', now() - g * interval '1 second', 'urn:epc:id:sgln:0614141.' || g || '.0', $1::uuid, '{}'
       FROM generate_series(1, 20000) g`,
      [id],
    );
    await pg.query('ANALYZE event');
    await pg.end();
  });
  afterAll(() => app?.close());

  it('Postgres stops a bounded read at its limit; the connection goes back clean and unbounded', async () => {
    const db = new DataSource(dataSourceOptions(dbUrl(), { poolSize: 1 }));
    await db.initialize();
    try {
      const options = { replicaUrls: [], poolSize: 1, preparedStatements: true, maxLagSeconds: 30, maxLagBytes: 1 };
      const routing = new ReadRouting(db, { ...options, readTimeoutMs: 100 });
      const started = Date.now();
      const stopped = await routing.primary.bounded('SELECT pg_sleep(2)', []).catch((e: unknown) => e);
      expect(stopped).toBeInstanceOf(ReadTimeoutError);
      expect(stopped).toMatchObject({ timeoutMs: 100 });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(await routing.primary.bounded('SELECT $1::int AS n', [7])).toEqual([{ n: 7 }]);
      // The pool's one connection: outside any transaction (now() is the statement's own), without the limit.
      expect(await db.query(`SELECT current_setting('statement_timeout') AS limit, now() = statement_timestamp() AS own`)).toEqual([
        { limit: '0', own: true },
      ]);
      // A bounded read reads: a write in one is refused by Postgres, and is no timeout.
      const write = await routing.primary.bounded('CREATE TABLE never_made (x int)', []).catch((e: unknown) => e);
      expect(write).not.toBeInstanceOf(ReadTimeoutError);
      expect(write).toMatchObject({ code: '25006' });
      // The event repository's pages and counts (maxEventCount's) are read so; a plain read of either would finish.
      const events = new EventQueryRepository(db, new ReadRouting(db, { ...options, readTimeoutMs: 1 }));
      await expect(events.countUpTo(null, {}, 20_001)).rejects.toBeInstanceOf(ReadTimeoutError);
      await expect(events.page(null, {}, 1000)).rejects.toBeInstanceOf(ReadTimeoutError);
      expect(await new EventQueryRepository(db).countUpTo(null, {}, 20_001)).toBe(20_000);
      // Without a limit configured, a plain read.
      const unbounded = new ReadRouting(db, options);
      expect(await unbounded.primary.bounded('SELECT 1 AS slept FROM pg_sleep(0.2)', [])).toEqual([{ slept: 1 }]);
    } finally {
      await db.destroy();
    }
  });

  it('an event query past the limit is QUERY_TOO_COMPLEX over REST and GraphQL', async () => {
    const rest = await request(app.getHttpServer()).get('/epcis/events?perPage=1000').set('Authorization', `Bearer ${key}`);
    expect(rest.status).toBe(413);
    expect(rest.body).toMatchObject({
      type: 'epcisException:QueryTooComplexException',
      code: 'QUERY_TOO_COMPLEX',
      timeoutMs: 1,
    });
    expect(rest.body.detail).toMatch(/limit of 1 ms/);
    const graph = await gql(app, EVENTS, { first: 1000 }, key);
    expect(graph.errors).toHaveLength(1);
    expect(graph.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', details: { timeoutMs: 1 } });
    expect(JSON.stringify(graph)).not.toMatch(/stack|statement timeout|canceling/i);
  });

  it('a list of values past the limit is QUERY_TOO_COMPLEX too', async () => {
    const res = await request(app.getHttpServer()).get('/epcis/readPoints?perPage=1000').set('Authorization', `Bearer ${key}`);
    expect([res.status, res.body.type, res.body.code]).toEqual([413, 'epcisException:QueryTooComplexException', 'QUERY_TOO_COMPLEX']);
  });
});

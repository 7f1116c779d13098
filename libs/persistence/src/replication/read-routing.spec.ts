import type { DataSource } from 'typeorm';
import { ReadRouting, type ReadRoutingOptions } from './read-routing';

/** A primary whose WAL position the test sets, and a replica whose polls answer what the test says. */
function setup(overrides: Partial<ReadRoutingOptions> = {}) {
  const primary = { position: '0/100' };
  const db = {
    query: jest.fn(async (sql: string) => {
      if (/pg_current_wal_(insert_)?lsn/.test(sql)) return [{ lsn: primary.position }];
      return [];
    }),
    driver: { master: { query: jest.fn() } },
  } as unknown as DataSource;
  const routing = new ReadRouting(db, {
    replicaUrls: ['postgres://app@127.0.0.1:1/pharmatrace'],
    poolSize: 1,
    preparedStatements: true,
    maxLagSeconds: 30,
    maxLagBytes: 1_000,
    ...overrides,
  });
  const replica = { replayed: '0/100' as string | Error, since: 5 };
  const internals = routing as unknown as { replicas: { pool: { query: jest.Mock } }[]; poll(): Promise<void> };
  for (const r of internals.replicas)
    r.pool.query = jest.fn(async () => {
      if (replica.replayed instanceof Error) throw replica.replayed;
      return { rows: [{ recovering: true, replayed: replica.replayed, since: replica.since }] };
    });
  const as = async (organizationId: string | null) => (await routing.reader(organizationId)).target;
  return { routing, primary, replica, poll: () => internals.poll(), as };
}

describe('ReadRouting', () => {
  it('without replicas answers the primary at once, for anyone', () => {
    const routing = new ReadRouting({ query: jest.fn(), driver: { master: {} } } as unknown as DataSource, {
      replicaUrls: [],
      poolSize: 1,
      preparedStatements: true,
      maxLagSeconds: 30,
      maxLagBytes: 1_000,
    });
    expect(routing.hasReplicas).toBe(false);
    expect(routing.reader('org-a')).toMatchObject({ target: 'primary' });
  });

  it("sends an organization to a replica only once the replica replayed the organization's last write", async () => {
    const { routing, primary, replica, poll, as } = setup();
    await poll();
    expect(await as('org-a')).toBe('replica1');
    // Without a reader no one's writes are known.
    expect(await as(null)).toBe('primary');

    primary.position = '0/200';
    await routing.wrote('org-a');
    expect(await as('org-a')).toBe('primary');
    // Another organization wrote nothing since: the replica serves it.
    expect(await as('org-b')).toBe('replica1');

    replica.replayed = '0/1FF';
    await poll();
    expect(await as('org-a')).toBe('primary');
    replica.replayed = '0/200';
    await poll();
    expect(await as('org-a')).toBe('replica1');
    expect(routing.served.get('replica1')).toBe(3);
    await routing.onModuleDestroy();
  });

  it('reports lag in seconds and bytes, none while the replica replayed all, and reads the primary past the bound', async () => {
    const { routing, primary, replica, poll, as } = setup();
    await poll();
    expect(routing.status()).toEqual([{ name: 'replica1', reachable: true, lagSeconds: 0, lagBytes: 0 }]);

    primary.position = '0/900';
    await poll();
    expect(routing.status()).toEqual([{ name: 'replica1', reachable: true, lagSeconds: 5, lagBytes: 0x800 }]);
    // 2048 bytes behind, over the 1,000-byte bound.
    expect(await as('org-a')).toBe('primary');

    replica.replayed = new Error('connection refused');
    await poll();
    expect(routing.status()).toEqual([
      { name: 'replica1', reachable: false, lagSeconds: null, lagBytes: null, error: 'connection refused' },
    ]);
    expect(await as('org-a')).toBe('primary');
    await routing.onModuleDestroy();
  });

  describe('a statement planned generically (PlanMode)', () => {
    function primaryOf(preparedStatements: boolean) {
      const sent: unknown[] = [];
      const client = { query: jest.fn(async (q: unknown) => (sent.push(q), { rows: [{ n: 1 }] })), release: jest.fn() };
      const pool = { query: jest.fn(async () => ({ rows: [{ n: 2 }] })), connect: jest.fn(async () => client) };
      const db = { query: jest.fn(), driver: { master: pool } } as unknown as DataSource;
      const routing = new ReadRouting(db, { replicaUrls: [], poolSize: 1, preparedStatements, maxLagSeconds: 30, maxLagBytes: 1_000 });
      return { routing, pool, client, sent };
    }

    it('runs named, in a read-only transaction that forces the generic plan', async () => {
      const { routing, pool, client, sent } = primaryOf(true);
      expect(await routing.primary.prepared('h', 'SELECT $1', ['x'], 'generic')).toEqual([{ n: 1 }]);
      expect(pool.query).not.toHaveBeenCalled();
      expect(sent).toEqual([
        'BEGIN READ ONLY; SET LOCAL plan_cache_mode = force_generic_plan',
        { name: 'h', text: 'SELECT $1', values: ['x'] },
        'COMMIT',
      ]);
      expect(client.release).toHaveBeenCalledWith(undefined);
    });

    it('runs unnamed as any statement where named ones cannot be kept: it is planned every time anyway', async () => {
      const { routing, pool } = primaryOf(false);
      expect(await routing.primary.prepared('h', 'SELECT $1', ['x'], 'generic')).toEqual([{ n: 2 }]);
      expect(pool.query).toHaveBeenCalledWith({ text: 'SELECT $1', values: ['x'] });
      expect(pool.connect).not.toHaveBeenCalled();
    });
  });
});

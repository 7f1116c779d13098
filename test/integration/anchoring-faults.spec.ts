import { INestApplicationContext } from '@nestjs/common';
import IORedis from 'ioredis';
import { ChildProcess, spawn } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { stopProcess } from '@pharmatrace/chain';
import { freePort } from '../../scripts/dev-services/local-port';
import { useAnvil } from '../support/anvil';
import { deployRegistry, startWorker, testConfig, useDatabase } from '../support/platform';
import { waitFor } from '../support/wait';
import {
  baseEnv,
  expectAllAnchoredOnce,
  insertEvents,
  proofsOf,
  rpc,
  spawnWorker,
  SpawnedWorker,
  stop,
  withDb,
} from '../support/anchoring.harness';

const chainOf = (anvilUrl: string, chainId: number, env: Record<string, string>) => ({
  rpcUrl: anvilUrl,
  chainId,
  contract: env.ANCHOR_CONTRACT_ADDRESS,
});
const allFinal = (url: string) =>
  withDb(
    url,
    async (db) =>
      (await db.query(`SELECT 1 FROM event WHERE batch_id IS NULL UNION ALL SELECT 1 FROM anchor_batch WHERE status <> 'FINAL'`))
        .rowCount === 0,
  );

describe('anchoring faults: a reorganisation drops the anchoring transaction', () => {
  let worker: INestApplicationContext | undefined;
  afterAll(async () => {
    await worker?.close();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  it('is detected after the confirmations, reported REANCHORED, re-anchored in another block and then FINAL', async () => {
    const chainEnv = await deployRegistry(anvil());
    const url = anvil().rpcUrl;
    const snapshot = await rpc<string>(url, 'evm_snapshot');
    worker = await startWorker(
      testConfig(baseEnv(dbUrl(), chainEnv, 'reorg', { ANCHOR_CONFIRMATIONS: '3', ANCHOR_REPLACE_AFTER_MS: '600000' })),
    );
    await withDb(dbUrl(), (db) => insertEvents(db, 30, 'reorg'));
    const first = await waitForRow(dbUrl(), `SELECT block_number, block_hash, tx_hash FROM batch_anchor WHERE status = 'MINED'`);

    // The anchor's block is replaced: the chain goes back to before it and grows past it without the transaction.
    await rpc(url, 'evm_setAutomine', [false]);
    expect(await rpc(url, 'evm_revert', [snapshot])).toBe(true);
    await rpc(url, 'anvil_dropAllTransactions');
    await rpc(url, 'anvil_mine', ['0x4']);
    await waitForRow(dbUrl(), `SELECT 1 FROM anchor_batch WHERE status = 'REANCHORED'`);
    const [eventId] = await withDb(dbUrl(), async (db) => (await db.query(`SELECT id FROM event LIMIT 1`)).rows.map((r) => Number(r.id)));
    const during = (await proofsOf(dbUrl(), [eventId])).get(eventId)!;
    expect(during.proofStatus).toBe('REANCHORED');
    expect(during.anchors[0]).toMatchObject({ status: 'REANCHORED', reanchorCount: 1 });

    const mining = setInterval(() => void rpc(url, 'anvil_mine', ['0x1']).catch(() => undefined), 150);
    try {
      await waitFor(() => allFinal(dbUrl()), 30_000);
    } finally {
      clearInterval(mining);
    }
    const after = await waitForRow(
      dbUrl(),
      `SELECT block_number, block_hash, tx_hash, reanchor_count FROM batch_anchor WHERE status = 'FINAL'`,
    );
    expect(after.block_hash).not.toBe(first.block_hash);
    expect(after.reanchor_count).toBe(1);
    // The very transaction that was dropped was rebroadcast: same signature, same nonce, no second one signed.
    expect(after.tx_hash).toBe(first.tx_hash);
    const attempts = await withDb(dbUrl(), async (db) => (await db.query(`SELECT status FROM anchor_attempt`)).rows);
    expect(attempts).toEqual([{ status: 'MINED' }]);
    const final = (await proofsOf(dbUrl(), [eventId])).get(eventId)!;
    expect(final).toMatchObject({ proofStatus: 'FINAL', blockNumber: Number(after.block_number) });
    await expectAllAnchoredOnce(dbUrl(), [chainOf(url, anvil().chainId, chainEnv)]);
  });
});

describe('anchoring faults: the RPC node becomes unreachable', () => {
  let worker: INestApplicationContext | undefined;
  let proxy: RpcProxy | undefined;
  afterAll(async () => {
    await worker?.close();
    await proxy?.close();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  it('backs off, keeps sealing so the backlog grows, loses nothing and catches up when the node returns', async () => {
    const chainEnv = await deployRegistry(anvil());
    proxy = await RpcProxy.start(anvil().rpcUrl);
    const env = baseEnv(dbUrl(), { ...chainEnv, CHAIN_RPC_URL: proxy.url }, 'rpc-down', {
      BATCH_MAX_EVENTS: '20',
      ANCHOR_RPC_BACKOFF_MAX_MS: '1000',
    });
    worker = await startWorker(testConfig(env));
    await withDb(dbUrl(), (db) => insertEvents(db, 60, 'rpc-a'));
    await waitFor(() => allFinal(dbUrl()), 20_000);

    await proxy.down();
    await withDb(dbUrl(), (db) => insertEvents(db, 200, 'rpc-b'));
    await waitForRow(dbUrl(), `SELECT 1 FROM (SELECT count(*) AS n FROM anchor_batch WHERE status = 'SEALED') s WHERE n = 10`);
    await new Promise((r) => setTimeout(r, 1_500));
    const backlog = await withDb(
      dbUrl(),
      async (db) => (await db.query(`SELECT status, count(*)::int AS n FROM anchor_batch GROUP BY status ORDER BY status`)).rows,
    );
    expect(backlog).toEqual([
      { status: 'FINAL', n: 3 },
      { status: 'SEALED', n: 10 },
    ]);

    await proxy.up();
    await waitFor(() => allFinal(dbUrl()), 30_000);
    const attempts = await withDb(
      dbUrl(),
      async (db) => (await db.query(`SELECT batch_id FROM anchor_attempt GROUP BY batch_id HAVING count(*) <> 1`)).rows,
    );
    expect(attempts).toEqual([]);
    await expectAllAnchoredOnce(dbUrl(), [chainOf(anvil().rpcUrl, anvil().chainId, chainEnv)]);
  });
});

describe('anchoring faults: a transaction is not mined (automine off)', () => {
  let worker: INestApplicationContext | undefined;
  afterAll(async () => {
    await worker?.close();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  it('is replaced with the same nonce and fees bumped by at least 10%, every version tracked until one is mined', async () => {
    const chainEnv = await deployRegistry(anvil());
    const url = anvil().rpcUrl;
    await rpc(url, 'evm_setAutomine', [false]);
    worker = await startWorker(testConfig(baseEnv(dbUrl(), chainEnv, 'stuck', { ANCHOR_REPLACE_AFTER_MS: '800' })));
    await withDb(dbUrl(), (db) => insertEvents(db, 40, 'stuck'));
    await waitForRow(dbUrl(), `SELECT 1 FROM (SELECT count(*) AS n FROM anchor_attempt) s WHERE n >= 2`, 20_000);
    await rpc(url, 'anvil_mine', ['0x1']);
    await rpc(url, 'evm_setAutomine', [true]);
    const mining = setInterval(() => void rpc(url, 'anvil_mine', ['0x1']).catch(() => undefined), 200);
    try {
      await waitFor(() => allFinal(dbUrl()), 20_000);
    } finally {
      clearInterval(mining);
    }
    const attempts = await withDb(
      dbUrl(),
      async (db) =>
        (
          await db.query(
            `SELECT nonce::int, tx_hash, status, broadcast_at, max_fee_per_gas::numeric AS fee, max_priority_fee_per_gas::numeric AS tip FROM anchor_attempt ORDER BY id`,
          )
        ).rows,
    );
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(attempts.map((a) => a.nonce)).size).toBe(1);
    for (let i = 1; i < attempts.length; i++) {
      expect(BigInt(attempts[i].fee) * 100n).toBeGreaterThanOrEqual(BigInt(attempts[i - 1].fee) * 110n);
      expect(BigInt(attempts[i].tip) * 100n).toBeGreaterThanOrEqual(BigInt(attempts[i - 1].tip) * 110n);
    }
    const mined = attempts.filter((a) => a.status === 'MINED');
    expect(mined).toHaveLength(1);
    expect(attempts.filter((a) => a.status !== 'MINED').every((a) => a.status === 'DROPPED')).toBe(true);
    // The node keeps the highest-fee version it received: the last one broadcast is the one mined. (A version signed
    // while the block was being mined is refused by the node, never broadcast, and dropped.)
    expect(mined[0].tx_hash).toBe(attempts.filter((a) => a.broadcast_at !== null).at(-1)!.tx_hash);
    const [batch] = await withDb(dbUrl(), async (db) => (await db.query(`SELECT tx_hash FROM anchor_batch`)).rows);
    expect(batch.tx_hash).toBe(mined[0].tx_hash);
    await expectAllAnchoredOnce(dbUrl(), [chainOf(url, anvil().chainId, chainEnv)]);
  });
});

describe('anchoring faults: several worker processes at once', () => {
  const workers: SpawnedWorker[] = [];
  afterAll(async () => {
    await Promise.all(workers.map(stop));
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  it('anchor every event exactly once, one attempt per batch, with consecutive nonces', async () => {
    const chainEnv = await deployRegistry(anvil());
    const env = baseEnv(dbUrl(), chainEnv, 'two-workers', { BATCH_MAX_EVENTS: '50' });
    await withDb(dbUrl(), (db) => insertEvents(db, 500, 'two-workers'));
    workers.push(spawnWorker(env), spawnWorker(env));
    await waitFor(() => allFinal(dbUrl()), 60_000, 250);
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
    const attempts = await withDb(
      dbUrl(),
      async (db) => (await db.query(`SELECT batch_id, nonce::int FROM anchor_attempt ORDER BY nonce`)).rows,
    );
    expect(attempts).toHaveLength(10);
    expect(new Set(attempts.map((a) => a.batch_id)).size).toBe(10);
    expect(attempts.map((a) => a.nonce - attempts[0].nonce)).toEqual([...Array(10).keys()]);
    await expectAllAnchoredOnce(dbUrl(), [chainOf(anvil().rpcUrl, anvil().chainId, chainEnv)]);
  });
});

describe('anchoring faults: Redis is wiped mid-run', () => {
  let worker: INestApplicationContext | undefined;
  let redis: IORedis | undefined;
  afterAll(async () => {
    await worker?.close();
    redis?.disconnect();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  it('rebuilds the work from Postgres and finishes long before the 30 s scheduler re-upsert', async () => {
    const chainEnv = await deployRegistry(anvil());
    const env = baseEnv(dbUrl(), chainEnv, 'redis-wipe', { BATCH_MAX_EVENTS: '50' });
    const config = testConfig(env);
    worker = await startWorker(config);
    redis = new IORedis(config.redisUrl);
    await withDb(dbUrl(), (db) => insertEvents(db, 100, 'redis-a'));
    await waitFor(() => allFinal(dbUrl()), 20_000);

    // Only this test's keys: other suites share the server.
    const keys = await redis.keys(`${env.QUEUE_PREFIX}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    expect(await redis.exists(`${env.QUEUE_PREFIX}:anchoring:repeat`)).toBe(0);
    const wipedAt = Date.now();
    await withDb(dbUrl(), (db) => insertEvents(db, 150, 'redis-b'));
    await waitFor(() => allFinal(dbUrl()), 20_000);
    expect(Date.now() - wipedAt).toBeLessThan(15_000);
    await expectAllAnchoredOnce(dbUrl(), [chainOf(anvil().rpcUrl, anvil().chainId, chainEnv)]);
  });
});

describe('anchoring faults: Redis is down when the worker starts', () => {
  let worker: SpawnedWorker | undefined;
  let redisServer: ChildProcess | undefined;
  let redis: IORedis | undefined;
  afterAll(async () => {
    if (worker) await stop(worker);
    redis?.disconnect();
    if (redisServer) await stopProcess(redisServer);
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  it('seals and anchors on its own clock, picks Redis up when it returns, and still stops promptly', async () => {
    const chainEnv = await deployRegistry(anvil());
    const port = await freePort();
    const env = baseEnv(dbUrl(), chainEnv, 'redis-down', { REDIS_URL: `redis://127.0.0.1:${port}`, BATCH_MAX_EVENTS: '50' });
    worker = spawnWorker(env);
    await withDb(dbUrl(), (db) => insertEvents(db, 120, 'redis-down-a'));
    await waitFor(() => allFinal(dbUrl()), 30_000);
    expect(worker.output()).toMatch(/unreachable.*own clock/);

    redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    redis = new IORedis(`redis://127.0.0.1:${port}`);
    // The scheduler appears only once the worker's own connection came back and upserted it.
    await waitFor(async () => (await redis!.exists(`${env.QUEUE_PREFIX}:anchoring:repeat`)) === 1, 15_000);
    expect(worker.output()).toMatch(/Redis is back/);
    await withDb(dbUrl(), (db) => insertEvents(db, 80, 'redis-down-b'));
    await waitFor(() => allFinal(dbUrl()), 30_000);
    await expectAllAnchoredOnce(dbUrl(), [chainOf(anvil().rpcUrl, anvil().chainId, chainEnv)]);

    await stopProcess(redisServer);
    const stoppedAt = Date.now();
    await stop(worker);
    expect(Date.now() - stoppedAt).toBeLessThan(8_000);
  }, 90_000);
});

describe('anchoring to two chains', () => {
  let worker: INestApplicationContext | undefined;
  afterAll(async () => {
    await worker?.close();
  });
  const consortium = useAnvil();
  const publicChain = useAnvil({ chainId: 31338 });
  const dbUrl = useDatabase();

  it('anchors every batch on both, FINAL only when final on both, each proof listing both anchors', async () => {
    const a = await deployRegistry(consortium());
    const b = await deployRegistry(publicChain());
    const chains = [
      { name: 'consortium', rpcUrl: a.CHAIN_RPC_URL, chainId: 31337, contractAddress: a.ANCHOR_CONTRACT_ADDRESS, confirmations: 1 },
      { name: 'public', rpcUrl: b.CHAIN_RPC_URL, chainId: 31338, contractAddress: b.ANCHOR_CONTRACT_ADDRESS, confirmations: 2 },
    ];
    const env = baseEnv(dbUrl(), { ANCHORER_PRIVATE_KEY: a.ANCHORER_PRIVATE_KEY, CHAINS: JSON.stringify(chains) }, 'two-chains', {
      BATCH_MAX_EVENTS: '40',
    });
    worker = await startWorker(testConfig(env));
    await withDb(dbUrl(), (db) => insertEvents(db, 100, 'two-chains'));
    // The public chain needs a second block for its confirmations: nothing else is sent to it.
    const mining = setInterval(() => void rpc(b.CHAIN_RPC_URL, 'anvil_mine', ['0x1']).catch(() => undefined), 300);
    try {
      await waitFor(() => allFinal(dbUrl()), 30_000);
    } finally {
      clearInterval(mining);
    }
    await expectAllAnchoredOnce(dbUrl(), [chainOf(a.CHAIN_RPC_URL, 31337, a), chainOf(b.CHAIN_RPC_URL, 31338, b)]);
  });
});

async function waitForRow(url: string, sql: string, timeoutMs = 20_000): Promise<Record<string, any>> {
  let row: Record<string, any> | undefined;
  await waitFor(async () => {
    row = await withDb(url, async (db) => (await db.query(sql)).rows[0]);
    return row !== undefined;
  }, timeoutMs);
  return row!;
}

/** A JSON-RPC pass-through that can refuse connections on demand, as a node that went away would. */
class RpcProxy {
  private server?: Server;

  private constructor(
    private readonly target: string,
    private port: number,
  ) {}

  static async start(target: string): Promise<RpcProxy> {
    const proxy = new RpcProxy(target, 0);
    await proxy.up();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  up(): Promise<void> {
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const answer = await fetch(this.target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
    });
    this.server = server;
    return new Promise((resolve) =>
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      }),
    );
  }

  down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  close(): Promise<void> {
    return this.down();
  }
}

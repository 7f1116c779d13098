import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { ANCHOR_REGISTRY_ABI, AnchorRegistryClient } from '@pharmatrace/chain';
import { AnchorRepository, dataSourceOptions, PackRepository } from '@pharmatrace/persistence';
import { Interface, JsonRpcProvider } from 'ethers';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ProofService } from '../../apps/api/src/anchoring/proof.service';
import { EventProofType } from '../../apps/api/src/anchoring/proof.types';
import { ADMIN_TOKEN } from './platform';

/** Shared by the anchoring fault specs: events straight into Postgres, real worker processes, and the audit. */

const ROOT = join(__dirname, '../..');

export interface SpawnedWorker {
  child: ChildProcess;
  exited: Promise<number | string | null>;
  output(): string;
}

/** The real worker entry point in its own process, so SIGKILL is a real crash. */
export function spawnWorker(env: Record<string, string>): SpawnedWorker {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/worker/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, exited, output: () => output };
}

export function baseEnv(
  dbUrl: string,
  chainEnv: Record<string, string>,
  label: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    ADMIN_TOKEN,
    DATABASE_URL: dbUrl,
    ...chainEnv,
    BATCH_MAX_EVENTS: '100',
    BATCH_MAX_WAIT_MS: '100',
    WORKER_TICK_MS: '200',
    QUEUE_PREFIX: `${label}-${process.pid}-${Date.now()}`,
    ...extra,
  };
}

export async function withDb<T>(url: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/**
 * Inserts `count` distinct events directly (as a capture would commit them): the anchoring path reads only
 * event_hash and batch columns, and building EPCIS documents for 10^5 events would dwarf what is tested here.
 */
export async function insertEvents(db: Client, count: number, label: string): Promise<void> {
  const gln = String(Date.now() % 1e13).padStart(13, '0');
  const [{ id: org }] = (
    await db.query(
      `INSERT INTO organization (name, role, gln) VALUES ($1::text, 'MANUFACTURER', $2::text)
       ON CONFLICT (gln) DO UPDATE SET name = excluded.name RETURNING id`,
      [label, gln],
    )
  ).rows;
  await db.query(
    `INSERT INTO event (event_hash, event_type, action, event_time, body, captured_by)
     SELECT sha256(convert_to($1 || ':' || i, 'UTF8')), 'ObjectEvent', 'OBSERVE', now(), jsonb_build_object('n', i), $3
     FROM generate_series(1, $2::int) AS i`,
    [`${label}-${Date.now()}-${Math.random()}`, count, org],
  );
}

export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Proofs exactly as the API serves them (ProofService over the stored node arrays), without the HTTP layer. */
export async function proofsOf(dbUrl: string, eventIds: number[]): Promise<Map<number, EventProofType>> {
  const ds = new DataSource(dataSourceOptions(dbUrl, { poolSize: 2 }));
  await ds.initialize();
  try {
    const events = await new PackRepository(ds).events(eventIds);
    return await new ProofService(new AnchorRepository(ds)).proofsFor(events);
  } finally {
    await ds.destroy();
  }
}

const registry = new Interface(ANCHOR_REGISTRY_ABI);

/** How many `Anchored` logs each root has on the chain: exactly one per batch is "anchored exactly once". */
export async function anchoredLogCounts(rpcUrl: string, contract: string): Promise<Map<string, number>> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const logs = await provider.getLogs({
      address: contract,
      topics: [registry.getEvent('Anchored')!.topicHash],
      fromBlock: 0,
      toBlock: 'latest',
    });
    const counts = new Map<string, number>();
    for (const log of logs) counts.set(log.topics[1], (counts.get(log.topics[1]) ?? 0) + 1);
    return counts;
  } finally {
    provider.destroy();
  }
}

export interface ChainUnderTest {
  rpcUrl: string;
  chainId: number;
  contract: string;
}

/**
 * The invariant every fault test ends on: every event in exactly one batch, every batch FINAL on every chain,
 * every root anchored exactly once on each chain at the block the database names, and sampled proofs verify with
 * OpenZeppelin and with the contract, listing every chain.
 */
export async function expectAllAnchoredOnce(dbUrl: string, chains: ChainUnderTest[], sample = 20): Promise<void> {
  await withDb(dbUrl, async (db) => {
    const { rows: events } = await db.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE batch_id IS NULL)::int AS unbatched FROM event`,
    );
    expect(events[0].unbatched).toBe(0);
    const { rows: leaves } = await db.query(`SELECT sum(leaf_count)::int AS n FROM anchor_batch`);
    expect(leaves[0].n).toBe(events[0].n);
    const { rows: open } = await db.query(`SELECT id, status FROM anchor_batch WHERE status <> 'FINAL'`);
    expect(open).toEqual([]);
    const { rows: batches } = await db.query(`SELECT id, '0x' || encode(root, 'hex') AS root FROM anchor_batch ORDER BY id`);
    for (const chain of chains) {
      const { rows: anchors } = await db.query(`SELECT batch_id, status, block_number FROM batch_anchor WHERE chain_id = $1`, [
        chain.chainId,
      ]);
      expect(anchors.length).toBe(batches.length);
      expect(anchors.every((a) => a.status === 'FINAL')).toBe(true);
      const counts = await anchoredLogCounts(chain.rpcUrl, chain.contract);
      const wrong = batches.filter((b) => counts.get(b.root) !== 1).map((b) => `${b.id}: ${counts.get(b.root) ?? 0}`);
      expect(wrong).toEqual([]);
      expect(counts.size).toBe(batches.length);
    }
    const { rows: picked } = await db.query(`SELECT id FROM event ORDER BY random() LIMIT $1`, [sample]);
    const proofs = await proofsOf(
      dbUrl,
      picked.map((r) => Number(r.id)),
    );
    expect(proofs.size).toBe(picked.length);
    const clients = chains.map((c) => new AnchorRegistryClient({ rpcUrl: c.rpcUrl, contractAddress: c.contract, chainId: c.chainId }));
    try {
      for (const proof of proofs.values()) {
        expect(proof.proofStatus).toBe('FINAL');
        expect(StandardMerkleTree.verify(proof.root, ['bytes32'], [proof.eventDigest], proof.merkleProof)).toBe(true);
        expect(proof.anchors.map((a) => a.chainId)).toEqual(chains.map((c) => c.chainId));
        for (const [i, client] of clients.entries()) {
          expect(await client.verify(proof.merkleProof, proof.root, proof.eventDigest)).toBe(true);
          expect(await client.anchoredAt(proof.root)).toBe(BigInt(proof.anchors[i].blockNumber!));
        }
      }
    } finally {
      for (const c of clients) c.destroy();
    }
  });
}

export async function stop(worker: SpawnedWorker): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
  await worker.exited;
}

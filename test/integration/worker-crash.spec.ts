import { INestApplication } from '@nestjs/common';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AnchorRegistryClient } from '@pharmatrace/chain';
import { commissioningEvent, epcisDocument } from '@pharmatrace/epcis';
import { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { useAnvil } from '../support/anvil';
import {
  ADMIN_TOKEN,
  CAPTURE,
  createOrganization,
  deployRegistry,
  gql,
  startApi,
  testConfig,
  useDatabase,
  withCheckDigit,
} from '../support/platform';
import { spawnWorker } from '../support/anchoring.harness';
import { waitFor } from '../support/wait';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;

describe.each(['after-sign', 'after-broadcast'])('a worker killed by SIGKILL %s, then restarted', (fault) => {
  let api: INestApplication;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await api?.close();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  it('leaves every event anchored exactly once', async () => {
    const chainEnv = await deployRegistry(anvil());
    const env = {
      NODE_ENV: 'test',
      ADMIN_TOKEN,
      DATABASE_URL: dbUrl(),
      ...chainEnv,
      BATCH_MAX_EVENTS: '1000',
      BATCH_MAX_WAIT_MS: '100',
      WORKER_TICK_MS: '200',
      QUEUE_PREFIX: `crash-${fault}-${process.pid}-${Date.now()}`,
    };
    api = await startApi(testConfig(env));
    const maker = await createOrganization(api, {
      name: 'ACME',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    const serials = Array.from({ length: 25 }, (_, i) => `K${i}`);
    const captured = await gql(
      api,
      CAPTURE,
      {
        document: epcisDocument(
          serials.map((s, i) =>
            commissioningEvent({ eventTime: new Date(Date.UTC(2026, 0, 1, 0, i)), epcs: [pack(s)], lot: 'L', expiry: '2028-01-31' }),
          ),
        ),
      },
      maker.apiKey,
    );
    expect(captured.errors).toBeUndefined();

    const first = spawnWorker({ ...env, PHARMATRACE_FAULT: fault });
    children.push(first.child);
    expect(await first.exited).toBe('SIGKILL');

    const db = new Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      const crashed = await db.query(`SELECT status FROM anchor_batch`);
      expect(crashed.rows).toEqual([{ status: 'SUBMITTED' }]);

      const second = spawnWorker(env);
      children.push(second.child);
      await waitFor(async () => (await db.query(`SELECT 1 FROM anchor_batch WHERE status = 'FINAL'`)).rowCount === 1, 30_000);
      second.child.kill('SIGTERM');
      await second.exited;

      const events = await db.query(`SELECT count(*) AS n, count(DISTINCT batch_id) AS batches FROM event WHERE batch_id IS NOT NULL`);
      expect(events.rows[0]).toEqual({ n: '25', batches: '1' });
      const attempts = await db.query(`SELECT tx_hash FROM anchor_attempt`);
      expect(attempts.rows).toHaveLength(1);
      const [batch] = (await db.query(`SELECT encode(root, 'hex') AS root, tx_hash FROM anchor_batch`)).rows;
      expect(batch.tx_hash).toBe(attempts.rows[0].tx_hash);

      const client = new AnchorRegistryClient({ rpcUrl: chainEnv.CHAIN_RPC_URL, contractAddress: chainEnv.ANCHOR_CONTRACT_ADDRESS });
      try {
        const root = `0x${batch.root}`;
        expect(await client.anchoredAt(root)).toBeGreaterThan(0n);
        const logs = await client.findAnchoredEvent(root);
        expect(logs?.txHash).toBe(batch.tx_hash);
        const prov = await gql(
          api,
          `query($e: String!) { provenance(epc: $e) { events { proof { eventDigest merkleProof root } } } }`,
          { e: pack('K3') },
          maker.apiKey,
        );
        const proof = prov.data.provenance.events[0].proof;
        expect(await client.verify(proof.merkleProof, proof.root, proof.eventDigest)).toBe(true);
        expect(StandardMerkleTree.verify(proof.root, ['bytes32'], [proof.eventDigest], proof.merkleProof)).toBe(true);
      } finally {
        client.destroy();
      }
    } finally {
      await db.end();
    }
  });
});

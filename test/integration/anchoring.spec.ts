import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AnchorRegistryClient } from '@pharmatrace/chain';
import { commissioningEvent, epcisDocument, packingEvent } from '@pharmatrace/epcis';
import { Client } from 'pg';
import { useAnvil } from '../support/anvil';
import {
  CAPTURE,
  createOrganization,
  deployRegistry,
  gql,
  startApi,
  startWorker,
  testConfig,
  useDatabase,
  withCheckDigit,
} from '../support/platform';
import { waitFor } from '../support/wait';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;

const PROVENANCE = `query($epc: String!) { provenance(epc: $epc) { events { eventHash anchorStatus
  proof { eventDigest merkleProof root batchId chainId contractAddress transactionHash blockNumber status } } } }`;

describe('anchoring: capture → seal → anchor on chain → proof the contract accepts', () => {
  let api: INestApplication;
  let worker: INestApplicationContext;
  let maker: { apiKey: string };
  let chainEnv: Record<string, string>;
  // Declared first so it runs first: the apps stop before their database and chain go away.
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  beforeAll(async () => {
    chainEnv = await deployRegistry(anvil());
    const config = testConfig({
      DATABASE_URL: dbUrl(),
      ...chainEnv,
      BATCH_MAX_EVENTS: '50',
      BATCH_MAX_WAIT_MS: '200',
      WORKER_TICK_MS: '200',
      QUEUE_PREFIX: `test-${process.pid}-${Date.now()}`,
    });
    api = await startApi(config);
    worker = await startWorker(config);
    maker = await createOrganization(api, {
      name: 'ACME',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
  });

  it('anchors every event once, in batches no larger than the limit, with proofs that verify on chain and with OpenZeppelin', async () => {
    const serials = Array.from({ length: 120 }, (_, i) => `P${i}`);
    const doc = epcisDocument([
      commissioningEvent({ eventTime: new Date(Date.UTC(2026, 0, 1)), epcs: serials.map(pack), lot: 'L1', expiry: '2028-01-31' }),
      ...serials.map((s, i) =>
        packingEvent({
          eventTime: new Date(Date.UTC(2026, 0, 1, 0, 1, i)),
          parent: `urn:epc:id:sscc:0614141.${String(1000000000 + i)}`,
          children: [pack(s)],
        }),
      ),
    ]);
    const captured = await gql(api, CAPTURE, { document: doc }, maker.apiKey);
    expect(captured.errors).toBeUndefined();

    const db = new Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      await waitFor(async () => {
        const { rows } = await db.query(
          `SELECT count(*) FILTER (WHERE b.status = 'FINAL') AS final, count(*) AS total FROM event e LEFT JOIN anchor_batch b ON b.id = e.batch_id`,
        );
        return Number(rows[0].final) === 121;
      }, 30_000);
      const batches = await db.query(`SELECT id, leaf_count, encode(root, 'hex') AS root FROM anchor_batch ORDER BY id`);
      expect(batches.rows.length).toBeGreaterThanOrEqual(3);
      expect(batches.rows.every((b) => b.leaf_count <= 50)).toBe(true);
      const attempts = await db.query(`SELECT batch_id, count(*) FROM anchor_attempt GROUP BY batch_id HAVING count(*) <> 1`);
      expect(attempts.rows).toEqual([]);
    } finally {
      await db.end();
    }

    const client = new AnchorRegistryClient({ rpcUrl: chainEnv.CHAIN_RPC_URL, contractAddress: chainEnv.ANCHOR_CONTRACT_ADDRESS });
    try {
      const prov = await gql(api, PROVENANCE, { epc: pack('P7') }, maker.apiKey);
      expect(prov.errors).toBeUndefined();
      const events = prov.data.provenance.events;
      expect(events).toHaveLength(2);
      for (const e of events) {
        expect(e.anchorStatus).toBe('FINAL');
        const p = e.proof;
        expect(p).toMatchObject({ status: 'FINAL', chainId: anvil().chainId, contractAddress: chainEnv.ANCHOR_CONTRACT_ADDRESS });
        expect(`0x${e.eventHash.slice('ni:///sha-256;'.length, -'?ver=CBV2.0'.length)}`).toBe(p.eventDigest);
        expect(await client.verify(p.merkleProof, p.root, p.eventDigest)).toBe(true);
        expect(StandardMerkleTree.verify(p.root, ['bytes32'], [p.eventDigest], p.merkleProof)).toBe(true);
        expect(await client.anchoredAt(p.root)).toBe(BigInt(p.blockNumber));
        const wrong = `0x${'00'.repeat(31)}01`;
        expect(await client.verify(p.merkleProof, p.root, wrong)).toBe(false);
      }
      const verdict = await gql(
        api,
        `query($c: String!) { verify(code: $c) { anchored checkedOnChain } }`,
        { c: pack('P7') },
        maker.apiKey,
      );
      expect(verdict.data.verify).toEqual({ anchored: true, checkedOnChain: true });
    } finally {
      client.destroy();
    }
  });
});

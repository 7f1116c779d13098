import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { AnchorRegistryClient } from '@pharmatrace/chain';
import { commissioningEvent, epcisDocument, eventHash, hashDigest } from '@pharmatrace/epcis';
import { hex, leafHashOf } from '@pharmatrace/merkle';
import { AuditRepository } from '@pharmatrace/persistence';
import { Client } from 'pg';
import { AuditChainGateway } from '../../apps/api/src/audit/audit-chain.gateway';
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
const AUDIT = `mutation($b: Int!) { auditBatch(batchId: $b) {
  batchId outcome chainRoot chainLeafCount rebuiltRoot eventCount alertsRecorded
  findings { batchId kind eventId eventHash leafIndex leafHash detail } } }`;
const BATCH_SIZE = 4;

describe('audit: the database rebuilt and compared with the roots anchored on chain', () => {
  let api: INestApplication;
  let worker: INestApplicationContext;
  let regulator: { apiKey: string };
  let maker: { apiKey: string };
  let chainEnv: Record<string, string>;
  let db: Client;
  let batches: number[];
  afterAll(async () => {
    await db?.end();
    await worker?.close();
    await api?.close();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  const audit = async (batchId: number) => {
    const res = await gql(api, AUDIT, { b: batchId }, regulator.apiKey);
    expect(res.errors).toBeUndefined();
    return res.data.auditBatch;
  };
  const eventsOf = async (batchId: number) =>
    (await db.query(`SELECT id, leaf_index, event_hash, body FROM event WHERE batch_id = $1 ORDER BY id`, [batchId])).rows;

  beforeAll(async () => {
    chainEnv = await deployRegistry(anvil());
    const config = testConfig({
      DATABASE_URL: dbUrl(),
      ...chainEnv,
      BATCH_MAX_EVENTS: String(BATCH_SIZE),
      BATCH_MAX_WAIT_MS: '200',
      WORKER_TICK_MS: '200',
      QUEUE_PREFIX: `test-audit-${process.pid}-${Date.now()}`,
    });
    api = await startApi(config);
    worker = await startWorker(config);
    maker = await createOrganization(api, {
      name: 'ACME',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    regulator = await createOrganization(api, { name: 'Agency', role: 'REGULATOR', gln: withCheckDigit('061414100002') });
    const doc = epcisDocument(
      Array.from({ length: 4 * BATCH_SIZE }, (_, i) =>
        commissioningEvent({ eventTime: new Date(Date.UTC(2026, 0, 1, 0, i)), epcs: [pack(`A${i}`)], lot: 'L1', expiry: '2028-01-31' }),
      ),
    );
    expect((await gql(api, CAPTURE, { document: doc }, maker.apiKey)).errors).toBeUndefined();
    db = new Client({ connectionString: dbUrl() });
    await db.connect();
    // The tamperer here holds the owner's rights and switches the append-only triggers off (superuser only): what the
    // audit must still catch when everything below the application was bypassed.
    await db.query(`SET session_replication_role = replica`);
    await waitFor(async () => {
      const { rows } = await db.query(
        `SELECT count(*) FILTER (WHERE b.status = 'FINAL') AS final FROM event e LEFT JOIN anchor_batch b ON b.id = e.batch_id`,
      );
      return Number(rows[0].final) === 4 * BATCH_SIZE;
    }, 30_000);
    batches = (await db.query(`SELECT id FROM anchor_batch ORDER BY id`)).rows.map((r) => Number(r.id));
    expect(batches).toHaveLength(4);
  });

  it('reads what each batch anchored from the Anchored logs, by batch id', async () => {
    const client = new AnchorRegistryClient({ rpcUrl: chainEnv.CHAIN_RPC_URL, contractAddress: chainEnv.ANCHOR_CONTRACT_ADDRESS });
    try {
      const all = await client.anchoredEvents();
      expect(all.map((a) => Number(a.batchId))).toEqual(batches);
      const [one] = await client.anchoredEvents({ batchId: BigInt(batches[1]) });
      const { rows } = await db.query(`SELECT encode(root, 'hex') AS root, leaf_count FROM anchor_batch WHERE id = $1`, [batches[1]]);
      expect(one).toMatchObject({ root: `0x${rows[0].root}`, batchId: BigInt(batches[1]), leafCount: rows[0].leaf_count });
      expect(await client.anchoredEvents({ batchId: 999n })).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it("reads the chain from the registry's deployment block, in ranges of CHAIN_LOG_BLOCK_RANGE blocks", async () => {
    const client = new AnchorRegistryClient({ rpcUrl: chainEnv.CHAIN_RPC_URL, contractAddress: chainEnv.ANCHOR_CONTRACT_ADDRESS });
    const blocks = (await client.anchoredEvents().finally(() => client.destroy())).map((a) => a.blockNumber);
    const gatewayFrom = (deployedAtBlock: number) => {
      const base = testConfig({ ...chainEnv, ANCHOR_CONTRACT_DEPLOYED_AT_BLOCK: String(deployedAtBlock), CHAIN_LOG_BLOCK_RANGE: '1' });
      return new AuditChainGateway(base, api.get(AuditRepository));
    };
    const whole = gatewayFrom(0);
    const later = gatewayFrom(blocks[1]);
    try {
      expect([...(await whole.anchors()).keys()]).toEqual(batches);
      expect([...(await later.anchors()).keys()]).toEqual(batches.slice(1));
      expect((await later.anchors(batches[0])).size).toBe(0);
    } finally {
      whole.onModuleDestroy();
      later.onModuleDestroy();
    }
  });

  it('reports an untouched batch as clean, to regulators only', async () => {
    const report = await audit(batches[0]);
    expect(report).toMatchObject({
      batchId: batches[0],
      outcome: 'CLEAN',
      chainLeafCount: BATCH_SIZE,
      eventCount: BATCH_SIZE,
      findings: [],
      alertsRecorded: 0,
    });
    expect(report.rebuiltRoot).toBe(report.chainRoot);
    const denied = await gql(api, AUDIT, { b: batches[0] }, maker.apiKey);
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const unknown = await gql(api, AUDIT, { b: 999 }, regulator.apiKey);
    expect(unknown.errors?.[0].extensions?.code).toBe('UNKNOWN_BATCH');
  });

  it('names a changed, an inserted and a deleted event, records each once and fails verification of the batch', async () => {
    const [, editedBatch, insertBatch, deleteBatch] = batches;
    const [edited] = await eventsOf(editedBatch);
    await db.query(`UPDATE event SET body = jsonb_set(body, '{eventTime}', '"2026-02-01T00:00:00.000Z"') WHERE id = $1`, [edited.id]);

    const forged = commissioningEvent({
      eventTime: new Date(Date.UTC(2026, 0, 2)),
      epcs: [pack('FORGED')],
      lot: 'L1',
      expiry: '2028-01-31',
    });
    const forgedHash = eventHash(forged).hash;
    const [{ id: insertedId }] = (
      await db.query(
        `INSERT INTO event (event_hash, event_type, action, biz_step, event_time, captured_by, body, batch_id, leaf_index)
         SELECT $1, event_type, action, biz_step, event_time, captured_by, $2, batch_id, $3 FROM event WHERE batch_id = $4 LIMIT 1 RETURNING id`,
        [Buffer.from(hashDigest(forgedHash)), JSON.stringify(forged), BATCH_SIZE - 1, insertBatch],
      )
    ).rows;

    const [gone] = await eventsOf(deleteBatch);
    await db.query(`DELETE FROM pack_state WHERE last_event_id = $1`, [gone.id]);
    await db.query(`DELETE FROM event_epc WHERE event_id = $1`, [gone.id]);
    await db.query(`DELETE FROM event WHERE id = $1`, [gone.id]);

    const editedReport = await audit(editedBatch);
    expect(editedReport).toMatchObject({ outcome: 'TAMPERED', alertsRecorded: 1 });
    expect(editedReport.rebuiltRoot).not.toBe(editedReport.chainRoot);
    expect(editedReport.findings).toEqual([
      expect.objectContaining({
        kind: 'EDITED',
        eventId: Number(edited.id),
        leafIndex: edited.leaf_index,
        detail: expect.stringContaining('body changed'),
      }),
    ]);
    expect((await audit(insertBatch)).findings).toEqual([
      expect.objectContaining({ kind: 'INSERTED', eventId: Number(insertedId), eventHash: forgedHash }),
    ]);
    expect((await audit(deleteBatch)).findings).toEqual([
      expect.objectContaining({ kind: 'DELETED', leafIndex: gone.leaf_index, leafHash: hex(leafHashOf(gone.event_hash)) }),
    ]);

    expect((await audit(editedBatch)).alertsRecorded).toBe(0);
    const alerts = await db.query(`SELECT details FROM alert WHERE code = 'TAMPER_DETECTED' ORDER BY id`);
    expect(alerts.rows.map((r) => [r.details.batchId, r.details.kind])).toEqual([
      [editedBatch, 'EDITED'],
      [insertBatch, 'INSERTED'],
      [deleteBatch, 'DELETED'],
    ]);
    const failed = await db.query(`SELECT id FROM anchor_batch WHERE audit_failed_at IS NOT NULL ORDER BY id`);
    expect(failed.rows.map((r) => Number(r.id))).toEqual([editedBatch, insertBatch, deleteBatch]);

    const [{ epc }] = (await db.query(`SELECT epc FROM event_epc WHERE event_id = $1`, [edited.id])).rows;
    const verdict = await gql(api, `query($c: String!) { verify(code: $c) { alerts } }`, { c: epc }, regulator.apiKey);
    expect(verdict.data.verify.alerts).toContain('ANCHORING_FAILED');
  });

  it('npm run audit resumes an interrupted run, prints the findings and a summary, and exits 1 on tampering', async () => {
    await db.query(`INSERT INTO audit_run (last_batch_id, batches_audited, events_audited) VALUES ($1, 2, $2)`, [
      batches[1],
      2 * BATCH_SIZE,
    ]);
    const run = promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'scripts/audit.ts'], {
      cwd: join(__dirname, '..', '..'),
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: dbUrl(),
        CHAIN_RPC_URL: chainEnv.CHAIN_RPC_URL,
        CHAIN_ID: chainEnv.CHAIN_ID,
        ANCHOR_CONTRACT_ADDRESS: chainEnv.ANCHOR_CONTRACT_ADDRESS,
      },
    });
    const failure = await run.then(
      () => null,
      (e: { code: number; stdout: string }) => e,
    );
    expect(failure?.code).toBe(1);
    const out = failure!.stdout;
    expect(out).toContain(`resuming after batch ${batches[1]}, 2 batches`);
    expect(out).toMatch(new RegExp(`TAMPER batch ${batches[2]} INSERTED event \\d+`));
    expect(out).toMatch(new RegExp(`TAMPER batch ${batches[3]} DELETED leaf \\d+ 0x[0-9a-f]{64}`));
    expect(out).not.toContain(`TAMPER batch ${batches[0]}`);
    expect(out).toMatch(/audit: 4 batches, 16 events in [\d.]+ s \(\d+ events\/s\): TAMPERED: 2 batches, 2 findings/);
    const open = await db.query(`SELECT count(*) AS n FROM audit_run WHERE finished_at IS NULL`);
    expect(Number(open.rows[0].n)).toBe(0);
  }, 60_000);

  it('trusts the chain, not the batch row: an altered stored root is reported', async () => {
    await db.query(`UPDATE anchor_batch SET root = $2 WHERE id = $1`, [batches[0], Buffer.alloc(32, 7)]);
    const report = await audit(batches[0]);
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'ROOT_MISMATCH', detail: expect.stringContaining(`anchor_batch.root is 0x${'07'.repeat(32)}`) }),
    ]);
    expect(report.rebuiltRoot).toBe(report.chainRoot);
  });
});

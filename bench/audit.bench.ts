import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AnchorRegistryClient, deployAnchorRegistry, startAnvil } from '@pharmatrace/chain';
import { loadConfig } from '@pharmatrace/config';
import { commissioningEvent, epcisDocument, packingEvent, shippingEvent } from '@pharmatrace/epcis';
import { gs1CheckDigit } from '@pharmatrace/gs1';
import { buildMerkleTree, hex } from '@pharmatrace/merkle';
import { AnchorRepository } from '@pharmatrace/persistence';
import { Client } from 'pg';
import { ApiModule } from '../apps/api/src/api.module';
import { AuditRunner } from '../apps/api/src/audit/audit.runner';
import { createBenchDatabase } from './bench-db';
import type { BenchRow } from './bench.types';
import { benchSizes } from './sizes';

const ADMIN = 'bench-admin-token-0123456789';
const DOCS = benchSizes().auditDocs;
const BATCH_EVENTS = 10_000;
const GTIN = '0061414107346' + gs1CheckDigit('0061414107346');

/** 1,000 events: 800 packs commissioned, packed into 100 cases, shipped (the capture bench's mix). */
function document(n: number) {
  const t = Date.UTC(2026, 0, 1) + n * 60_000;
  const events = [];
  for (let c = 0; c < 100; c++) {
    const packs = Array.from({ length: 8 }, (_, i) => `https://id.gs1.org/01/${GTIN}/21/U${n}C${c}P${i}`);
    for (const epc of packs) events.push(commissioningEvent({ eventTime: new Date(t), epcs: [epc], lot: `LOT${n}`, expiry: '2029-12-31' }));
    const sscc = `urn:epc:id:sscc:0614141.${String(1_000_000_000 + n * 100 + c)}`;
    events.push(packingEvent({ eventTime: new Date(t + 1000), parent: sscc, children: packs }));
    events.push(shippingEvent({ eventTime: new Date(t + 2000), epcs: [sscc], to: 'urn:epc:id:pgln:0614141.00002' }));
  }
  return epcisDocument(events);
}

async function post(url: string, token: string, query: string, variables: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
  return body.data;
}

/** Audit throughput: captured events sealed in 10,000-event batches, anchored on anvil, then `npm run audit`'s runner. */
export async function benchAudit(): Promise<BenchRow[]> {
  const db = await createBenchDatabase('audit');
  const anvil = await startAnvil({ port: 0 });
  const [key] = anvil.accounts;
  const { address } = await deployAnchorRegistry({ rpcUrl: anvil.rpcUrl, privateKey: key.privateKey, chainId: anvil.chainId });
  const chain = new AnchorRegistryClient({
    rpcUrl: anvil.rpcUrl,
    contractAddress: address,
    privateKey: key.privateKey,
    chainId: anvil.chainId,
  });
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    ADMIN_TOKEN: ADMIN,
    CHAIN_RPC_URL: anvil.rpcUrl,
    CHAIN_ID: String(anvil.chainId),
    ANCHOR_CONTRACT_ADDRESS: address,
  });
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), { logger: ['error'] });
  const sql = new Client({ connectionString: db.url });
  try {
    app.useBodyParser('json', { limit: '50mb' });
    await app.listen(0, '127.0.0.1');
    await sql.connect();
    const url = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
    const org = await post(
      url,
      ADMIN,
      `mutation { createOrganization(input: { name: "Bench", role: MANUFACTURER, gln: "0614141000012", companyPrefixes: ["0614141"] }) { apiKey } }`,
      {},
    );
    for (let n = 0; n < DOCS; n++) {
      await post(url, org.createOrganization.apiKey, `mutation($d: JSON!) { captureEpcisDocument(document: $d) { capturedCount } }`, {
        d: document(n),
      });
    }
    const anchors = app.get(AnchorRepository);
    const build = (digests: Buffer[]) => buildMerkleTree(Buffer.concat(digests));
    for (
      let batch = await anchors.sealNextBatch({ maxEvents: BATCH_EVENTS, maxWaitMs: 0 }, build);
      batch;
      batch = await anchors.sealNextBatch({ maxEvents: BATCH_EVENTS, maxWaitMs: 0 }, build)
    ) {
      const sent = await chain.anchor(hex(batch.root), BigInt(batch.id), batch.leafCount);
      if ((await chain.waitForReceipt(sent.hash, 1, 10_000))?.status !== 1) throw new Error(`bench batch ${batch.id} not anchored`);
    }
    await sql.query(`UPDATE anchor_batch SET status = 'FINAL', checked_on_chain = true`);

    const started = performance.now();
    const summary = await app.get(AuditRunner).run({ restart: true });
    const wallSeconds = (performance.now() - started) / 1000;
    if (summary.tamperedBatches) throw new Error('bench database audited as tampered');
    const note = `${summary.events} events in ${summary.batches} batches of ≤ ${BATCH_EVENTS}: read rows, recompute CBV 2.0 hashes, rebuild tree, check node array against the Anchored log`;
    return [
      { name: 'audit throughput', value: Math.round(summary.eventsPerSecond), unit: 'events/s', note },
      {
        name: 'audit throughput incl. chain log scan and run bookkeeping',
        value: Math.round(summary.events / wallSeconds),
        unit: 'events/s',
      },
    ];
  } finally {
    await sql.end();
    await app.close();
    chain.destroy();
    await anvil.stop();
    await db.drop();
  }
}

if (require.main === module) benchAudit().then((rows) => console.table(rows));

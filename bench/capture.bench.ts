import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@pharmatrace/config';
import { commissioningEvent, epcisDocument, packingEvent, shippingEvent } from '@pharmatrace/epcis';
import { gs1CheckDigit } from '@pharmatrace/gs1';
import { ApiModule } from '../apps/api/src/api.module';
import { createBenchDatabase } from './bench-db';
import type { BenchRow } from './bench.types';

const ADMIN = 'bench-admin-token-0123456789';
const DOCS = Number(process.env.BENCH_CAPTURE_DOCS ?? 20);
const PACKS_PER_CASE = 8;
const GTIN = (() => {
  const body = '0061414107346';
  return body + gs1CheckDigit(body);
})();

/** 1,000 events the way a packaging line sends them: 800 packs commissioned, packed into 100 cases, shipped. */
function document(n: number) {
  const t = Date.UTC(2026, 0, 1) + n * 60_000;
  const events = [];
  const cases: string[] = [];
  for (let c = 0; c < 100; c++) {
    const serials = Array.from({ length: PACKS_PER_CASE }, (_, i) => `https://id.gs1.org/01/${GTIN}/21/D${n}C${c}P${i}`);
    for (const epc of serials)
      events.push(commissioningEvent({ eventTime: new Date(t), epcs: [epc], lot: `LOT${n}`, expiry: '2029-12-31' }));
    const sscc = `urn:epc:id:sscc:0614141.${String(1_000_000_000 + n * 100 + c)}`;
    cases.push(sscc);
    events.push(packingEvent({ eventTime: new Date(t + 1000), parent: sscc, children: serials }));
  }
  for (const sscc of cases)
    events.push(shippingEvent({ eventTime: new Date(t + 2000), epcs: [sscc], to: 'urn:epc:id:pgln:0614141.00002' }));
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

/** Capture throughput over real HTTP: GraphQL `captureEpcisDocument` with documents of 1,000 events. */
export async function benchCapture(): Promise<BenchRow[]> {
  const db = await createBenchDatabase('capture');
  const app = await NestFactory.create<NestExpressApplication>(
    ApiModule.forRoot(loadConfig({ NODE_ENV: 'production', DATABASE_URL: db.url, ADMIN_TOKEN: ADMIN })),
    { logger: ['error'] },
  );
  try {
    app.useBodyParser('json', { limit: '50mb' });
    await app.listen(0, '127.0.0.1');
    const url = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
    const org = await post(
      url,
      ADMIN,
      `mutation { createOrganization(input: { name: "Bench", role: MANUFACTURER, gln: "0614141000012", companyPrefixes: ["0614141"] }) { apiKey } }`,
      {},
    );
    const key = org.createOrganization.apiKey;
    const CAPTURE = `mutation($d: JSON!) { captureEpcisDocument(document: $d) { capturedCount } }`;
    const docs = Array.from({ length: DOCS + 2 }, (_, i) => document(i));
    for (const d of docs.slice(0, 2)) await post(url, key, CAPTURE, { d });

    const started = performance.now();
    const latencies: number[] = [];
    for (const d of docs.slice(2)) {
      const t0 = performance.now();
      await post(url, key, CAPTURE, { d });
      latencies.push(performance.now() - t0);
    }
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const events = DOCS * 1000;
    return [
      {
        name: 'capture throughput (1 client)',
        value: Math.round(events / seconds),
        unit: 'events/s',
        note: `${DOCS} documents of 1,000 events (800 commissioning, 100 packing, 100 shipping), GraphQL over HTTP`,
      },
      { name: 'capture latency p50 per 1,000-event document', value: Math.round(latencies[Math.floor(latencies.length / 2)]), unit: 'ms' },
      { name: 'capture latency max per 1,000-event document', value: Math.round(latencies.at(-1)!), unit: 'ms' },
    ];
  } finally {
    await app.close();
    await db.drop();
  }
}

if (require.main === module) benchCapture().then((rows) => console.table(rows));

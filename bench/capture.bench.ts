import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@pharmatrace/config';
import { ApiModule } from '../apps/api/src/api.module';
import { createBenchDatabase } from './bench-db';
import type { BenchRow } from './bench.types';
import { captureDocument } from './capture-document';
import { benchSizes } from './sizes';

const ADMIN = 'bench-admin-token-0123456789';
const DOCS = benchSizes().captureDocs;
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
    const docs = Array.from({ length: DOCS + 2 }, (_, i) => captureDocument(i));
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

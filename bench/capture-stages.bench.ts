import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@pharmatrace/config';
import type { EpcisValidator } from '@pharmatrace/epcis';
import { EventRepository } from '@pharmatrace/persistence';
import type { Writable } from 'node:stream';
import { Client } from 'pg';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { ApiModule } from '../apps/api/src/api.module';
import { CaptureService, EPCIS_VALIDATOR } from '../apps/api/src/capture/capture.service';
import { useJsonBodyParser } from '../apps/api/src/common/json-body.parser';
import { createBenchDatabase } from './bench-db';
import type { BenchRow } from './bench.types';
import { captureDocument } from './capture-document';
import { benchSizes } from './sizes';

const ADMIN = 'bench-admin-token-0123456789';
const CAPTURE = `mutation($d: JSON!) { captureEpcisDocument(document: $d) { capturedCount } }`;

/** Wall time per stage, summed over the measured documents. */
class Stages {
  readonly ms = new Map<string, number>();
  counting = false;
  add(stage: string, ms: number) {
    if (this.counting) this.ms.set(stage, (this.ms.get(stage) ?? 0) + ms);
  }
  /**
   * Counts the statements capture sends on its transaction's client outside TypeORM's query runner to each statement:
   * each COPY of its bulk rows, from the call until the stream finishes, and each statement it prepares (preparedRows,
   * a query object), until its answer.
   */
  wrapClientQueries() {
    const original = Client.prototype.query as unknown as (...args: unknown[]) => unknown;
    const add = (name: string, ms: number) => this.add(name, ms);
    (Client.prototype as unknown as Record<string, unknown>).query = function (this: unknown, ...args: unknown[]) {
      const query = args[0] as { text?: unknown; on?: unknown };
      const t = performance.now();
      const result = original.apply(this, args);
      if (typeof query?.text !== 'string') return result;
      const done = () => add(statementOf(query.text), performance.now() - t);
      if (query.text.startsWith('COPY') && result === query) (result as Writable).once('finish', done).once('error', done);
      else if (result instanceof Promise) void result.then(done, done);
      return result;
    };
  }

  /** Wraps `owner[method]` so every call's wall time (until its promise settles) counts to `stage`. */
  wrap<T extends object>(owner: T, method: keyof T & string, stage: (args: unknown[]) => string) {
    const original = owner[method] as unknown as (...args: unknown[]) => unknown;
    const add = (name: string, ms: number) => this.add(name, ms);
    (owner as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
      const t = performance.now();
      const result = original.apply(this, args);
      const done = () => add(stage(args), performance.now() - t);
      if (result instanceof Promise) return result.finally(done);
      done();
      return result;
    };
  }
}

/** A statement's label: its first words, so each of the capture's statements counts apart. */
function statementOf(sql: unknown): string {
  const s = String(sql).replace(/\s+/g, ' ').trim();
  const into = /^(INSERT INTO \w+|COPY \w+|WITH RECURSIVE tree|SELECT \w+\(|SELECT)/.exec(s);
  return `  SQL ${into ? into[1] : s.slice(0, 30)}`;
}

/**
 * Where a GraphQL capture's time goes, one client, documents of 1,000 events sent one after another to the API in
 * this process: wall time per document of the service's stages (schema validation, hashing, preparation, storing) and
 * of each SQL statement the store sends (Postgres's execution plus the round trip). What is left of the request is
 * HTTP, body parsing and GraphQL.
 */
export async function benchCaptureStages(): Promise<BenchRow[]> {
  const docs = benchSizes().captureDocs;
  const db = await createBenchDatabase('stages');
  const app = await NestFactory.create<NestExpressApplication>(
    ApiModule.forRoot(
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: db.url,
        ADMIN_TOKEN: ADMIN,
        LOG_LEVEL: 'error',
        RATE_LIMIT_PER_KEY_PER_MINUTE: '100000000',
        RATE_LIMIT_PER_IP_PER_MINUTE: '100000000',
      }),
    ),
    { logger: ['error'], bodyParser: true },
  );
  const stages = new Stages();
  try {
    useJsonBodyParser(app);
    const validator = app.get<EpcisValidator>(EPCIS_VALIDATOR);
    stages.wrap(validator, 'validateDocumentSliced', () => ' check: schema validation');
    stages.wrap(CaptureService.prototype, 'check', () => 'check (validation, hashing)');
    stages.wrap(CaptureService.prototype, 'prepare', () => 'prepare (EPCs, rules without state)');
    stages.wrap(CaptureService.prototype, 'capture', () => 'service total');
    stages.wrap(EventRepository.prototype, 'capture', () => 'store (one transaction)');
    stages.wrap(PostgresQueryRunner.prototype, 'query', (args) => statementOf(args[0]));
    stages.wrapClientQueries();
    await app.listen(0, '127.0.0.1');
    const url = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
    const post = async (token: string, body: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
      const answer = (await res.json()) as { data?: any; errors?: unknown[] };
      if (answer.errors) throw new Error(JSON.stringify(answer.errors).slice(0, 500));
      return answer.data;
    };
    const created = await post(
      ADMIN,
      JSON.stringify({
        query: `mutation { createOrganization(input: { name: "Bench", role: MANUFACTURER, gln: "0614141000012", companyPrefixes: ["0614141"] }) { apiKey } }`,
      }),
    );
    const key: string = created.createOrganization.apiKey;
    const bodies = Array.from({ length: docs + 2 }, (_, i) => JSON.stringify({ query: CAPTURE, variables: { d: captureDocument(i) } }));
    for (const body of bodies.slice(0, 2)) await post(key, body);
    stages.counting = true;
    const started = performance.now();
    for (const body of bodies.slice(2)) {
      const t = performance.now();
      await post(key, body);
      stages.add('request (HTTP round trip)', performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    stages.counting = false;
    const per = (stage: string) => Math.round(((stages.ms.get(stage) ?? 0) / docs) * 10) / 10;
    const sql = [...stages.ms.keys()].filter((k) => k.startsWith('  SQL')).sort((a, b) => stages.ms.get(b)! - stages.ms.get(a)!);
    const sqlTotal = sql.reduce((sum, k) => sum + per(k), 0);
    const order = ['request (HTTP round trip)', 'service total', 'check (validation, hashing)', ' check: schema validation'];
    return [
      {
        name: 'capture, 1 client',
        value: Math.round((docs * 1000) / seconds),
        unit: 'events/s',
        note: `${docs} documents of 1,000 events`,
      },
      ...order.map((stage) => ({ name: stage, value: per(stage), unit: 'ms/document' })),
      { name: 'prepare (EPCs, rules without state)', value: per('prepare (EPCs, rules without state)'), unit: 'ms/document' },
      { name: 'store (one transaction)', value: per('store (one transaction)'), unit: 'ms/document' },
      ...sql.map((stage) => ({ name: stage, value: per(stage), unit: 'ms/document' })),
      {
        name: '  store outside SQL (reducer, statement building)',
        value: Math.round((per('store (one transaction)') - sqlTotal) * 10) / 10,
        unit: 'ms/document',
      },
      {
        name: 'request outside the service (HTTP, body parsing, GraphQL)',
        value: Math.round((per('request (HTTP round trip)') - per('service total')) * 10) / 10,
        unit: 'ms/document',
      },
    ];
  } finally {
    await app.close();
    await db.drop();
  }
}

if (require.main === module) benchCaptureStages().then((rows) => console.table(rows));

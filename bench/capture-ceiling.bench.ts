import {
  copyLine,
  EVENT_COPY,
  EVENT_EPC_COPY,
  eventCopyLine,
  eventEpcCopyLine,
  PACK_STATE_COPY,
  packStateCopyLine,
} from '@pharmatrace/persistence';
import { cpus } from 'node:os';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import autocannon from 'autocannon';
import { applyEvents, type Organization } from '@pharmatrace/domain';
import { eventHashes } from '@pharmatrace/epcis';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { identify, prepareEvent } from '../apps/api/src/capture/event-preparation';
import type { ValidatedEvent } from '../apps/api/src/capture/event-facts';
import { hashApiKey } from '../apps/api/src/common/api-key';
import { answerQuantile, apiAnswerTimes, apiLoopDelayMax, type ApiProcess, cpuMeter, type CpuUse, startApiProcess } from './api-process';
import { createBenchDatabase } from './bench-db';
import { openLoop, type OpenLoopRequest } from './open-loop';
import type { BenchRow } from './bench.types';
import { captureDocument } from './capture-document';
import { BENCH_ORGANIZATIONS, benchPack, loadPacks } from './load-packs';
import { benchSizes } from './sizes';
import { scanOf, VERIFY_QUERY } from './verification.bench';

const CAPTURE = `mutation($d: JSON!) { captureEpcisDocument(document: $d) { capturedCount } }`;
const EVENTS_PER_DOCUMENT = 1000;
const RATIO_TARGET = 0.7;
const MIXED_VERIFY_P99_TARGET_MS = 50;
const MIXED_CAPTURE_SHARE_TARGET = 0.5;
const VERIFY_CONNECTIONS = 32;
const MANUFACTURER = BENCH_ORGANIZATIONS.manufacturer;

/** The document numbers the COPY and the API use never overlap, so every EPC is new to the database either way. */
const COPY_FIRST = 0;
export const API_FIRST = 100_000;

const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;
const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

/** The manufacturer as the capture rules see it, for building COPY rows with the API's own preparation. */
const manufacturer: Organization = {
  id: MANUFACTURER.id,
  name: MANUFACTURER.name,
  role: MANUFACTURER.role,
  gln: MANUFACTURER.gln,
  companyPrefixes: ['0614141'],
  ethAddress: null,
  requireSignedCaptures: false,
  createdAt: new Date(0),
};

async function insertManufacturer(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      `WITH o AS (INSERT INTO organization (id, name, role, gln, company_prefixes) VALUES ($1, $2, $3, $4, $5) RETURNING id)
       INSERT INTO api_key (organization_id, name, hash) SELECT id, 'default', $6 FROM o`,
      [
        MANUFACTURER.id,
        MANUFACTURER.name,
        MANUFACTURER.role,
        MANUFACTURER.gln,
        manufacturer.companyPrefixes,
        hashApiKey(MANUFACTURER.apiKey),
      ],
    );
  } finally {
    await c.end();
  }
}

interface CopyRows {
  event: string[];
  eventKey: string[];
  eventEpc: string[];
  packState: string[];
  events: number;
}

/**
 * The rows the API would write for documents [first, first + count): events hashed and prepared by the capture path's
 * own functions (prepareEvent), EPC index rows, and pack states from the same reducer. Built before the clock starts:
 * the COPY figure is the database's ceiling, not the bench's string building.
 */
export function copyRows(first: number, count: number, firstId: number): CopyRows {
  const rows: CopyRows = { event: [], eventKey: [], eventEpc: [], packState: [], events: 0 };
  let id = firstId;
  const recordTime = new Date();
  // As a capture writes them: every row of the load carries one record time (event, key, index row, state span).
  const recorded = recordTime.toISOString();
  for (let n = first; n < first + count; n++) {
    const document = captureDocument(n) as { '@context': unknown; epcisBody: { eventList: ValidatedEvent[] } };
    const hashes = eventHashes(document);
    const prepared = document.epcisBody.eventList.map((raw, i) => {
      const p = prepareEvent(manufacturer, raw, i, hashes[i].hash, document['@context'], []);
      if (!p.event) throw new Error(`document ${n} event ${i}: ${JSON.stringify(p.issues)}`);
      return { event: p.event, id: id++ };
    });
    for (const { event: e, id: eventId } of prepared) {
      rows.event.push(eventCopyLine(e, eventId, recorded, manufacturer.id));
      rows.eventKey.push(copyLine([`\\x${e.hash.toString('hex')}`, eventId, recorded]));
      for (const x of e.epcs) rows.eventEpc.push(eventEpcCopyLine(x.epc, e.eventTime, eventId, x.role, recorded));
    }
    const applied = applyEvents(
      [],
      prepared.map(({ event: e, id: eventId }) => ({ ...e.facts, eventId })),
      identify,
      { actorOf: () => ({ ...manufacturer }), recordTime, maxFutureSkewMs: 300_000 },
    );
    if (applied.violations.length) throw new Error(`document ${n} breaks a status rule: ${JSON.stringify(applied.violations[0])}`);
    for (const s of applied.states) rows.packState.push(packStateCopyLine(s, recorded, recorded));
    rows.events += prepared.length;
  }
  return rows;
}

async function copy(client: Client, sql: string, lines: string[]): Promise<void> {
  const stream: Writable = client.query(copyFrom(sql));
  for (let i = 0; i < lines.length; i += 5000) {
    if (!stream.write(lines.slice(i, i + 5000).join(''))) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  await finished(stream);
}

/** Loads the rows with COPY, one statement per table, all indexes, constraints and triggers live; seconds per table. */
async function copyLoad(client: Client, rows: CopyRows, firstId: number): Promise<Record<string, number>> {
  const seconds: Record<string, number> = {};
  const timed = async (name: string, work: () => Promise<unknown>) => {
    const t = performance.now();
    await work();
    seconds[name] = (performance.now() - t) / 1000;
  };
  await timed('event', () => copy(client, EVENT_COPY, rows.event));
  await timed('event_key', () => copy(client, `COPY event_key (event_hash, event_id, record_time) FROM STDIN`, rows.eventKey));
  await timed('event_epc', () => copy(client, EVENT_EPC_COPY, rows.eventEpc));
  await timed('pack_state', () => copy(client, PACK_STATE_COPY, rows.packState));
  await client.query(`SELECT setval(pg_get_serial_sequence('event', 'id'), $1)`, [firstId + rows.events - 1]);
  return seconds;
}

/** Request bodies for documents [first, first + count), serialized before any clock starts. */
const captureBodies = (first: number, count: number) =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ query: CAPTURE, variables: { d: captureDocument(first + i) } }));

async function postCapture(graphql: string, body: string): Promise<void> {
  const res = await fetch(graphql, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${MANUFACTURER.apiKey}` },
    body,
  });
  const answer = (await res.json()) as { data?: { captureEpcisDocument?: { capturedCount: number } }; errors?: unknown[] };
  if (answer.errors || answer.data?.captureEpcisDocument?.capturedCount !== EVENTS_PER_DOCUMENT)
    throw new Error(`capture: HTTP ${res.status} ${JSON.stringify(answer).slice(0, 500)}`);
}

/**
 * `clients` clients each sending the next body as soon as its previous one is answered, until the bodies run out or
 * `until()` says stop; the rate counts documents answered.
 */
async function captureLoad(
  graphql: string,
  bodies: string[],
  clients: number,
  until: () => boolean = () => false,
): Promise<{ events: number; seconds: number; latencies: number[] }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length && !until()) {
        const body = bodies[next++];
        const t = performance.now();
        await postCapture(graphql, body);
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { events: latencies.length * EVENTS_PER_DOCUMENT, seconds: (performance.now() - started) / 1000, latencies };
}

const perThousand = (ms: number, events: number) => round((ms / events) * 1000);
const share = (ms: number, use: CpuUse) => `${Math.round((100 * ms) / use.wall)}%`;
/** CPU per 1,000 events; with an API, where its main thread's time went, as the verification bench says it. */
const cpuNote = (use: CpuUse, events: number) =>
  `CPU per 1,000 events: API ${perThousand(use.api, events)} ms (main thread ${perThousand(use.mainThread, events)} ms), ` +
  `Postgres ${perThousand(use.postgres, events)} ms, client ${perThousand(use.client, events)} ms; cores busy ` +
  `${((use.api + use.postgres + use.client) / use.wall).toFixed(2)} of ${cpus().length}` +
  (use.api
    ? `; main thread running ${share(use.mainThread, use)}, waiting for a core ${share(use.mainWaiting, use)}, ` +
      `idle ${share(Math.max(0, use.wall - use.mainThread - use.mainWaiting), use)}`
    : '');

/**
 * Issue 18: capture through the API against the database's own ceiling, in one run on one schema. First the rows of
 * BENCH_CEILING_DOCS documents of 1,000 events (events, their EPC index, pack states, as the capture path would write
 * them) are loaded with COPY; then as many equivalent documents (other serials) are captured through GraphQL by
 * BENCH_CEILING_CLIENTS clients (4) against the API in its own process. Prints both rates, the ratio, and the CPU of
 * the API, its main thread and Postgres per 1,000 events for each, which says where the capture's extra time goes.
 */
export async function benchCaptureCeiling(): Promise<BenchRow[]> {
  const { ceilingDocs: docs, ceilingClients: clients } = benchSizes();
  const db = await createBenchDatabase('ceiling');
  const pg = new Client({ connectionString: db.url });
  let api: ApiProcess | undefined;
  try {
    await pg.connect();
    const database = new URL(db.url).pathname.slice(1);
    await insertManufacturer(db.url);
    console.log(`building the COPY rows of ${docs} documents`);
    const rows = copyRows(COPY_FIRST, docs, 1);
    // Connected before the meter starts, so its backend is counted.
    const loader = new Client({ connectionString: db.url });
    await loader.connect();
    const copyCpu = await cpuMeter(pg, database);
    const copyStarted = performance.now();
    const tables = await copyLoad(loader, rows, 1);
    const copySeconds = (performance.now() - copyStarted) / 1000;
    const copyUse = await copyCpu();
    await loader.end();
    const copyRate = rows.events / copySeconds;
    console.log(
      `COPY: ${Math.round(copyRate)} events/s (${Object.entries(tables)
        .map(([t, s]) => `${t} ${s.toFixed(1)} s`)
        .join(', ')})`,
    );
    for (const table of ['event', 'event_key', 'event_epc', 'pack_state']) await pg.query(`VACUUM ANALYZE ${table}`);

    api = await startApiProcess(db.url);
    const graphql = `${api.base}/graphql`;
    // Warm-up: JIT, the pool's connections and their prepared statements, as a running service has them.
    await captureLoad(graphql, captureBodies(API_FIRST, 2 * clients), clients);
    const bodies = captureBodies(API_FIRST + 2 * clients, docs);
    const captureCpu = await cpuMeter(pg, database, api.pid);
    const captured = await captureLoad(graphql, bodies, clients);
    const captureUse = await captureCpu();
    const captureRate = captured.events / captured.seconds;
    const ratio = captureRate / copyRate;
    const shape = `${docs} documents of 1,000 events (800 commissioning, 100 packing, 100 shipping)`;
    return [
      {
        name: 'COPY of the same rows (events, event_key, event_epc, pack_state)',
        value: Math.round(copyRate),
        unit: 'events/s',
        note: `${rows.events.toLocaleString('en')} events, ${rows.eventEpc.length.toLocaleString('en')} event_epc rows, ${rows.packState.length.toLocaleString('en')} packs; one connection, one COPY per table (${Object.entries(
          tables,
        )
          .map(([t, s]) => `${t} ${s.toFixed(1)} s`)
          .join(', ')}); ${cpuNote(copyUse, rows.events)}`,
      },
      {
        name: `capture through the API, ${clients} clients`,
        value: Math.round(captureRate),
        unit: 'events/s',
        note: `${shape}, GraphQL over HTTP, API in its own process; ${cpuNote(captureUse, captured.events)}`,
      },
      {
        name: '  ratio capture / COPY',
        value: round(ratio, 2),
        unit: '',
        note: `target ≥ ${RATIO_TARGET}: ${ratio >= RATIO_TARGET ? 'PASS' : 'FAIL'}`,
      },
      { name: '  latency p50 per document', value: Math.round(percentile(captured.latencies, 0.5)), unit: 'ms' },
      { name: '  latency max per document', value: Math.round(captured.latencies.at(-1)!), unit: 'ms' },
    ];
  } finally {
    await api?.stop();
    await pg.end();
    await db.drop();
  }
}

/**
 * Issue 18's mixed load, as a real day looks: over BENCH_MIXED_PACKS packs, the trivial GraphQL query's saturation is
 * measured, then capture alone (4 clients, 1,000-event documents), then GraphQL `verify` at half that saturation for
 * BENCH_MIXED_SECONDS while the same capture clients send documents as fast as they are answered: first to the same
 * API process, then to a second one (verification keeps the first).
 */
export async function benchMixedLoad(): Promise<BenchRow[]> {
  const { mixedPacks: packs, mixedSeconds: seconds, ceilingClients: clients } = benchSizes();
  const db = await createBenchDatabase('mixed');
  const pg = new Client({ connectionString: db.url });
  let api: ApiProcess | undefined;
  let capturer: ApiProcess | undefined;
  try {
    await pg.connect();
    const database = new URL(db.url).pathname.slice(1);
    const load = await loadPacks(db.url, packs);
    console.log(`loaded ${packs.toLocaleString('en')} packs in ${load.seconds.toFixed(1)} s`);
    // The documents ship to the bench's distributor, which a real manufacturer may do only while its licence is verified.
    const { distributor, regulator } = BENCH_ORGANIZATIONS;
    await pg.query(
      `INSERT INTO organization_licence (organization_id, type, issuing_authority, number, valid_from, valid_until, verified_by, verified_at)
       VALUES ($1, 'WHOLESALE_DISTRIBUTOR', 'Bench State Board', 'WD-1', '2020-01-01', '2040-01-01', $2, now())`,
      [distributor.id, regulator.id],
    );
    api = await startApiProcess(db.url);
    const graphql = `${api.base}/graphql`;
    const gqlHeaders = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ORGANIZATIONS.pharmacy.apiKey}` };
    const trivial: autocannon.Request = {
      method: 'POST',
      path: '/graphql',
      headers: gqlHeaders,
      body: JSON.stringify({ query: '{ __typename }' }),
    };
    // Scans at a fixed rate, evenly spaced (openLoop: autocannon's rate limit sends each second's budget in a burst).
    const scans: OpenLoopRequest[] = Array.from({ length: 20_000 }, (_, i) => ({
      method: 'POST',
      path: '/graphql',
      headers: gqlHeaders,
      body: JSON.stringify({ query: VERIFY_QUERY, variables: { c: scanOf(benchPack(Math.floor(Math.random() * packs)), i) } }),
    }));
    const verifyAt = async (rate: number, duration: number) => {
      const r = await openLoop({ base: api!.base, requests: scans, rate, seconds: duration, connections: VERIFY_CONNECTIONS });
      if (r.errors || r.non2xx) throw new Error(`verify: ${r.errors} errors (${r.firstError}), ${r.non2xx} non-2xx answers`);
      return r;
    };
    const cannon = async (request: autocannon.Request, duration: number, overallRate?: number) => {
      const r = await autocannon({
        url: api!.base,
        connections: VERIFY_CONNECTIONS,
        duration,
        requests: [request],
        ...(overallRate ? { overallRate } : {}),
      });
      if (r.errors || r.timeouts || r.non2xx) throw new Error(`${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx answers`);
      return r;
    };
    await cannon(trivial, 2);
    const saturation = (await cannon(trivial, Math.max(4, Math.round(seconds / 2)))).requests.average;
    const rate = Math.max(1, Math.round(saturation / 2));
    await verifyAt(rate, 3);

    let document = API_FIRST;
    const take = (count: number) => {
      const bodies = captureBodies(document, count);
      document += count;
      return bodies;
    };
    await captureLoad(graphql, take(2 * clients), clients);
    const soloCpu = await cpuMeter(pg, database, api.pid);
    const solo = await captureLoad(graphql, take(Math.max(2 * clients, Math.round(seconds / 2) * 4)), clients);
    const soloUse = await soloCpu();
    const soloRate = solo.events / solo.seconds;

    /** Verification at the fixed rate on the first API process while the capture clients send documents to `captureUrl`. */
    const mixed = async (captureUrl: string, label: string): Promise<BenchRow[]> => {
      // Enough documents for the whole window at the solo rate and then some; serialized now, not while latency is measured.
      const bodies = take(Math.ceil(((soloRate * seconds) / EVENTS_PER_DOCUMENT) * 1.5) + clients);
      let verifying = true;
      const mixedCpu = await cpuMeter(pg, database, api!.pid);
      await apiLoopDelayMax(api!.base);
      const answersBefore = await apiAnswerTimes(api!.base, '/graphql');
      const [verified, captured] = await Promise.all([
        verifyAt(rate, seconds).finally(() => (verifying = false)),
        captureLoad(captureUrl, bodies, clients, () => !verifying),
      ]);
      const mixedUse = await mixedCpu();
      const loopMax = await apiLoopDelayMax(api!.base);
      const answers = await apiAnswerTimes(api!.base, '/graphql');
      const own = (q: number) => `≤ ${answerQuantile(answersBefore, answers, q)} ms`;
      const mixedRate = captured.events / captured.seconds;
      const share = mixedRate / soloRate;
      const { p50, p99 } = verified.latency;
      const sustained = verified.achieved >= 0.95 * rate;
      if (captured.latencies.length === bodies.length) console.log('the capture clients ran out of documents before verification ended');
      return [
        {
          name: `${label}: verify at ${rate} req/s beside capture, p50`,
          value: Math.round(p50 * 10) / 10,
          unit: 'ms',
          note: `${seconds} s of evenly spaced scans over ${packs.toLocaleString('en')} packs, achieved ${Math.round(verified.achieved)} req/s`,
        },
        {
          name: '  p99',
          value: Math.round(p99 * 10) / 10,
          unit: 'ms',
          note:
            `target ≤ ${MIXED_VERIFY_P99_TARGET_MS} ms: ${p99 <= MIXED_VERIFY_P99_TARGET_MS && sustained ? 'PASS' : 'FAIL'}${sustained ? '' : ' (rate not sustained)'}; ` +
            `the verifying API's own answer times p50 ${own(0.5)}, p99 ${own(0.99)} (its histogram's buckets${captureUrl === graphql ? ', capture documents included' : ''}), ` +
            `its worst event-loop delay ${Math.round(loopMax)} ms`,
        },
        {
          name: `${label}: capture beside verification, ${clients} clients`,
          value: Math.round(mixedRate),
          unit: 'events/s',
          note: `${captured.latencies.length} documents; ${cpuNote(mixedUse, captured.events)} (the verifying process; Postgres includes verification)`,
        },
        {
          name: '  share of capture alone',
          value: Math.round(share * 100),
          unit: '%',
          note: `target ≥ ${MIXED_CAPTURE_SHARE_TARGET * 100}%: ${share >= MIXED_CAPTURE_SHARE_TARGET ? 'PASS' : 'FAIL'}`,
        },
      ];
    };
    const shared = await mixed(graphql, 'one API process');
    // The topology issue 18 builds: capture and verification in processes of their own, sharing the database only.
    // BENCH_CAPTURER_NICE=10: the capture process at a lower CPU priority than the verifying one, as an operator would
    // run bulk capture on a host shared with verification.
    capturer = await startApiProcess(db.url, { nice: Number(process.env.BENCH_CAPTURER_NICE ?? 0) });
    const capturerGraphql = `${capturer.base}/graphql`;
    await captureLoad(capturerGraphql, take(clients), clients);
    const split = await mixed(capturerGraphql, 'capture in a second API process');
    return [
      {
        name: 'saturation GraphQL { __typename }',
        value: Math.round(saturation),
        unit: 'req/s',
        note: `${VERIFY_CONNECTIONS} connections`,
      },
      {
        name: `capture alone, ${clients} clients`,
        value: Math.round(soloRate),
        unit: 'events/s',
        note: `1,000-event documents; ${cpuNote(soloUse, solo.events)}`,
      },
      ...shared,
      ...split,
    ];
  } finally {
    await capturer?.stop();
    await api?.stop();
    await pg.end();
    await db.drop();
  }
}

if (require.main === module) benchCaptureCeiling().then((rows) => console.table(rows));

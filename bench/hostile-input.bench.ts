import { Agent, request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { commissioningEvent, epcisDocument, MAX_LIST_LENGTH, MAX_NESTING_DEPTH, writeEpcisXml } from '@pharmatrace/epcis';
import { JSON_BODY_LIMIT } from '../apps/api/src/common/json-body.parser';
import { STREAMED_CAPTURE_THRESHOLD } from '../apps/api/src/epcis-rest/epcis-binding';
import { apiLoopDelayMax } from './api-process';
import { createBenchDatabase } from './bench-db';
import type { BenchRow } from './bench.types';
import { benchSizes } from './sizes';
import { startApiProcess, waitForJob } from './capture-formats.bench';

/**
 * Issue 13: one request must never delay `{ __typename }` by more than 50 ms, whatever it holds. While hostile
 * documents of growing size are sent (one at a time, over GraphQL and REST), and valid captures of up to the
 * 10,000-event limit, a probe asks `{ __typename }` back to back on its own connection; the figure is the probe's
 * worst round trip during each request (for REST captures, until their job has finished).
 */
const BUDGET_MS = 50;
const SITE = 'urn:epc:id:sgln:0614141.00777.0';
const SIZES = benchSizes().hostileSizes;
const REPEATS = benchSizes().hostileRepeats;
const VALID_SIZES = benchSizes().hostileValidEvents;

interface Answer {
  status: number;
  body: string;
  location?: string;
}

function post(url: string, path: string, body: string | Buffer, headers: Record<string, string>, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), location: res.headers.location }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Round trips of `{ __typename }`, back to back on their own connection, until stop() is called; resolves with every
 * latency in ms. The probe runs in a worker thread of its own, so the bench's sending of a 45 MB body or its polling
 * of a job never delays the probe's next request: what it measures is the server.
 */
function probe(url: string) {
  const worker = new Worker(PROBE_SOURCE, { eval: true, workerData: { url } });
  let started: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<number[]>((resolve, reject) => {
    worker.on('message', (m: { ready?: true; latencies?: number[]; error?: string }) => {
      if (m.ready) return started();
      started();
      if (m.error) reject(new Error(m.error));
      else resolve(m.latencies ?? []);
    });
    worker.once('error', reject);
  });
  return {
    /** Resolves once the first round trip is done: the probe is running. */
    ready: () => Promise.race([ready, done.then(() => undefined)]),
    stop: () => {
      worker.postMessage('stop');
      return done.finally(() => worker.terminate());
    },
  };
}

/** The probe's loop, as plain JavaScript for an eval'd worker (no TypeScript loader in a worker). */
const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const body = '{"query":"{ __typename }"}';
let running = true;
parentPort.once('message', () => (running = false));
const once = () => new Promise((resolve, reject) => {
  const req = request(workerData.url + '/graphql', { method: 'POST', agent,
    headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error('probe answered ' + res.statusCode + ': ' + text.slice(0, 200)))));
  });
  req.on('error', reject);
  req.end(body);
});
(async () => {
  const latencies = [];
  while (running) {
    const started = performance.now();
    await once();
    latencies.push(performance.now() - started);
    if (latencies.length === 1) parentPort.postMessage({ ready: true });
    // Lets the stop message in between round trips.
    await new Promise((r) => setImmediate(r));
  }
  agent.destroy();
  parentPort.postMessage({ latencies });
})().catch((e) => parentPort.postMessage({ error: String(e && e.message) }));
`;

const capture = (epcs: unknown[]) =>
  epcisDocument([
    {
      ...commissioningEvent({
        eventTime: new Date('2026-01-01T00:00:00Z'),
        epcs: [],
        lot: 'L1',
        expiry: '2028-01-31',
        bizLocation: SITE,
        readPoint: SITE,
      }),
      epcList: epcs,
    },
  ]);

interface Hostile {
  name: string;
  /** What the server must answer: HTTP status and the code in the body; for a 202, null if its job must succeed, 'job-fails' if not. */
  expect: [number, string | null];
  path: string;
  /** Built before the probe starts, so the bench's own work is not counted as the server's. */
  body: string;
  type: string;
}

const gql = (document: string) =>
  `{"query":"mutation($d: JSON!) { captureEpcisDocument(document: $d) { capturedCount } }","variables":{"d":${document}}}`;

function hostiles(size: number): Hostile[] {
  const invalidItems = JSON.stringify(capture(Array.from({ length: size }, () => 5)));
  const nulItems = gql(JSON.stringify(capture(Array.from({ length: size }, (_, i) => `urn:epc:id:sgtin:0614141.107346.${i}\u0000`))));
  const deep = `${'{"a":'.repeat(MAX_NESTING_DEPTH * 20)}1${'}'.repeat(MAX_NESTING_DEPTH * 20)}`;
  const deepDoc = `{"type":"EPCISDocument","epcisBody":{"eventList":[{"ex:deep":${deep}}]},"pad":${JSON.stringify('x'.repeat(size * 4))}}`;
  const xmlDeep = `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"><EPCISBody><EventList><ObjectEvent>${'<x>'.repeat(size)}${'</x>'.repeat(size)}</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`;
  const json = 'application/json';
  const ld = 'application/ld+json';
  return [
    // Past MAX_LIST_LENGTH the list is refused by the body's parser, before it is built: a request error (400).
    {
      name: `GraphQL capture, epcList of ${size} invalid items`,
      expect: size > MAX_LIST_LENGTH ? [400, 'INVALID_INPUT'] : [200, 'INVALID_DOCUMENT'],
      path: '/graphql',
      body: gql(invalidItems),
      type: json,
    },
    {
      name: `REST capture, epcList of ${size} invalid items`,
      expect: [400, size > MAX_LIST_LENGTH ? 'INVALID_INPUT' : 'INVALID_DOCUMENT'],
      path: '/epcis/capture',
      body: invalidItems,
      type: ld,
    },
    {
      name: `GraphQL capture, ${size} EPCs each ending in NUL (${Math.round(nulItems.length / 1024)} KiB)`,
      // Past the body limit the parser refuses it before anything else is done.
      expect: Buffer.byteLength(nulItems) > JSON_BODY_LIMIT ? [413, 'PAYLOAD_TOO_LARGE'] : [200, 'INVALID_INPUT'],
      path: '/graphql',
      body: nulItems,
      type: json,
    },
    {
      name: `REST capture, JSON nested ${MAX_NESTING_DEPTH * 20} deep + ${size * 4} B`,
      expect: [400, 'INVALID_INPUT'],
      path: '/epcis/capture',
      body: deepDoc,
      type: ld,
    },
    {
      name: `REST capture, XML nested ${size} deep`,
      // Past the threshold the binding streams the body: 202, then the job fails.
      expect: Buffer.byteLength(xmlDeep) > STREAMED_CAPTURE_THRESHOLD ? [202, 'job-fails'] : [400, 'MALFORMED_BODY'],
      path: '/epcis/capture',
      body: xmlDeep,
      type: 'application/xml',
    },
  ];
}

let serial = 0;
/** `events` commissionings of packs never seen before: each is hashed, checked and stored, not a duplicate. */
const validDocument = (events: number) =>
  epcisDocument(
    Array.from({ length: events }, () =>
      commissioningEvent({
        eventTime: new Date('2026-01-01T00:00:00Z'),
        epcs: [`urn:epc:id:sgtin:0614141.107346.V${serial++}`],
        lot: 'L1',
        expiry: '2028-01-31',
        bizLocation: SITE,
        readPoint: SITE,
      }),
    ),
  );

function validCaptures(events: number): Hostile[] {
  const xml = writeEpcisXml(validDocument(events), '2.0');
  return [
    {
      name: `GraphQL capture of ${events} valid events`,
      expect: [200, 'capturedCount'],
      path: '/graphql',
      body: gql(JSON.stringify(validDocument(events))),
      type: 'application/json',
    },
    {
      name: `REST capture of ${events} valid events, JSON-LD, to the job's end`,
      expect: [202, null],
      path: '/epcis/capture',
      body: JSON.stringify(validDocument(events)),
      type: 'application/ld+json',
    },
    {
      name: `REST capture of ${events} valid events, XML (${Math.round(xml.length / 1024)} KiB), to the job's end`,
      expect: [202, null],
      path: '/epcis/capture',
      body: xml,
      type: 'application/xml',
    },
  ];
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export async function benchHostileInput(): Promise<BenchRow[]> {
  // The probe and the hostile requests come from one address and key: rate limits are not what is measured here.
  Object.assign(process.env, { RATE_LIMIT_PER_KEY_PER_MINUTE: '1000000', RATE_LIMIT_PER_IP_PER_MINUTE: '1000000' });
  const db = await createBenchDatabase('hostile');
  const api = await startApiProcess(db.url);
  const rows: BenchRow[] = [];
  try {
    // A new connection for each request: a kept-alive one may be closed by the server (its keep-alive timeout) while
    // a job is awaited, and the next request written to it fails with EPIPE or ECONNRESET.
    const agent = new Agent({ keepAlive: false, maxSockets: 1 });
    const idle = probe(api.url);
    await idle.ready();
    await new Promise((r) => setTimeout(r, 1000));
    const baseline = (await idle.stop()).sort((a, b) => a - b);
    rows.push({ name: '{ __typename } round trip, idle (median)', value: round(baseline[Math.floor(baseline.length / 2)]), unit: 'ms' });
    rows.push({ name: '{ __typename } round trip, idle (worst of 1 s)', value: round(baseline[baseline.length - 1]), unit: 'ms' });
    let worstOverall = 0;
    let apiWorstOverall = 0;
    // Each case is built before its probe starts; valid captures anew for every repeat, so each stores new packs.
    const cases: { build: () => Hostile; fresh: boolean }[] = [
      ...SIZES.flatMap((size) => hostiles(size).map((hostile) => ({ build: () => hostile, fresh: false }))),
      ...VALID_SIZES.flatMap((events) => [0, 1, 2].map((k) => ({ build: () => validCaptures(events)[k], fresh: true }))),
    ];
    for (const { build, fresh } of cases) {
      let worst = 0;
      let apiWorst = 0;
      let answerMs = 0;
      let hostile = build();
      for (let r = 0; r < REPEATS; r++) {
        if (r > 0 && fresh) hostile = build();
        // Encoded here: turning a 45 MB string into bytes inside post() held the bench's own event loop, probe included.
        const bytes = Buffer.from(hostile.body, 'utf8');
        // Read (and so reset) before the probe starts: the scrape itself is not the request's work.
        await apiLoopDelayMax(api.url);
        const running = probe(api.url);
        await running.ready();
        const started = performance.now();
        const res = await post(
          api.url,
          hostile.path,
          bytes,
          { 'content-type': hostile.type, authorization: `Bearer ${api.apiKey}` },
          agent,
        );
        const [status, code] = hostile.expect;
        const inBody = code === null || code === 'job-fails' || res.body.includes(`"${code}"`);
        if (res.status !== status || !inBody) {
          await running.stop();
          throw new Error(`${hostile.name}: expected ${status} ${code}, got ${res.status} ${res.body.slice(0, 300)}`);
        }
        if (status === 202) {
          const job = await waitForJob(api.url, api.apiKey, res.location!, 20);
          if (job.success !== (code === null))
            throw new Error(
              `${hostile.name}: the capture job ${job.success ? 'succeeded' : `failed: ${JSON.stringify(job.errors).slice(0, 300)}`}`,
            );
        }
        answerMs = Math.max(answerMs, performance.now() - started);
        worst = Math.max(worst, ...(await running.stop()));
        apiWorst = Math.max(apiWorst, await apiLoopDelayMax(api.url));
      }
      worstOverall = Math.max(worstOverall, worst);
      apiWorstOverall = Math.max(apiWorstOverall, apiWorst);
      rows.push({
        name: `worst { __typename } during: ${hostile.name}`,
        value: round(worst),
        unit: 'ms',
        note: `${round(worst / BUDGET_MS)} × the ${BUDGET_MS} ms budget; the request answered in ${round(answerMs)} ms (worst of ${REPEATS}); the API's own event loop: worst delay ${round(apiWorst)} ms`,
      });
    }
    rows.push({
      name: 'worst stall of { __typename } overall',
      value: round(worstOverall),
      unit: 'ms',
      note: `budget ${BUDGET_MS} ms: ${worstOverall <= BUDGET_MS ? 'met' : 'MISSED'}`,
    });
    rows.push({
      name: "worst delay of the API's own event loop overall",
      value: round(apiWorstOverall),
      unit: 'ms',
      note: 'monitorEventLoopDelay in the API process (10 ms resolution): its stall, without what the machine gave to Postgres and the bench',
    });
    agent.destroy();
  } finally {
    api.child.kill();
    await db.drop();
  }
  return rows;
}

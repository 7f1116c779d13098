import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  commissioningEvent,
  EPCIS_CONTEXT,
  epcisDocument,
  type Json,
  packingEvent,
  shippingEvent,
  writeEpcisXml,
} from '@pharmatrace/epcis';
import { gs1CheckDigit, parsePackScan } from '@pharmatrace/gs1';
import { NODE_FLAGS } from '../scripts/dev-services/app.process';
import { createBenchDatabase } from './bench-db';
import type { BenchRow } from './bench.types';
import { benchSizes } from './sizes';

export type CaptureFormat = 'json' | 'xml';

const CONTENT_TYPE: Record<CaptureFormat, string> = { json: 'application/ld+json', xml: 'application/xml' };
const CREATION_DATE = '2026-01-01T00:00:00Z';
const GTIN = (() => {
  const body = '0061414107346';
  return body + gs1CheckDigit(body);
})();

/** Namespace of the logger's own record carried in the events below. */
export const LOGGER_NAMESPACE = 'https://logger.example/epcis/';
/** The @context of the documents documentChunks writes. */
export const DOCUMENT_CONTEXT = [EPCIS_CONTEXT, { logger: LOGGER_NAMESPACE }];

/** Incompressible text of `bytes` characters, the same for the same seed. */
function loggerRecord(seed: string, bytes: number): string {
  let out = '';
  for (let k = 0; out.length < bytes; k++) out += createHash('sha256').update(`${seed}:${k}`).digest('base64');
  return out.slice(0, bytes);
}

/**
 * A cold-chain logger's ObjectEvent: one SSCC observed in transit with `reports` temperature readings and,
 * when `recordBytes` > 0, the logger's raw record as an extension field. Large documents are made of these so
 * their size is payload, not EPCs to index, and 10,000 of them (GS1-EPCIS-Capture-Limit) reach 200 MB.
 */
export function sensorEvent(run: number, i: number, reports: number, recordBytes = 0): Json {
  const t = Date.UTC(2026, 0, 1) + run * 86_400_000 + i * 1000;
  return {
    type: 'ObjectEvent',
    eventTime: new Date(t).toISOString(),
    eventTimeZoneOffset: '+00:00',
    epcList: [`urn:epc:id:sscc:0614141.${String(1_000_000_000 + run * 100_000 + i)}`],
    action: 'OBSERVE',
    bizStep: 'sensor_reporting',
    disposition: 'in_transit',
    readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0' },
    sensorElementList: [
      {
        sensorMetadata: { time: new Date(t).toISOString(), deviceID: 'urn:epc:id:giai:4000001.111' },
        sensorReport: Array.from({ length: reports }, (_, k) => ({
          type: 'Temperature',
          value: 2 + ((i + k) % 60) / 10,
          uom: 'CEL',
          time: new Date(t - (reports - k) * 60_000).toISOString(),
        })),
      },
    ],
    ...(recordBytes > 0 ? { 'logger:record': loggerRecord(`${run}:${i}`, recordBytes) } : {}),
  };
}

/**
 * The `<…Event>` element of an event, as writeEpcisXml writes it, carrying the namespace declarations the writer
 * put on its root (other than the binding's own and `logger`, which documentChunks declares).
 */
export function xmlEventElement(event: Json): string {
  const xml = writeEpcisXml({ ...epcisDocument([event], CREATION_DATE), '@context': DOCUMENT_CONTEXT }, '2.0');
  const root = /<epcis:EPCISDocument[^>]*>/.exec(xml)![0];
  const declarations = [...root.matchAll(/ xmlns:(\w+)="[^"]*"/g)]
    .filter(([, prefix]) => prefix !== 'epcis' && prefix !== 'logger')
    .map(([d]) => d)
    .join('');
  const element = xml.slice(xml.indexOf('<EventList>') + '<EventList>'.length, xml.lastIndexOf('</EventList>'));
  return element.replace(/^<(\w+)/, `<$1${declarations}`);
}

function documentEnds(format: CaptureFormat): [string, string] {
  if (format === 'xml') {
    return [
      `<?xml version="1.0" encoding="UTF-8"?>\n<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:logger="${LOGGER_NAMESPACE}" schemaVersion="2.0" creationDate="${CREATION_DATE}"><EPCISBody><EventList>\n`,
      '</EventList></EPCISBody></epcis:EPCISDocument>\n',
    ];
  }
  return [
    `{"@context":${JSON.stringify(DOCUMENT_CONTEXT)},"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"${CREATION_DATE}","epcisBody":{"eventList":[\n`,
    ']}}\n',
  ];
}

/**
 * A capture document of `count` events, produced lazily in chunks of about 64 KiB, so a document of any size
 * can be sent without existing in memory. `event(i)` may return a string to put raw text (e.g. a broken
 * element) at position i.
 */
export async function* documentChunks(format: CaptureFormat, count: number, event: (i: number) => Json | string): AsyncGenerator<Buffer> {
  const [head, tail] = documentEnds(format);
  let pending = head;
  for (let i = 0; i < count; i++) {
    const e = event(i);
    const text = typeof e === 'string' ? e : format === 'xml' ? xmlEventElement(e) : JSON.stringify(e);
    pending += format === 'json' && i > 0 ? `,${text}` : text;
    if (pending.length >= 65_536) {
      yield Buffer.from(pending, 'utf8');
      pending = '';
    }
  }
  yield Buffer.from(pending + tail, 'utf8');
}

/**
 * POSTs a body to /epcis/capture; a Buffer goes with Content-Length, a stream chunked (unknown length, so the
 * binding streams it). Resolves with the job's Location.
 */
export function postCapture(
  baseUrl: string,
  apiKey: string,
  format: CaptureFormat,
  body: Buffer | AsyncIterable<Buffer>,
  headers: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}/epcis/capture`,
      {
        method: 'POST',
        headers: {
          ...headers,
          authorization: `Bearer ${apiKey}`,
          'content-type': CONTENT_TYPE[format],
          ...(Buffer.isBuffer(body) ? { 'content-length': String(body.length) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 202 && res.headers.location) resolve(res.headers.location);
          else reject(new Error(`POST /epcis/capture: ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 500)}`));
        });
      },
    );
    req.on('error', reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else Readable.from(body).on('error', reject).pipe(req);
  });
}

export interface CaptureJobState {
  running: boolean;
  success: boolean | null;
  errors: Record<string, unknown>[];
}

/** Polls the capture job until it is no longer running. */
export async function waitForJob(baseUrl: string, apiKey: string, location: string, pollMs = 20): Promise<CaptureJobState> {
  for (;;) {
    const res = await fetch(`${baseUrl}${location}`, { headers: { authorization: `Bearer ${apiKey}` } });
    const job = (await res.json()) as CaptureJobState;
    if (!job.running) return job;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** 10,000 events the way a packaging line sends them: 8,000 packs commissioned, packed into 1,000 cases, shipped. */
function packagingLineEvents(run: number): Json[] {
  const t = Date.UTC(2026, 1, 1) + run * 600_000;
  const events: Json[] = [];
  const cases: string[] = [];
  for (let c = 0; c < 1000; c++) {
    const serials = Array.from({ length: 8 }, (_, i) => `https://id.gs1.org/01/${GTIN}/21/F${run}C${c}P${i}`);
    for (const epc of serials)
      events.push(commissioningEvent({ eventTime: new Date(t), epcs: [epc], lot: `LOT${run}`, expiry: '2029-12-31' }));
    const sscc = `urn:epc:id:sscc:0614141.${String(2_000_000_000 + run * 1000 + c)}`;
    cases.push(sscc);
    events.push(packingEvent({ eventTime: new Date(t + 1000), parent: sscc, children: serials }));
  }
  for (const sscc of cases)
    events.push(shippingEvent({ eventTime: new Date(t + 2000), epcs: [sscc], to: 'urn:epc:id:pgln:0614141.00002' }));
  return events;
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const c of chunks) all.push(c);
  return Buffer.concat(all);
}

const ADMIN = 'bench-admin-token-0123456789';
const GLN = `061414100000${gs1CheckDigit('061414100000')}`;

interface ApiProcess {
  url: string;
  child: ChildProcess;
  apiKey: string;
}

/**
 * The API as production runs it (apps/api/src/main.ts), in a child process whose memory can be read from /proc. The
 * first process registers the bench's manufacturer; a later one on the same database is given its key (`options.apiKey`):
 * a second manufacturer could not declare the same company prefix (COMPANY_PREFIX_OVERLAP).
 */
export async function startApiProcess(databaseUrl: string, options: { apiKey?: string } = {}): Promise<ApiProcess> {
  const { apiKey } = options;
  const port = 38_000 + Math.floor(Math.random() * 2000);
  const root = join(__dirname, '..');
  // BENCH_API_NODE_ARGS (e.g. `--trace-gc` or `--cpu-prof`) go to the API's node, whose output is then shown.
  const nodeArgs = process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...NODE_FLAGS.api, ...nodeArgs, '-r', '@swc-node/register', join(root, 'apps/api/src/main.ts')], {
    cwd: root,
    // As production runs the compiled code: no source-map rewriting of stack traces, which @swc-node/register would
    // otherwise install (the first error thrown from each file parsed its source map: 45-60 ms on the event loop).
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      ADMIN_TOKEN: ADMIN,
      PORT: String(port),
      LOG_SQL: 'false',
      SWC_NODE_SOURCE_MAP_MODE: 'none',
    },
    stdio: ['ignore', nodeArgs.length ? 'inherit' : 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
    try {
      if (apiKey) {
        if (!(await fetch(`${url}/health`)).ok) throw new Error('the API is not ready');
        return { url, child, apiKey };
      }
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify({
          query: `mutation { createOrganization(input: { name: "Bench", role: MANUFACTURER, gln: "${GLN}", companyPrefixes: ["0614141"] }) { apiKey } }`,
        }),
      });
      const body = (await res.json()) as { data?: { createOrganization: { apiKey: string } }; errors?: unknown };
      if (!body.data) throw new Error(JSON.stringify(body.errors));
      return { url, child, apiKey: body.data.createOrganization.apiKey };
    } catch (e) {
      if (i > 600) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** kB figures of /proc/<pid>/status: VmRSS now, VmHWM the peak since the process started. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

const MiB = (kb: number) => Math.round(kb / 1024);

/** Scan strings as pharmacies' scanners send them: raw DataMatrix (GS separators), element strings, Digital Links. */
function scanInputs(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const serial = `S${i.toString(36).toUpperCase()}`;
    if (i % 3 === 0) out.push(`]d201${GTIN}17281231\u001d10LOT${i % 97}\u001d21${serial}`);
    else if (i % 3 === 1) out.push(`(01)${GTIN}(17)281231(10)LOT${i % 97}(21)${serial}`);
    else out.push(`https://id.gs1.org/01/${GTIN}/10/LOT${i % 97}/21/${serial}?17=281231`);
  }
  return out;
}

function benchScans(): BenchRow {
  const inputs = scanInputs(30_000);
  for (const s of inputs.slice(0, 3000)) parsePackScan(s);
  const started = performance.now();
  let rounds = 0;
  while (performance.now() - started < 2000) {
    for (const s of inputs) parsePackScan(s);
    rounds++;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    name: 'scan parses (parsePackScan)',
    value: Math.round((rounds * inputs.length) / seconds),
    unit: 'parses/s',
    note: 'raw DataMatrix with ]d2 and GS separators, bracketed element strings and Digital Link URIs in equal parts; 1 core',
  };
}

const LARGE_REPORTS = benchSizes().largeReports;
/** With 24 reports (about 3.5 KB), about 20 KB per event: 10,000 events make 200 MB. */
const LARGE_RECORD_BYTES = benchSizes().largeRecordBytes;
const LARGE_EVENTS = benchSizes().largeEvents;

/**
 * `npm run bench formats`: capture of 10,000-event JSON-LD and XML documents through POST /epcis/capture (until
 * the job reports success), scan parsing, and the API's peak RSS while it captures a 200 MB document streamed
 * to it. The API runs as a child process so its memory is its own.
 */
export async function benchCaptureFormats(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [benchScans()];
  const db = await createBenchDatabase('formats');
  let api: ApiProcess | undefined;
  try {
    api = await startApiProcess(db.url);
    const { url, apiKey, child } = api;
    let run = 0;
    // Warm-up: the first capture compiles the schema and fills the pools.
    const warmUp = packagingLineEvents(run).slice(0, 90);
    await waitForJob(
      url,
      apiKey,
      await postCapture(url, apiKey, 'json', await collect(documentChunks('json', warmUp.length, (i) => warmUp[i]))),
    );
    // Proceed ("greedy") capture stores in its own transactions of CAPTURE_CHUNK_EVENTS, judging each event alone.
    const runs = [
      ...(['json', 'xml'] as const).flatMap((format) =>
        (['buffered', 'streamed'] as const).map((mode) => ({ format, mode, proceed: false })),
      ),
      { format: 'json' as const, mode: 'buffered' as const, proceed: true },
    ];
    for (const { format, mode, proceed } of runs) {
      run++;
      const events = packagingLineEvents(run);
      const body = await collect(documentChunks(format, events.length, (i) => events[i]));
      const started = performance.now();
      const location = await postCapture(
        url,
        apiKey,
        format,
        mode === 'buffered' ? body : Readable.from([body]),
        proceed ? { 'GS1-Capture-Error-Behaviour': 'proceed' } : {},
      );
      const job = await waitForJob(url, apiKey, location);
      const seconds = (performance.now() - started) / 1000;
      if (!job.success) throw new Error(`${format} ${mode} capture failed: ${JSON.stringify(job.errors).slice(0, 500)}`);
      rows.push({
        name: `capture ${format === 'json' ? 'JSON-LD' : 'XML'} document of 10,000 events, ${mode}${proceed ? ', proceed' : ''}`,
        value: Math.round(events.length / seconds),
        unit: 'events/s',
        note:
          `${(body.length / 2 ** 20).toFixed(1)} MiB; POST /epcis/capture until the job reports success; ` +
          (mode === 'buffered' ? 'Content-Length given, read in memory' : 'chunked, spooled and streamed'),
      });
    }

    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    api = undefined;

    // Each large capture gets a fresh API process, so VmHWM (peak RSS since start) covers that capture alone.
    for (const format of ['json', 'xml'] as const) {
      run++;
      api = await startApiProcess(db.url, { apiKey });
      const before = memoryOf(api.child.pid!);
      let bytes = 0;
      const r = run;
      async function* counted() {
        for await (const chunk of documentChunks(format, LARGE_EVENTS, (i) => sensorEvent(r, i, LARGE_REPORTS, LARGE_RECORD_BYTES))) {
          bytes += chunk.length;
          yield chunk;
        }
      }
      const started = performance.now();
      const job = await waitForJob(api.url, api.apiKey, await postCapture(api.url, api.apiKey, format, counted()), 200);
      if (!job.success) throw new Error(`200 MB ${format} capture failed: ${JSON.stringify(job.errors).slice(0, 500)}`);
      const seconds = (performance.now() - started) / 1000;
      const after = memoryOf(api.child.pid!);
      rows.push({
        name: `peak RSS of the API capturing a ${Math.round(bytes / 1e6)} MB ${format === 'json' ? 'JSON-LD' : 'XML'} document`,
        value: MiB(after.hwm),
        unit: 'MiB',
        note:
          `RSS ${MiB(before.rss)} MiB after start; ${LARGE_EVENTS} events of ${LARGE_REPORTS} sensor reports and a ${LARGE_RECORD_BYTES}-byte logger record, sent chunked; ` +
          `captured in ${seconds.toFixed(1)} s (${Math.round(LARGE_EVENTS / seconds)} events/s, ${(bytes / 2 ** 20 / seconds).toFixed(1)} MiB/s)`,
      });
      const done = new Promise((res) => api!.child.once('exit', res));
      api.child.kill('SIGTERM');
      await done;
      api = undefined;
    }
    return rows;
  } finally {
    if (api) {
      const exited = new Promise((r) => api!.child.once('exit', r));
      api.child.kill('SIGTERM');
      await exited;
    }
    await db.drop();
  }
}

if (require.main === module) benchCaptureFormats().then((rows) => console.table(rows));

import { HISTORY_SQL, runMigrations } from '@pharmatrace/persistence';
import { Agent, request } from 'node:http';
import { Client } from 'pg';
import { createBenchDatabase } from './bench-db';
import { startApiProcess } from './api-process';
import type { BenchRow } from './bench.types';
import {
  BIG_LOT,
  bigLotPacks,
  HISTORY_MANUFACTURER,
  HISTORY_PHARMACY,
  HISTORY_REGULATOR,
  historyPack,
  loadHistory,
  PACKS_PER_UNIT,
} from './load-history';
import { benchSizes } from './sizes';

const { events: EVENTS, provenanceSeconds: PROVENANCE_SECONDS } = benchSizes();
const PROVENANCE_MAX_REQUESTS = 2000;
const LOT_REQUESTS = 20;
const PHARMACY_EVENTS_REQUESTS = 20;
const PROVENANCE_P99_TARGET_MS = 20;
const LOT_TARGET_MS = 1000;

/** What a regulator's explorer shows for a pack: every event with its proof, custody, aggregation and flags. */
const PROVENANCE_QUERY = `query($epc: String!) { provenance(epc: $epc) {
  epc visibility
  events { eventHash eventType action bizStep disposition eventTime recordTime readPoint bizLocation via event anchorStatus
           proof { eventDigest merkleProof root batchId chainId contractAddress transactionHash blockNumber status proofStatus
                   anchors { chainId contractAddress transactionHash blockNumber blockHash status reanchorCount } } }
  custody { holder { name gln role } location from to inTransit shipment destinationGln }
  aggregation { epc container packedAt unpackedAt packedBy { name gln } unpackedBy { name gln } packEvent unpackEvent }
  flags { code event at message actor { name gln } }
} }`;

/**
 * `first` is a variable, as an explorer sends it: GraphQL Armor's cost limit multiplies a literal `first: 100` into
 * 6,900 points, over the 5,000 allowed, for this very page.
 */
const LOT_QUERY = `query($gtin: String!, $lot: String!, $first: Int) { lot(gtin: $gtin, lot: $lot) {
  gtin lot status recalled scope
  countsByStatus { status count }
  countsByCustodian { organization { name gln } count }
  packs(first: $first) { edges { cursor node { epc serial status expiry container custodian { name gln } } } pageInfo { hasNextPage endCursor } }
} }`;

/** The API as in production, in a process of its own (bench/api-process.ts); its GraphQL endpoint. */
async function startApi(databaseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const api = await startApiProcess(databaseUrl);
  return { url: `${api.base}/graphql`, stop: () => api.stop() };
}

/** A pharmacy's first page of events, every kind or one business step: what its own stock screen asks. */
const PHARMACY_EVENTS_QUERY = `query($filter: EventFilter) { events(filter: $filter, first: 100) { edges { node { eventHash eventType } } } }`;

async function gql(url: string, query: string, variables: Record<string, unknown>, apiKey = HISTORY_REGULATOR.apiKey): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (!res.ok || body.errors) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  return body.data;
}

/**
 * One GraphQL request as a lean client sends it, for the timed loop: the body is kept as bytes and checked for an
 * answer without errors, not parsed. With fetch and JSON.parse the bench's own collections (48 in 15 s, 5-11 ms each)
 * fell inside 8 of the 15 slowest requests and were counted as the API's latency.
 */
function rawGql(url: string, agent: Agent, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${HISTORY_REGULATOR.apiKey}`,
        'content-length': Buffer.byteLength(body),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const answer = Buffer.concat(chunks);
        if (res.statusCode !== 200 || !answer.subarray(0, 24).equals(ANSWER_START) || answer.includes(ERRORS))
          reject(new Error(`HTTP ${res.statusCode}: ${answer.subarray(0, 500).toString()}`));
        else resolve();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const ANSWER_START = Buffer.from('{"data":{"provenance":{"');
const ERRORS = Buffer.from('"errors":[');

/** A pack's answer must hold the three levels it was loaded with, or the timings would measure a shallower walk. */
function checkProvenance(p: any): string | null {
  const containers = new Set(p.aggregation.map((a: { container: string }) => a.container));
  if (containers.size !== 3) return `expected pack → case → pallet → container, got ${containers.size} containers`;
  if (p.events.length < 11) return `expected at least 11 events, got ${p.events.length}`;
  if (p.events.some((e: { proof: unknown }) => !e.proof)) return 'an event has no proof';
  if (p.flags.length) return `unexpected flags: ${JSON.stringify(p.flags)}`;
  if (p.custody.length < 5) return `expected manufacturer → transit → distributor → transit → pharmacy, got ${p.custody.length} intervals`;
  return null;
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const round1 = (x: number) => Math.round(x * 10) / 10;

/** EXPLAIN ANALYZE of the statements behind the two measured queries, printed so a slow plan is visible with the figures. */
async function explain(databaseUrl: string, epc: string): Promise<void> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const plans: [string, string, unknown[]][] = [
      ['history (the provenance statement, each EPC read within its record-time span)', HISTORY_SQL, [epc]],
      [
        'lot countsByStatus',
        `SELECT status, count(*) AS n FROM pack_state WHERE gtin = $1 AND lot = $2 AND ($3::uuid IS NULL OR custodian_id = $3) GROUP BY status ORDER BY status`,
        [BIG_LOT.gtin, BIG_LOT.lot, null],
      ],
      [
        'lot countsByCustodian',
        `SELECT custodian_id, count(*) AS n FROM pack_state WHERE gtin = $1 AND lot = $2 AND ($3::uuid IS NULL OR custodian_id = $3)
         GROUP BY custodian_id ORDER BY count(*) DESC, custodian_id`,
        [BIG_LOT.gtin, BIG_LOT.lot, null],
      ],
      [
        'lot packs (first page)',
        `SELECT epc, serial, status, to_char(expiry, 'YYYY-MM-DD') AS expiry, custodian_id, container_epc FROM pack_state
         WHERE gtin = $1 AND lot = $2 AND ($3::uuid IS NULL OR custodian_id = $3) AND ($4::text IS NULL OR epc > $4) ORDER BY epc LIMIT $5`,
        [BIG_LOT.gtin, BIG_LOT.lot, null, null, 101],
      ],
    ];
    for (const [name, sql, params] of plans) {
      const { rows } = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      console.log(`\nEXPLAIN ANALYZE ${name}:\n${rows.map((r: Record<string, string>) => `  ${r['QUERY PLAN']}`).join('\n')}`);
    }
  } finally {
    await c.end();
  }
}

/**
 * Issue 5's read benchmarks over a history of `BENCH_EVENTS` events (default 10M) loaded with COPY: `provenance` of
 * random packs three aggregation levels deep, one regulator client sending requests back to back, and `lot` for a lot
 * of 100,000 packs with its counts and first page. BENCH_HISTORY_DB_URL reuses a database a previous run kept
 * (BENCH_KEEP_DB=1).
 */
export async function benchProvenance(): Promise<BenchRow[]> {
  const kept = process.env.BENCH_HISTORY_DB_URL;
  const db = kept ? { url: kept, drop: async () => undefined } : await createBenchDatabase('history');
  if (kept) await runMigrations(kept);
  const rows: BenchRow[] = [];
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  // A half-loaded database is of no use to a later run: it is kept only after a complete one.
  let complete = false;
  try {
    console.log(`loading about ${EVENTS.toLocaleString('en')} events into ${db.url}`);
    const load = await loadHistory(db.url, EVENTS);
    const shape = `${load.events.toLocaleString('en')} events, ${load.eventEpcRows.toLocaleString('en')} event_epc rows, ${load.packs.toLocaleString('en')} packs`;
    const gib = load.databaseBytes / 2 ** 30;
    if (load.loaded) {
      rows.push({
        name: 'history load, total (COPY, all indexes and constraints live)',
        value: Math.round(load.seconds),
        unit: 's',
        note: shape,
      });
      for (const [table, seconds] of Object.entries(load.tables)) rows.push({ name: `  ${table}`, value: round1(seconds), unit: 's' });
    } else {
      console.log(`reusing ${shape}`);
    }
    rows.push({ name: 'database size after load', value: Math.round(gib * 10) / 10, unit: 'GiB', note: `${shape}; target ≤ 30 GiB` });
    // Below about 800k events the history holds only the lot's first pallets: it is measured at the size it has.
    const lotPacks = bigLotPacks(load.units);

    api = await startApi(db.url);
    const randomEpc = () => historyPack(Math.floor(Math.random() * load.units), Math.floor(Math.random() * PACKS_PER_UNIT)).epc;
    for (let i = 0; i < 50; i++) {
      const epc = randomEpc();
      const problem = checkProvenance((await gql(api.url, PROVENANCE_QUERY, { epc })).provenance);
      if (problem) throw new Error(`provenance(${epc}): ${problem}`);
    }

    // What the timed loop asks, and how many events each answer holds, settled before it starts.
    const bodies: string[] = [];
    let eventsServed = 0;
    for (let i = 0; i < PROVENANCE_MAX_REQUESTS; i++) {
      const epc = randomEpc();
      bodies.push(JSON.stringify({ query: PROVENANCE_QUERY, variables: { epc } }));
    }
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const latencies: number[] = [];
    const started = performance.now();
    while (latencies.length < PROVENANCE_MAX_REQUESTS && performance.now() - started < PROVENANCE_SECONDS * 1000) {
      const t = performance.now();
      await rawGql(api.url, agent, bodies[latencies.length]);
      latencies.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    for (const body of bodies.slice(0, Math.min(latencies.length, 50))) {
      const { variables } = JSON.parse(body) as { variables: { epc: string } };
      eventsServed += (await gql(api.url, PROVENANCE_QUERY, variables)).provenance.events.length;
    }
    eventsServed *= latencies.length / Math.min(latencies.length, 50);
    latencies.sort((a, b) => a - b);
    const p99 = percentile(latencies, 0.99);
    const perPack = `${latencies.length} random packs of ${load.packs.toLocaleString('en')}, one client back to back for ${seconds.toFixed(0)} s (${Math.round(
      latencies.length / seconds,
    )} req/s); ${round1(eventsServed / latencies.length)} events with proofs per answer, 3 aggregation levels`;
    rows.push(
      { name: 'provenance(epc) p50', value: round1(percentile(latencies, 0.5)), unit: 'ms', note: perPack },
      {
        name: '  p99',
        value: round1(p99),
        unit: 'ms',
        note: `target ≤ ${PROVENANCE_P99_TARGET_MS} ms: ${p99 <= PROVENANCE_P99_TARGET_MS ? 'PASS' : 'FAIL'}`,
      },
      { name: '  max', value: round1(latencies.at(-1)!), unit: 'ms' },
    );

    const lotLatencies: number[] = [];
    for (let i = 0; i < LOT_REQUESTS + 2; i++) {
      const t = performance.now();
      const { lot } = await gql(api.url, LOT_QUERY, { ...BIG_LOT, first: 100 });
      const elapsed = performance.now() - t;
      const total = lot.countsByStatus.reduce((sum: number, s: { count: number }) => sum + s.count, 0);
      if (total !== lotPacks || lot.packs.edges.length !== Math.min(100, lotPacks))
        throw new Error(`lot answered ${total} packs and a page of ${lot.packs.edges.length}`);
      if (i >= 2) lotLatencies.push(elapsed);
    }
    lotLatencies.sort((a, b) => a - b);
    const lotMax = lotLatencies.at(-1)!;
    rows.push(
      {
        name: 'lot(gtin, lot) p50',
        value: Math.round(percentile(lotLatencies, 0.5)),
        unit: 'ms',
        note: `lot of ${lotPacks.toLocaleString('en')} packs: countsByStatus, countsByCustodian, first page of 100; ${LOT_REQUESTS} requests after 2 warm-up`,
      },
      {
        name: '  max',
        value: Math.round(lotMax),
        unit: 'ms',
        note: `target ≤ ${LOT_TARGET_MS} ms: ${lotMax <= LOT_TARGET_MS ? 'PASS' : 'FAIL'}`,
      },
    );
    // A non-regulator's events: read from its own events (event_reader), not by walking the history; a manufacturer's
    // through its products' GTIN keys.
    for (const [who, reader] of [
      ['a pharmacy', HISTORY_PHARMACY],
      ['a manufacturer', HISTORY_MANUFACTURER],
    ] as const)
      for (const [label, filter] of [
        ['every kind', {}],
        ['EQ_bizStep receiving', { EQ_bizStep: ['receiving'] }],
      ] as const) {
        const latencies: number[] = [];
        let served = 0;
        let stopped = false;
        for (let i = 0; i < PHARMACY_EVENTS_REQUESTS + 2; i++) {
          const t = performance.now();
          // A page the read timeout stops is a figure too (docs/benchmarks.md: a manufacturer's receipts at 10M
          // events); any other failure ends the suite.
          const answer = await gql(api.url, PHARMACY_EVENTS_QUERY, { filter }, reader.apiKey).catch((e: Error) => {
            if (!/QUERY_TOO_COMPLEX/.test(e.message)) throw e;
            stopped = true;
            return null;
          });
          if (!answer) break;
          if (i >= 2) latencies.push(performance.now() - t);
          served = answer.events.edges.length;
        }
        if (stopped) {
          rows.push({ name: `events(first: 100) as ${who}, ${label}`, value: NaN, unit: 'ms', note: 'stopped by the read timeout' });
          continue;
        }
        if (!served) throw new Error(`events (${label}) answered ${who} no event`);
        latencies.sort((a, b) => a - b);
        rows.push(
          {
            name: `events(first: 100) as ${who}, ${label}, p50`,
            value: round1(percentile(latencies, 0.5)),
            unit: 'ms',
            note: `${served} events on its first page; ${PHARMACY_EVENTS_REQUESTS} requests after 2 warm-up`,
          },
          { name: '  max', value: round1(latencies.at(-1)!), unit: 'ms' },
        );
      }
    await explain(db.url, randomEpc());
    complete = true;
    return rows;
  } finally {
    await api?.stop();
    if (process.env.BENCH_KEEP_DB === '1' && complete && !kept) console.log(`kept ${db.url} (BENCH_HISTORY_DB_URL=${db.url} reuses it)`);
    else await db.drop();
  }
}

if (require.main === module) benchProvenance().then((rows) => console.table(rows));

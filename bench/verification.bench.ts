import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { runMigrations } from '@pharmatrace/persistence';
import { Client } from 'pg';
import { createBenchDatabase } from './bench-db';
import { apiLoopDelayMax, cpuMs, readBytes, runQueueMs, startApiProcess } from './api-process';
import type { BenchRow } from './bench.types';
import { benchSizes } from './sizes';
import { BENCH_ORGANIZATIONS, benchPack, BenchPack, loadPacks } from './load-packs';
import { type LatencySummary, latencySummary, mergeLatencies, openLoop, type OpenLoopRequest, type OpenLoopResult } from './open-loop';
import { RedisMeter } from './redis-meter';

const sizes = benchSizes();
const PACKS = sizes.packs;
const SATURATION_SECONDS = sizes.saturationSeconds;
const SATURATION_ROUND_SECONDS = 4;
const LATENCY_SECONDS = sizes.latencySeconds;
/** The trivial endpoints at the fixed rate are a reference, not a target: a quarter of the time is enough. */
const BASELINE_LATENCY_SECONDS = Math.max(5, Math.round(LATENCY_SECONDS / 4));
/** Seconds of each non-baseline endpoint a round of the fixed-rate runs. */
const LATENCY_ROUND_SECONDS = 10;
/**
 * Load before measuring on the endpoints that read the database. Postgres's default 128 MB of shared buffers hold a
 * fraction of the 1M-pack database, and whatever ran before (a VACUUM, another bench, the test suite) leaves them
 * full of other pages: after 2 s the first rounds of `verify` still read most pages from the OS, and the ratio of the
 * same code ranged from 68 to 88% depending on what had run before. A verification service runs warm.
 */
const DATABASE_WARM_UP_SECONDS = sizes.warmUpSeconds;
const CONNECTIONS = 32;
const THROUGHPUT_RATIO_TARGET = 0.8;
const P99_TARGET_MS = 30;
const GS = '\u001d';

export const VERIFY_QUERY = `query($c: String!) { verify(code: $c) {
  status saleable alerts epc product { gtin serial lot expiry } custodian { name gln } container anchored checkedOnChain } }`;

const yymmdd = (iso: string) => iso.slice(2).replace(/-/g, '');
const randomPack = () => benchPack(Math.floor(Math.random() * PACKS));

/** The forms pharmacies' scanners send: raw DataMatrix with symbology identifier, bare GS-separated AIs, Digital Link. */
export function scanOf(p: BenchPack, form: number): string {
  switch (form % 4) {
    case 0:
    case 1:
      return `]d201${p.gtin}17${yymmdd(p.expiry)}10${p.lot}${GS}21${p.serial}`;
    case 2:
      return `01${p.gtin}21${p.serial}${GS}17${yymmdd(p.expiry)}10${p.lot}`;
    default:
      return `https://id.gs1.org/01/${p.gtin}/10/${p.lot}/21/${p.serial}?17=${yymmdd(p.expiry)}`;
  }
}

interface Target {
  name: string;
  request: autocannon.Request;
  /** `count` requests as the load sends them, for the fixed-rate runs (openLoop). */
  sample(count: number): OpenLoopRequest[];
  /** Fetches one answer the way the load does, and says what is wrong with it, if anything. */
  check(p: BenchPack, form: number): Promise<string | null>;
}

function targets(base: string): Record<'graphqlTrivial' | 'getTrivial' | 'verify' | 'vrs' | 'digitalLink', Target> {
  const { pharmacy, distributor } = BENCH_ORGANIZATIONS;
  const gqlHeaders = { 'content-type': 'application/json', authorization: `Bearer ${pharmacy.apiKey}` };
  const vrsPath = (p: BenchPack) =>
    `/verify/gtin/${p.gtin}/lot/${p.lot}/ser/${p.serial}?exp=${yymmdd(p.expiry)}&linkType=verificationService&context=dscsaSaleableReturn` +
    `&reqGLN=${distributor.gln}&corrUUID=${randomUUID()}`;
  const vrsHeaders = { authorization: `Bearer ${distributor.apiKey}` };
  const dlPath = (p: BenchPack) => `/01/${p.gtin}/10/${p.lot}/21/${p.serial}?17=${yymmdd(p.expiry)}`;
  const dlHeaders = { accept: 'application/json' };
  let form = 0;
  const json = async (res: Response) => (res.ok ? res.json() : Promise.reject(new Error(`HTTP ${res.status}: ${await res.text()}`)));
  return {
    graphqlTrivial: {
      name: 'GraphQL { __typename }',
      request: { method: 'POST', path: '/graphql', headers: gqlHeaders, body: JSON.stringify({ query: '{ __typename }' }) },
      sample: () => [{ method: 'POST', path: '/graphql', headers: gqlHeaders, body: JSON.stringify({ query: '{ __typename }' }) }],
      check: async () => {
        const body = await json(
          await fetch(`${base}/graphql`, { method: 'POST', headers: gqlHeaders, body: JSON.stringify({ query: '{ __typename }' }) }),
        );
        return body.data?.__typename === 'Query' ? null : JSON.stringify(body);
      },
    },
    getTrivial: {
      name: 'GET /health',
      request: { method: 'GET', path: '/health' },
      sample: () => [{ method: 'GET', path: '/health' }],
      check: async () => ((await json(await fetch(`${base}/health`))).status === 'ok' ? null : 'health not ok'),
    },
    verify: {
      name: 'GraphQL verify(code)',
      request: {
        method: 'POST',
        path: '/graphql',
        headers: gqlHeaders,
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: VERIFY_QUERY, variables: { c: scanOf(randomPack(), form++) } }) }),
      },
      sample: (count) =>
        Array.from({ length: count }, (_, i) => ({
          method: 'POST' as const,
          path: '/graphql',
          headers: gqlHeaders,
          body: JSON.stringify({ query: VERIFY_QUERY, variables: { c: scanOf(randomPack(), i) } }),
        })),
      check: async (p, f) => {
        const body = await json(
          await fetch(`${base}/graphql`, {
            method: 'POST',
            headers: gqlHeaders,
            body: JSON.stringify({ query: VERIFY_QUERY, variables: { c: scanOf(p, f) } }),
          }),
        );
        const v = body.data?.verify;
        return v?.saleable && v.status === 'ACTIVE' && v.epc === p.epc && v.checkedOnChain && v.custodian?.gln === pharmacy.gln
          ? null
          : JSON.stringify(body);
      },
    },
    vrs: {
      name: 'VRS GET /verify/gtin/…/lot/…/ser/…',
      request: { method: 'GET', path: '/verify', headers: vrsHeaders, setupRequest: (req) => ({ ...req, path: vrsPath(randomPack()) }) },
      sample: (count) =>
        Array.from({ length: count }, () => ({ method: 'GET' as const, path: vrsPath(randomPack()), headers: vrsHeaders })),
      check: async (p) => {
        const body = await json(await fetch(`${base}${vrsPath(p)}`, { headers: vrsHeaders }));
        return body.data?.verified === true && !body.data.additionalInfo ? null : JSON.stringify(body);
      },
    },
    digitalLink: {
      name: 'Digital Link GET /01/…/10/…/21/…',
      request: { method: 'GET', path: '/01', headers: dlHeaders, setupRequest: (req) => ({ ...req, path: dlPath(randomPack()) }) },
      sample: (count) => Array.from({ length: count }, () => ({ method: 'GET' as const, path: dlPath(randomPack()), headers: dlHeaders })),
      check: async (p) => {
        const body = await json(await fetch(`${base}${dlPath(p)}`, { headers: dlHeaders }));
        return body.saleable && body.epc === p.epc ? null : JSON.stringify(body);
      },
    },
  };
}

/** What CpuMeter saw between start and stop: CPU and waiting in ms, Postgres's pages read from the OS (null: unreadable). */
interface MeterReading {
  wall: number;
  server: number;
  mainThread: number;
  mainWaiting: number;
  postgres: number;
  postgresPages: number | null;
  client: number;
}

/**
 * CPU the API process and the Postgres backends serving the bench database spend per answered request: unlike
 * throughput, this does not depend on what else runs on the machine, so it explains the ratios on a busy box.
 */
class CpuMeter {
  constructor(
    private readonly serverPid: number,
    private readonly pg: Client,
    private readonly database: string,
  ) {}

  private async backends(): Promise<number[]> {
    const { rows } = await this.pg.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [
      this.database,
    ]);
    return rows.map((r: { pid: number }) => r.pid);
  }

  /**
   * The API's main thread is where JavaScript runs: once it is busy all the time, throughput stops growing. Its time
   * waiting for a core (runQueueMs) is what Postgres and the load generator cost it on cores they share; Postgres's
   * pages read from the OS (readBytes / 8 KiB), what its shared buffers did not hold.
   */
  async start(): Promise<() => Promise<MeterReading>> {
    const started = performance.now();
    const client = process.cpuUsage();
    const server = cpuMs(this.serverPid);
    const mainThread = cpuMs(this.serverPid, this.serverPid);
    const mainWaiting = runQueueMs(this.serverPid);
    const pids = await this.backends();
    const before = new Map(pids.map((pid) => [pid, cpuMs(pid)]));
    const readBefore = new Map(pids.map((pid) => [pid, readBytes(pid)]));
    return async () => {
      const after = await this.backends();
      const used = process.cpuUsage(client);
      const reads = after.map((pid) => {
        const now = readBytes(pid);
        return now === null ? null : now - (readBefore.get(pid) ?? 0);
      });
      return {
        wall: performance.now() - started,
        client: (used.user + used.system) / 1000,
        server: cpuMs(this.serverPid) - server,
        mainThread: cpuMs(this.serverPid, this.serverPid) - mainThread,
        mainWaiting: runQueueMs(this.serverPid) - mainWaiting,
        postgres: after.reduce((sum, pid) => sum + cpuMs(pid) - (before.get(pid) ?? 0), 0),
        postgresPages: reads.includes(null) ? null : reads.reduce((sum: number, bytes) => sum + bytes!, 0) / 8192,
      };
    };
  }
}

/**
 * A measured run starts after 2 s of the same load (unless the caller warmed up already): idle pool connections close
 * after 10 s, and a fresh Postgres backend pays tens of ms to warm its catalog caches, which would otherwise land on
 * the first requests measured.
 */
async function run(base: string, t: Target, seconds: number, overallRate?: number, warmUp = true): Promise<autocannon.Result> {
  const rate = overallRate ? { overallRate } : {};
  if (warmUp) await autocannon({ url: base, connections: CONNECTIONS, duration: 2, requests: [t.request], ...rate });
  const result = await autocannon({ url: base, connections: CONNECTIONS, duration: seconds, requests: [t.request], ...rate });
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(`${t.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  }
  return result;
}

const ms = (value: number) => Math.round(value * 10) / 10;

/** A fixed-rate run of several rounds, summarised as one. */
interface FixedRateResult {
  achieved: number;
  latency: LatencySummary;
  /** Each round's p99 in ms: how far the host drifted during the run. */
  roundP99: number[];
  apiLoopMax: number;
}

/**
 * Every target at `rate`, evenly spaced, in `rounds` rounds taken in turn (each target `seconds[key] / rounds` a
 * round) after 2 s of each, every error refused. On a shared host whose tail latency swings tenfold from one minute to
 * the next, back-to-back runs of a minute each compared the endpoints at different moments; in rounds, each target's
 * percentiles come from the same minutes. A fixed rate is what autocannon's `overallRate` is not: see openLoop.
 */
async function fixedRates<K extends string>(
  base: string,
  targets: Record<K, Target>,
  seconds: Record<K, number>,
  rate: number,
  rounds: number,
): Promise<Record<K, FixedRateResult>> {
  const keys = Object.keys(targets) as K[];
  const requests = Object.fromEntries(keys.map((k) => [k, targets[k].sample(20_000)])) as Record<K, OpenLoopRequest[]>;
  for (const k of keys) await openLoop({ base, requests: requests[k], rate, seconds: 2, connections: CONNECTIONS });
  const runs = Object.fromEntries(keys.map((k) => [k, [] as (OpenLoopResult & { seconds: number; apiLoopMax: number })[]])) as Record<
    K,
    (OpenLoopResult & { seconds: number; apiLoopMax: number })[]
  >;
  for (let round = 0; round < rounds; round++) {
    for (const k of keys) {
      const roundSeconds = seconds[k] / rounds;
      await apiLoopDelayMax(base);
      const r = await openLoop({ base, requests: requests[k], rate, seconds: roundSeconds, connections: CONNECTIONS });
      if (r.errors || r.non2xx) throw new Error(`${targets[k].name}: ${r.errors} errors (${r.firstError}), ${r.non2xx} non-2xx answers`);
      runs[k].push({ ...r, seconds: roundSeconds, apiLoopMax: await apiLoopDelayMax(base) });
    }
  }
  return Object.fromEntries(
    keys.map((k) => {
      const of = runs[k];
      const time = of.reduce((t, r) => t + r.sent / r.achieved, 0);
      return [
        k,
        {
          achieved: of.reduce((n, r) => n + r.sent, 0) / time,
          latency: latencySummary(mergeLatencies(of.map((r) => r.latencies))),
          roundP99: of.map((r) => r.latency.p99),
          apiLoopMax: Math.max(...of.map((r) => r.apiLoopMax)),
        },
      ];
    }),
  ) as Record<K, FixedRateResult>;
}

/**
 * Verification under load (issue 4) over `BENCH_PACKS` packs (default 1M): saturation throughput with 32 connections,
 * then latency at a fixed rate of half the trivial GraphQL query's saturation throughput, for GraphQL verify, VRS and
 * the Digital Link resolver, each beside a trivial GraphQL query and a trivial GET on the same server in the same run.
 */
export async function benchVerification(): Promise<BenchRow[]> {
  const kept = process.env.BENCH_DB_URL;
  const db = kept ? { url: kept, drop: async () => undefined } : await createBenchDatabase('verify');
  if (kept) await runMigrations(kept);
  const rows: BenchRow[] = [];
  const shared = `client (autocannon) and server share ${cpus().length} cores`;
  let server: Awaited<ReturnType<typeof startApiProcess>> | undefined;
  const pg = new Client({ connectionString: db.url });
  const redis = new RedisMeter();
  try {
    await pg.connect();
    const load = await loadPacks(db.url, PACKS);
    const shape = `${PACKS.toLocaleString('en')} packs, ${load.events.toLocaleString('en')} events, ${load.eventEpcRows.toLocaleString('en')} event_epc rows`;
    console.log(load.loaded ? `loaded ${shape} in ${load.seconds.toFixed(1)} s` : `reusing ${shape} in ${db.url}`);
    if (load.loaded)
      rows.push({ name: 'bulk load (COPY, indexes rebuilt, analyzed)', value: Math.round(load.seconds), unit: 's', note: shape });

    server = await startApiProcess(db.url);
    const t = targets(server.base);
    for (const target of Object.values(t)) {
      for (let i = 0; i < 8; i++) {
        const problem = await target.check(randomPack(), i);
        if (problem) throw new Error(`${target.name} answered wrongly: ${problem.slice(0, 500)}`);
      }
    }

    const meter = new CpuMeter(server.pid, pg, new URL(db.url).pathname.slice(1));
    // Redis per verification (the rate limits; BullMQ's ticks do not follow load): the figure docs/capacity.md sizes Redis by.
    const redisUse = { commands: 0, micros: 0, requests: 0 };
    const saturation: Record<string, number> = {};
    const cpu: Record<string, string> = {};
    // The endpoints take turns in short rounds rather than one long run each: on a shared machine whose speed drifts
    // by a third from minute to minute, back-to-back runs compared the endpoints at different speeds.
    const rounds = Math.max(1, Math.round(SATURATION_SECONDS / SATURATION_ROUND_SECONDS));
    const totals = Object.fromEntries(
      Object.keys(t).map((k) => [
        k,
        {
          requests: 0,
          seconds: 0,
          wall: 0,
          server: 0,
          mainThread: 0,
          mainWaiting: 0,
          postgres: 0,
          pages: 0 as number | null,
          client: 0,
          p99: 0,
        },
      ]),
    );
    for (const [key, target] of Object.entries(t)) await run(server.base, target, key.endsWith('Trivial') ? 2 : DATABASE_WARM_UP_SECONDS);
    for (let round = 0; round < rounds; round++) {
      for (const [key, target] of Object.entries(t)) {
        const stop = await meter.start();
        const stopRedis = key === 'verify' ? await redis.start() : undefined;
        const r = await run(server.base, target, SATURATION_ROUND_SECONDS, undefined, false);
        const used = await stop();
        if (stopRedis) {
          const { commands, micros } = await stopRedis();
          redisUse.commands += commands;
          redisUse.micros += micros;
          redisUse.requests += r.requests.total;
        }
        const sum = totals[key];
        sum.requests += r.requests.total;
        sum.seconds += r.duration;
        sum.wall += used.wall;
        sum.server += used.server;
        sum.mainThread += used.mainThread;
        sum.mainWaiting += used.mainWaiting;
        sum.postgres += used.postgres;
        sum.pages = sum.pages === null || used.postgresPages === null ? null : sum.pages + used.postgresPages;
        sum.client += used.client;
        sum.p99 = Math.max(sum.p99, r.latency.p99);
      }
    }
    for (const [key, target] of Object.entries(t)) {
      const sum = totals[key];
      saturation[key] = sum.requests / sum.seconds;
      const per = (ms: number) => (ms / sum.requests).toFixed(2);
      const share = (ms: number) => `${Math.round((100 * ms) / sum.wall)}%`;
      // Where the main thread's time went: a thread that is running or waiting for a core all the time is the limit;
      // waiting says the other processes on the shared cores (Postgres, the load generator) held it back.
      const mainTime =
        `main thread running ${share(sum.mainThread)}, waiting for a core ${share(sum.mainWaiting)}, ` +
        `idle ${share(Math.max(0, sum.wall - sum.mainThread - sum.mainWaiting))}`;
      const pages = sum.pages === null ? '' : `, ${(sum.pages / sum.requests).toFixed(2)} pages read from the OS`;
      cpu[key] =
        `CPU per request: API ${per(sum.server)} ms (main thread ${per(sum.mainThread)} ms), Postgres ${per(sum.postgres)} ms${pages}, ` +
        `client ${per(sum.client)} ms; ${mainTime}`;
      console.log(`saturation ${target.name}: ${Math.round(saturation[key])} req/s, worst round p99 ${sum.p99} ms; ${cpu[key]}`);
    }
    rows.push(
      {
        name: `saturation ${t.graphqlTrivial.name}`,
        value: Math.round(saturation.graphqlTrivial),
        unit: 'req/s',
        note: `${CONNECTIONS} connections, ${SATURATION_SECONDS} s each in rounds of ${SATURATION_ROUND_SECONDS} s taken in turn; ${shared}; ${cpu.graphqlTrivial}`,
      },
      { name: `saturation ${t.getTrivial.name}`, value: Math.round(saturation.getTrivial), unit: 'req/s', note: cpu.getTrivial },
    );
    // Issue 4 sets the throughput target for GraphQL verify against the trivial GraphQL query; VRS and the resolver are
    // plain GETs, shown against GET /health (which does no authentication, parsing or database work) for reference.
    for (const [key, against] of [
      ['verify', 'graphqlTrivial'],
      ['vrs', 'getTrivial'],
      ['digitalLink', 'getTrivial'],
    ] as const) {
      const ratio = saturation[key] / saturation[against];
      const targeted = key === 'verify';
      rows.push(
        {
          name: `saturation ${t[key].name}`,
          value: Math.round(saturation[key]),
          unit: 'req/s',
          note: `random packs of ${PACKS.toLocaleString('en')}; ${cpu[key]}`,
        },
        {
          name: `  ratio to ${t[against].name}`,
          value: Math.round(ratio * 100),
          unit: '%',
          note: targeted
            ? `target ≥ ${THROUGHPUT_RATIO_TARGET * 100}%: ${ratio >= THROUGHPUT_RATIO_TARGET ? 'PASS' : 'FAIL'}`
            : 'reference',
        },
      );
    }

    rows.push({
      name: `Redis per ${t.verify.name}, at saturation`,
      value: Math.round((redisUse.commands / redisUse.requests) * 1000) / 1000,
      unit: 'commands',
      note: `${ms(redisUse.micros / redisUse.requests)} µs of Redis CPU a request (INFO commandstats; one API key, whose rate-limit counters are flushed every 100 ms)`,
    });

    const rate = Math.max(1, Math.round(saturation.graphqlTrivial / 2));
    const latencyKeys = ['graphqlTrivial', 'getTrivial', 'verify', 'vrs', 'digitalLink'] as const;
    const isBaseline = (key: (typeof latencyKeys)[number]) => key === 'graphqlTrivial' || key === 'getTrivial';
    const latencyTargets = Object.fromEntries(latencyKeys.map((k) => [k, t[k]])) as Record<(typeof latencyKeys)[number], Target>;
    const latencySeconds = Object.fromEntries(
      latencyKeys.map((k) => [k, isBaseline(k) ? BASELINE_LATENCY_SECONDS : LATENCY_SECONDS]),
    ) as Record<(typeof latencyKeys)[number], number>;
    const latencyRounds = Math.max(1, Math.round(LATENCY_SECONDS / LATENCY_ROUND_SECONDS));
    const fixed = await fixedRates(server.base, latencyTargets, latencySeconds, rate, latencyRounds);
    for (const key of latencyKeys) {
      const baseline = isBaseline(key);
      const seconds = latencySeconds[key];
      const r = fixed[key];
      const { p50, p97_5, p99, max } = r.latency;
      const spread = `rounds' p99 ${ms(Math.min(...r.roundP99))}–${ms(Math.max(...r.roundP99))} ms`;
      console.log(
        `${rate} req/s ${t[key].name}: p50 ${ms(p50)} ms, p97.5 ${ms(p97_5)} ms, p99 ${ms(p99)} ms (${spread}), max ${ms(max)} ms ` +
          `(the API's own loop: ${ms(r.apiLoopMax)} ms at worst), achieved ${Math.round(r.achieved)} req/s`,
      );
      // Latency counts from when each request was due, so a server that falls behind is charged for it; the rate is
      // checked too, since a run that ends late has spread the same requests thinner.
      const sustained = r.achieved >= 0.95 * rate;
      const verdict = baseline
        ? 'reference'
        : `target p99 ≤ ${P99_TARGET_MS} ms: ${p99 <= P99_TARGET_MS && sustained ? 'PASS' : 'FAIL'}${sustained ? '' : ' (rate not sustained)'}`;
      rows.push(
        {
          name: `${t[key].name} at ${rate} req/s: p50`,
          value: ms(p50),
          unit: 'ms',
          note: `${seconds} s of evenly spaced requests (${CONNECTIONS} connections at most) in ${latencyRounds} rounds taken in turn with the other endpoints, achieved ${Math.round(r.achieved)} req/s`,
        },
        { name: `  p97.5`, value: ms(p97_5), unit: 'ms' },
        { name: `  p99`, value: ms(p99), unit: 'ms', note: `${verdict}; ${spread}` },
        { name: `  max`, value: ms(max), unit: 'ms', note: `the API's own worst event-loop delay ${ms(r.apiLoopMax)} ms` },
      );
    }
    return rows;
  } finally {
    await pg.end();
    await redis.close();
    await server?.stop();
    if (process.env.BENCH_KEEP_DB === '1' && !kept) console.log(`kept ${db.url} (BENCH_DB_URL=${db.url} reuses it)`);
    else await db.drop();
  }
}

if (require.main === module) benchVerification().then((rows) => console.table(rows));

import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { NODE_FLAGS } from '../scripts/dev-services/app.process';

const ROOT = join(__dirname, '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export interface ApiProcess {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The API as production runs it (its Node flags too), in a process of its own so the load generator does not share its event loop.
 * BENCH_CPU_PROF=1 writes a V8 CPU profile of it to bench/results/ when it stops. The load comes from one key and one
 * address: the rate limits would measure the throttler's refusals, not the path. `nice`: the process's CPU priority
 * (0 normal, up to 19 lowest), as an operator may give bulk capture on a host it shares with verification.
 */
export async function startApiProcess(databaseUrl: string, options: { nice?: number } = {}): Promise<ApiProcess> {
  const port = await freePort();
  const profile = process.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', '--cpu-prof-dir', join(ROOT, 'bench', 'results')] : [];
  if (profile.length) mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  // BENCH_API_NODE_ARGS (e.g. `--trace-gc`, `--max-semi-space-size=64`) go to the API's node, whose output is then shown.
  const nodeArgs = process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...NODE_FLAGS.api, ...profile, ...nodeArgs, '-r', '@swc-node/register', 'apps/api/src/main.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        ADMIN_TOKEN: 'bench-admin-token-0123456789',
        RATE_LIMIT_PER_KEY_PER_MINUTE: '100000000',
        RATE_LIMIT_VERIFY_PER_KEY_PER_MINUTE: '100000000',
        RATE_LIMIT_PER_IP_PER_MINUTE: '100000000',
      },
      stdio: ['ignore', nodeArgs.length ? 'inherit' : 'ignore', 'inherit'],
    },
  );
  if (options.nice) setPriority(child.pid!, options.nice);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} before answering`);
    if (Date.now() > deadline) throw new Error('the API did not answer /health within 120 s');
    const up = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** CPU time (user + system) of a process, or one thread of it, in ms, from /proc (Linux); 0 where unreadable. */
export function cpuMs(pid: number, thread?: number): number {
  try {
    const fields = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8')
      .split(') ')[1]
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * Time a thread has spent runnable but waiting for a core (the run queue), in ms, from /proc schedstat (Linux with
 * scheduler statistics); 0 where unreadable. Beside cpuMs it says whether a busy thread was held back by the work
 * of other processes on the same cores rather than by its own.
 */
export function runQueueMs(pid: number, thread = pid): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return 0;
  }
}

/**
 * Bytes a process has read through read(2) and its kin (`rchar` in /proc/<pid>/io): for a Postgres backend, the pages
 * its shared buffers did not hold, at 8 KiB each, whether the OS had them cached or not. Null where unreadable (the
 * file is readable by the process's owner and root only).
 */
export function readBytes(pid: number): number | null {
  try {
    return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
  } catch {
    return null;
  }
}

export interface CpuUse {
  /** Wall-clock time between start and stop. */
  wall: number;
  /** The API process, all threads. */
  api: number;
  /** Its main thread, where JavaScript runs. */
  mainThread: number;
  /** Its main thread's time runnable but waiting for a core (runQueueMs). */
  mainWaiting: number;
  /** The Postgres backends of the bench database (ended ones count up to their last reading). */
  postgres: number;
  /** This (load-generating) process. */
  client: number;
}

/**
 * CPU spent by the API, its main thread, the bench database's Postgres backends and the load generator between
 * start() and the function it returns: unlike throughput, this says what each part costs whatever else the machine runs.
 */
export async function cpuMeter(pg: Client, database: string, apiPid?: number): Promise<() => Promise<CpuUse>> {
  const backends = async () =>
    (await pg.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database])).rows.map(
      (r: { pid: number }) => r.pid,
    );
  const started = performance.now();
  const client = process.cpuUsage();
  const api = apiPid ? cpuMs(apiPid) : 0;
  const mainThread = apiPid ? cpuMs(apiPid, apiPid) : 0;
  const mainWaiting = apiPid ? runQueueMs(apiPid) : 0;
  const before = new Map((await backends()).map((pid) => [pid, cpuMs(pid)]));
  return async () => {
    const after = await backends();
    const used = process.cpuUsage(client);
    return {
      wall: performance.now() - started,
      client: (used.user + used.system) / 1000,
      api: apiPid ? cpuMs(apiPid) - api : 0,
      mainThread: apiPid ? cpuMs(apiPid, apiPid) - mainThread : 0,
      mainWaiting: apiPid ? runQueueMs(apiPid) - mainWaiting : 0,
      postgres: after.reduce((sum, pid) => sum + cpuMs(pid) - (before.get(pid) ?? 0), 0),
    };
  };
}

/**
 * The API's own worst event-loop delay since the last call, in ms (prom-client's monitorEventLoopDelay, 10 ms
 * resolution, reset by each scrape): the server's stall without the time the machine gave to other processes.
 */
export async function apiLoopDelayMax(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('nodejs_eventloop_lag_max_seconds '));
  return line ? Number(line.split(' ')[1]) * 1000 : NaN;
}

/**
 * The API's own answer times to POST `route` with status 200, from its pharmatrace_http_request_duration_seconds
 * histogram: cumulative counts by bucket bound, in ms. Read before and after a run (answerQuantile), they separate the
 * server's time from what a fixed-rate client adds when all its connections are busy and a request waits for one.
 */
export async function apiAnswerTimes(url: string, route: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('pharmatrace_http_request_duration_seconds_bucket{')) continue;
    if (!line.includes(`route="${route}"`) || !line.includes('method="POST"') || !line.includes('status_code="200"')) continue;
    const le = /le="([^"]+)"/.exec(line)![1];
    counts.set(le === '+Inf' ? Infinity : Number(le) * 1000, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

/** The bound (ms) of the first bucket holding quantile `q` of the answers counted between the two readings. */
export function answerQuantile(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count = (bound: number) => after.get(bound)! - (before.get(bound) ?? 0);
  const total = count(Infinity);
  return bounds.find((bound) => count(bound) >= q * total) ?? Infinity;
}

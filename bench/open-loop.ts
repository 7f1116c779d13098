import { Worker } from 'node:worker_threads';

export interface OpenLoopRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface OpenLoopOptions {
  /** The server's origin, `http://127.0.0.1:port`. */
  base: string;
  /** Sent in turn, request i being requests[i % length]. */
  requests: OpenLoopRequest[];
  /** Requests per second, evenly spaced. */
  rate: number;
  seconds: number;
  /** Keep-alive connections at most; a request finding them all busy waits for one, and its wait counts. */
  connections: number;
}

export interface OpenLoopResult {
  /** Requests answered per second over the run. */
  achieved: number;
  sent: number;
  errors: number;
  /** The first error's message, if any. */
  firstError: string | null;
  non2xx: number;
  /** Latency percentiles in ms, each from the request's scheduled start (so a server that falls behind is charged). */
  latency: LatencySummary;
  /** Every request's latency in ms, ascending: runs taken in rounds are summarised together (latencySummary). */
  latencies: Float64Array;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  max: number;
}

/** Percentiles of latencies sorted ascending. */
export function latencySummary(sorted: Float64Array): LatencySummary {
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p90: at(0.9), p97_5: at(0.975), p99: at(0.99), max: sorted[sorted.length - 1] };
}

/** Several sorted latency lists as one, sorted. */
export function mergeLatencies(lists: Float64Array[]): Float64Array {
  const all = new Float64Array(lists.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const list of lists) {
    all.set(list, at);
    at += list.length;
  }
  return all.sort();
}

/**
 * The worker: request i is due at start + i / rate and its latency is counted from then to its answer, whether it
 * left on time or waited for a connection (no coordinated omission). Its own event loop, apart from whatever else the
 * bench process runs (capture clients sending megabyte bodies), so their work does not show as server latency.
 */
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const { base, requests, rate, seconds, connections } = workerData;
const url = new URL(base);
// fifo: every connection takes turns, so none idles past the server's keep-alive timeout and is closed under a request.
const agent = new http.Agent({ keepAlive: true, maxSockets: connections, scheduling: 'fifo' });
const interval = 1000 / rate;
const total = Math.floor(rate * seconds);
const latencies = new Float64Array(total);
let sent = 0, done = 0, errors = 0, non2xx = 0, firstError = null;
const start = performance.now() + 20;
function send(i) {
  const due = start + i * interval;
  const { method, path, headers, body } = requests[i % requests.length];
  const length = body === undefined ? {} : { 'content-length': Buffer.byteLength(body) };
  const req = http.request({ host: url.hostname, port: url.port, path, method, agent, headers: { ...headers, ...length } }, (res) => {
    if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
    res.resume();
    res.on('end', () => { latencies[i] = performance.now() - due; finish(); });
  });
  req.on('error', (e) => { errors++; firstError = firstError ?? String(e); latencies[i] = performance.now() - due; finish(); });
  req.end(body);
}
function finish() {
  if (++done < total) return;
  const ended = performance.now();
  parentPort.postMessage({ achieved: total / ((ended - start) / 1000), sent, errors, firstError, non2xx, latencies: latencies.sort() });
  agent.destroy();
}
function tick() {
  const now = performance.now();
  while (sent < total && start + sent * interval <= now) send(sent++);
  if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
}
setTimeout(tick, 20);
`;

/**
 * Requests at a fixed rate, evenly spaced, as pharmacies' scans arrive. autocannon's `overallRate` is a budget per
 * connection per second: each connection sends back to back until it has spent its share, then waits for the next
 * second, so "half the saturation rate" is saturation for half of every second and its latency is saturation latency.
 * Latency here is counted from when each request was due (wrk2's correction).
 */
export function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: options });
    worker.once('message', (result: Omit<OpenLoopResult, 'latency'>) => {
      resolve({ ...result, latency: latencySummary(result.latencies) });
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { buildMerkleTree, getProof, hex } from '@pharmatrace/merkle';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { BenchRow } from './bench.types';
import { benchSizes } from './sizes';

type Impl = 'ours' | 'openzeppelin';
interface Case {
  impl: Impl;
  leaves: number;
}
interface Measurement {
  buildMs: number;
  /** Peak RSS during the build above the RSS just before it. */
  peakRssDeltaMb: number;
  /** JS heap plus ArrayBuffers still held after the build (the tree itself and what it retains). */
  retainedMb: number;
  proofUs: number;
  proofsTimed: number;
}

const CASE_ENV = 'MERKLE_BENCH_CASE';
const OZ_LIMIT_MS = 60_000;
const PROOFS_TIMED = 10_000;
const MB = 2 ** 20;

/** Runs inside a fresh process so that one case's garbage and peak RSS never count against another. */
async function measure({ impl, leaves }: Case): Promise<Measurement> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  // ArrayBuffer backing stores are released after the GC that frees them, so collect, yield, collect.
  const settle = async (): Promise<void> => {
    gc();
    await new Promise(setImmediate);
    gc();
  };
  const digests = randomBytes(leaves * 32);
  // OpenZeppelin takes hex strings; building them is input preparation, not tree building, so it happens before the clock starts.
  const values = impl === 'openzeppelin' ? Array.from({ length: leaves }, (_, i) => [hex(digests.subarray(i * 32, (i + 1) * 32))]) : [];
  // Anchoring runs in a long-lived worker, so the figure wanted is the JIT-warm one; small warm-up
  // batches leave the RSS high-water mark where it was, so the peak below still belongs to the build.
  for (let i = 0; impl === 'ours' && i < 5; i++) await buildMerkleTree(randomBytes(32 * 2_000));
  await settle();
  const before = process.memoryUsage();

  const started = process.hrtime.bigint();
  const tree = impl === 'ours' ? await buildMerkleTree(digests) : StandardMerkleTree.of(values, ['bytes32']);
  const buildMs = Number(process.hrtime.bigint() - started) / 1e6;

  const peakRss = process.resourceUsage().maxRSS * 1024;
  await settle();
  const after = process.memoryUsage();

  const proofsTimed = impl === 'ours' ? PROOFS_TIMED : PROOFS_TIMED / 10;
  const picks = Array.from({ length: proofsTimed }, () => Math.floor(Math.random() * leaves));
  const proofStarted = process.hrtime.bigint();
  let sink = 0;
  for (const i of picks) {
    sink += 'nodes' in tree ? getProof(tree.nodes, tree.treeIndexOf[i]).length : tree.getProof(i).length;
  }
  const proofUs = Number(process.hrtime.bigint() - proofStarted) / 1e3 / proofsTimed;
  // Reading the inputs here keeps them alive through the GC above, so `retainedMb` counts only what the build added.
  if (sink === 0 && leaves > 1 && digests.length + values.length > 0) throw new Error('proofs came back empty');

  return {
    buildMs,
    peakRssDeltaMb: (peakRss - before.rss) / MB,
    retainedMb: (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / MB,
    proofUs,
    proofsTimed,
  };
}

function runIsolated(c: Case, limitMs: number): Promise<Measurement | undefined> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], {
      execArgv: ['-r', '@swc-node/register', '--expose-gc', '--max-old-space-size=12288'],
      env: { ...process.env, [CASE_ENV]: JSON.stringify(c) },
    });
    let result: Measurement | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('message', (m) => (result = m as Measurement));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result || signal === 'SIGKILL') resolve(result);
      else reject(new Error(`merkle bench case ${JSON.stringify(c)} exited with ${code ?? signal}`));
    });
  });
}

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

function rowsOf(label: string, m: Measurement): BenchRow[] {
  return [
    { name: `${label} build`, value: round(m.buildMs), unit: 'ms' },
    {
      name: `${label} peak RSS delta`,
      value: round(m.peakRssDeltaMb),
      unit: 'MiB',
      note: 'maxRSS minus RSS before the build, fresh process; near 0 when the build fits in memory the process already held',
    },
    { name: `${label} retained heap+buffers`, value: round(m.retainedMb), unit: 'MiB', note: 'after GC, tree still referenced' },
    { name: `${label} proof extraction`, value: round(m.proofUs, 2), unit: 'µs/proof', note: `mean of ${m.proofsTimed} random leaves` },
  ];
}

/** Tree build time, memory and proof extraction of libs/merkle against @openzeppelin/merkle-tree, each case in its own process. */
export async function benchMerkle(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const ours: Record<number, Measurement> = {};
  for (const leaves of benchSizes().merkleLeaves) {
    const m = await runIsolated({ impl: 'ours', leaves }, 10 * 60_000);
    if (!m) throw new Error(`libs/merkle at ${leaves} leaves did not finish`);
    ours[leaves] = m;
    rows.push(...rowsOf(`libs/merkle ${leaves / 1000}k leaves`, m));
  }
  for (const leaves of benchSizes().merkleLeaves) {
    const label = `openzeppelin ${leaves / 1000}k leaves`;
    const m = await runIsolated({ impl: 'openzeppelin', leaves }, OZ_LIMIT_MS);
    if (m) {
      rows.push(...rowsOf(label, m));
      rows.push({
        name: `speed-up at ${leaves / 1000}k leaves`,
        value: round(m.buildMs / ours[leaves].buildMs),
        unit: 'x',
        note: 'openzeppelin build / libs/merkle build',
      });
    } else {
      const killed = `openzeppelin killed after ${OZ_LIMIT_MS / 1000} s unfinished: a lower bound`;
      rows.push({ name: `${label} build`, value: OZ_LIMIT_MS, unit: 'ms', note: killed });
      rows.push({
        name: `speed-up at ${leaves / 1000}k leaves`,
        value: round(OZ_LIMIT_MS / ours[leaves].buildMs),
        unit: 'x',
        note: killed,
      });
    }
  }
  return rows;
}

const childCase = process.env[CASE_ENV];
if (childCase && require.main === module) {
  measure(JSON.parse(childCase) as Case).then(
    (m) => process.send?.(m, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else if (require.main === module) {
  benchMerkle().then((rows) => console.table(rows));
}

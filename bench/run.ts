import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchAnchorGas } from './anchor-gas.bench';
import { benchAnchoring } from './anchoring.bench';
import { benchAudit } from './audit.bench';
import type { BenchRow } from './bench.types';
import { benchCapture } from './capture.bench';
import { benchCaptureCeiling, benchMixedLoad } from './capture-ceiling.bench';
import { benchCaptureCpu } from './capture-cpu.bench';
import { benchCaptureFormats } from './capture-formats.bench';
import { benchCaptureStages } from './capture-stages.bench';
import { benchHostileInput } from './hostile-input.bench';
import { benchMerkle } from './merkle.bench';
import { benchPartitionMigration } from './partition-migration.bench';
import { benchProofBundle } from './proof-bundle.bench';
import { benchProvenance } from './provenance.bench';
import { benchVerification } from './verification.bench';

const SUITES: Record<string, () => Promise<BenchRow[]>> = {
  capture: benchCapture,
  'capture-ceiling': benchCaptureCeiling,
  'capture-stages': benchCaptureStages,
  'capture-cpu': benchCaptureCpu,
  mixed: benchMixedLoad,
  merkle: benchMerkle,
  gas: benchAnchorGas,
  bundle: benchProofBundle,
  anchoring: benchAnchoring,
  audit: benchAudit,
  formats: benchCaptureFormats,
  verification: benchVerification,
  provenance: benchProvenance,
  hostile: benchHostileInput,
  'partition-migration': benchPartitionMigration,
};

/** `npm run bench [suite…]`: prints every figure with its unit and note, and keeps them in bench/results/. */
async function main() {
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SUITES);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`pharmatrace benchmarks on ${machine}`);
  const all: Record<string, BenchRow[]> = {};
  for (const name of wanted) {
    const suite = SUITES[name];
    if (!suite) throw new Error(`unknown suite ${name}; choose from ${Object.keys(SUITES).join(', ')}`);
    console.log(`\n== ${name}`);
    const rows = await suite();
    all[name] = rows;
    console.table(rows);
  }
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ machine, at: new Date().toISOString(), results: all }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

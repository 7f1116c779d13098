/**
 * Every size and duration the benches use, read once from the environment. `BENCH_QUICK=1` lowers the defaults so
 * the whole suite runs in minutes on a laptop; any BENCH_* variable set explicitly still wins. Kept pure (an env in,
 * numbers out) so bench/sizes.spec.ts can plan every suite at tiny sizes without a database.
 */
export interface BenchSizes {
  quick: boolean;
  /** capture: documents of 1,000 events, one client. */
  captureDocs: number;
  /** capture-ceiling and mixed: documents of 1,000 events in the measured capture; the COPY loads as many events. */
  ceilingDocs: number;
  ceilingClients: number;
  /** mixed: seconds of verification at a fixed rate beside capture. */
  mixedSeconds: number;
  /** mixed: packs loaded for verification to read. */
  mixedPacks: number;
  merkleLeaves: number[];
  auditDocs: number;
  largeEvents: number;
  largeReports: number;
  largeRecordBytes: number;
  packs: number;
  saturationSeconds: number;
  latencySeconds: number;
  warmUpSeconds: number;
  events: number;
  provenanceSeconds: number;
  hostileSizes: number[];
  hostileRepeats: number;
  hostileValidEvents: number[];
  /** partition-migration: events moved by the migration to monthly partitions and back. */
  migrationEvents: number;
}

type Env = Record<string, string | undefined>;

export function benchSizes(env: Env = process.env): BenchSizes {
  const quick = env.BENCH_QUICK === '1';
  const num = (name: string, full: number, small: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return quick ? small : full;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
    return n;
  };
  const list = (name: string, full: number[], small: number[]) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return quick ? small : full;
    const values = raw.split(',').map(Number);
    if (values.some((n) => !Number.isFinite(n) || n <= 0)) throw new Error(`${name}=${raw}: expected positive numbers separated by commas`);
    return values;
  };
  return {
    quick,
    captureDocs: num('BENCH_CAPTURE_DOCS', 20, 4),
    ceilingDocs: num('BENCH_CEILING_DOCS', 80, 12),
    ceilingClients: num('BENCH_CEILING_CLIENTS', 4, 4),
    mixedSeconds: num('BENCH_MIXED_SECONDS', 30, 8),
    mixedPacks: num('BENCH_MIXED_PACKS', 100_000, 10_000),
    merkleLeaves: list('BENCH_MERKLE_LEAVES', [100_000, 1_000_000], [10_000]),
    auditDocs: num('BENCH_AUDIT_DOCS', 20, 3),
    largeEvents: num('BENCH_LARGE_EVENTS', 10_000, 1_000),
    largeReports: num('BENCH_LARGE_REPORTS', 24, 24),
    largeRecordBytes: num('BENCH_LARGE_RECORD_BYTES', 17_600, 17_600),
    packs: num('BENCH_PACKS', 1_000_000, 20_000),
    saturationSeconds: num('BENCH_SATURATION_SECONDS', 20, 4),
    latencySeconds: num('BENCH_LATENCY_SECONDS', 60, 5),
    warmUpSeconds: num('BENCH_WARM_UP_SECONDS', 10, 2),
    events: num('BENCH_EVENTS', 10_000_000, 30_000),
    provenanceSeconds: num('BENCH_PROVENANCE_SECONDS', 20, 3),
    hostileSizes: list('BENCH_HOSTILE_SIZES', [4000, 16000, 64000, 256000, 1000000], [4000]),
    hostileRepeats: num('BENCH_HOSTILE_REPEATS', 3, 1),
    hostileValidEvents: list('BENCH_HOSTILE_VALID_EVENTS', [1000, 10000], [1000]),
    migrationEvents: num('BENCH_MIGRATION_EVENTS', 1_000_000, 30_000),
  };
}

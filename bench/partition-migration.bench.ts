import { dataSourceOptions, runMigrations } from '@pharmatrace/persistence';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../libs/persistence/src/migrations';
import { createBenchDatabase } from './bench-db';
import type { BenchRow } from './bench.types';
import { loadHistory } from './load-history';
import { benchSizes } from './sizes';

const { migrationEvents: EVENTS } = benchSizes();
const MIGRATION = 'EventPartitions1766600000000';
const round1 = (n: number) => Math.round(n * 10) / 10;

async function counts(url: string): Promise<{ events: number; index: number; partitioned: boolean }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const [row] = (
      await c.query(
        `SELECT (SELECT count(*)::int FROM event) AS events, (SELECT count(*)::int FROM event_epc) AS index,
                (SELECT relkind = 'p' FROM pg_class WHERE oid = 'event'::regclass) AS partitioned`,
      )
    ).rows;
    return row;
  } finally {
    await c.end();
  }
}

/**
 * Issue 18's migration path, timed: a history of BENCH_MIGRATION_EVENTS events is loaded into the partitioned schema,
 * `EventPartitions1766600000000.down()` turns it back into today's unpartitioned tables, and `up()` moves it into
 * monthly partitions again, each in the migrations' one transaction, as the deploy step
 * (`scripts/dev-services/deploy.cli.ts`) and `npm start` run them.
 */
export async function benchPartitionMigration(): Promise<BenchRow[]> {
  const db = await createBenchDatabase('migration');
  try {
    const load = await loadHistory(db.url, EVENTS);
    const shape = `${load.events.toLocaleString('en')} events, ${load.eventEpcRows.toLocaleString('en')} event_epc rows, ${load.packs.toLocaleString('en')} packs`;
    // Later migrations are undone first (and redone last, untimed): only the partitioning's own up() and down() are timed.
    const upTo = MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name === MIGRATION) + 1);
    const later = MIGRATIONS.length - upTo.length;
    const all = new DataSource(dataSourceOptions(db.url, { poolSize: 1 }));
    await all.initialize();
    try {
      for (let i = 0; i < later; i++) await all.undoLastMigration({ transaction: 'all' });
    } finally {
      await all.destroy();
    }
    const ds = new DataSource({ ...dataSourceOptions(db.url, { poolSize: 1 }), migrations: upTo });
    await ds.initialize();
    let downSeconds: number;
    let upSeconds: number;
    try {
      let t = performance.now();
      await ds.undoLastMigration({ transaction: 'all' });
      downSeconds = (performance.now() - t) / 1000;
      const flat = await counts(db.url);
      if (flat.partitioned || flat.events !== load.events || flat.index !== load.eventEpcRows)
        throw new Error(`down() left ${JSON.stringify(flat)} of ${shape}`);
      t = performance.now();
      const applied = await ds.runMigrations({ transaction: 'all' });
      upSeconds = (performance.now() - t) / 1000;
      if (applied.map((m) => m.name).join() !== MIGRATION) throw new Error(`up() applied ${applied.map((m) => m.name).join()}`);
    } finally {
      await ds.destroy();
    }
    await runMigrations(db.url);
    const moved = await counts(db.url);
    if (!moved.partitioned || moved.events !== load.events || moved.index !== load.eventEpcRows)
      throw new Error(`up() left ${JSON.stringify(moved)} of ${shape}`);
    return [
      {
        name: 'migration to monthly partitions (up), one transaction',
        value: round1(upSeconds),
        unit: 's',
        note: `${shape}: ${Math.round(load.events / upSeconds).toLocaleString('en')} events/s with their index rows`,
      },
      { name: '  back to one table (down)', value: round1(downSeconds), unit: 's', note: shape },
    ];
  } finally {
    await db.drop();
  }
}

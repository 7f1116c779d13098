import { loadConfig } from '@pharmatrace/config';
import type { PartitionRepository } from '@pharmatrace/persistence';
import { monthStart, PartitionMaintenanceService } from './partition-maintenance.service';

/** The partition functions' rules in memory: a month is made once, archived once, oldest first, only if sealed FINAL. */
class FakePartitions {
  readonly live = new Set<string>();
  readonly archived = new Set<string>();
  /** Months with events not yet in a FINAL batch: archiving stops at the first. */
  readonly unsealed = new Set<string>();
  readonly calls: string[] = [];

  async ensure(from: Date, to: Date): Promise<number> {
    this.calls.push(`ensure ${iso(from)} ${iso(to)}`);
    let made = 0;
    for (let m = monthStart(from, 0); m <= to; m = monthStart(m, 1)) {
      const month = iso(m).slice(0, 7);
      if (this.live.has(month) || this.archived.has(month)) continue;
      this.live.add(month);
      made++;
    }
    return made;
  }

  async archive(before: Date): Promise<string[]> {
    this.calls.push(`archive ${iso(before)}`);
    const out: string[] = [];
    for (const month of [...this.live].sort()) {
      if (monthStart(new Date(`${month}-01T00:00:00Z`), 1) > before || this.unsealed.has(month)) break;
      this.live.delete(month);
      this.archived.add(month);
      out.push(month);
    }
    return out;
  }
}

const iso = (d: Date) => d.toISOString();

function service(env: Record<string, string>, partitions: FakePartitions, now: () => Date) {
  return new PartitionMaintenanceService(partitions as unknown as PartitionRepository, loadConfig(env), now);
}

describe('PartitionMaintenanceService (fake partitions)', () => {
  it('makes the current month and PARTITION_MONTHS_AHEAD after it, once, and archives nothing by default', async () => {
    const partitions = new FakePartitions();
    const maintenance = service({}, partitions, () => new Date('2026-12-31T23:30:00Z'));
    expect(await maintenance.tick()).toEqual({ made: 4, archived: [] });
    expect([...partitions.live].sort()).toEqual(['2026-12', '2027-01', '2027-02', '2027-03']);
    expect(await maintenance.tick()).toEqual({ made: 0, archived: [] });
    expect(partitions.calls).toEqual([
      'ensure 2026-12-01T00:00:00.000Z 2027-03-01T00:00:00.000Z',
      'ensure 2026-12-01T00:00:00.000Z 2027-03-01T00:00:00.000Z',
    ]);
  });

  it('makes the next month as the clock enters a new one', async () => {
    const partitions = new FakePartitions();
    let now = new Date('2027-01-31T12:00:00Z');
    const maintenance = service({ PARTITION_MONTHS_AHEAD: '1' }, partitions, () => now);
    await maintenance.tick();
    now = new Date('2027-02-01T00:10:00Z');
    expect(await maintenance.tick()).toEqual({ made: 1, archived: [] });
    expect([...partitions.live].sort()).toEqual(['2027-01', '2027-02', '2027-03']);
  });

  it('archives whole months older than EVENT_ARCHIVE_AFTER_MONTHS, oldest first, stopping at one not yet sealed FINAL', async () => {
    const partitions = new FakePartitions();
    for (const month of ['2025-11', '2025-12', '2026-01', '2026-02']) partitions.live.add(month);
    partitions.unsealed.add('2026-01');
    const maintenance = service({ EVENT_ARCHIVE_AFTER_MONTHS: '12' }, partitions, () => new Date('2027-02-15T00:00:00Z'));
    expect((await maintenance.tick()).archived).toEqual(['2025-11', '2025-12']);
    expect(partitions.calls[1]).toBe('archive 2026-02-01T00:00:00.000Z');
    partitions.unsealed.clear();
    expect((await maintenance.tick()).archived).toEqual(['2026-01']);
  });

  it('refuses a retention below one month or a lead beyond two years', () => {
    expect(() => loadConfig({ EVENT_ARCHIVE_AFTER_MONTHS: '0' })).toThrow(/EVENT_ARCHIVE_AFTER_MONTHS/);
    expect(() => loadConfig({ PARTITION_MONTHS_AHEAD: '25' })).toThrow(/PARTITION_MONTHS_AHEAD/);
  });
});

import { compileSchedule, nextRun, QueryScheduleError } from './query-schedule';

const at = (iso: string) => new Date(iso);
const runs = (schedule: Record<string, string>, from: string, count: number) => {
  const compiled = compileSchedule(schedule);
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < count; i++) {
    t = nextRun(compiled, t)!;
    out.push(t.toISOString());
  }
  return out;
};

describe('query schedules', () => {
  it('runs { hour: 1, minute: 5 } once a day at 01:05:00, the binding’s example', () => {
    expect(runs({ hour: '1', minute: '5' }, '2026-03-01T01:05:00Z', 3)).toEqual([
      '2026-03-02T01:05:00.000Z',
      '2026-03-03T01:05:00.000Z',
      '2026-03-04T01:05:00.000Z',
    ]);
    expect(runs({ hour: '1', minute: '5' }, '2026-03-01T00:00:00Z', 1)).toEqual(['2026-03-01T01:05:00.000Z']);
  });

  it('steps from a value: second 0/30 runs every 30 seconds', () => {
    expect(runs({ second: '0/30' }, '2026-03-01T10:00:10Z', 3)).toEqual([
      '2026-03-01T10:00:30.000Z',
      '2026-03-01T10:01:00.000Z',
      '2026-03-01T10:01:30.000Z',
    ]);
  });

  it('reads lists and [a-b] ranges', () => {
    expect(runs({ minute: '[10-11],30' }, '2026-03-01T10:00:00Z', 4)).toEqual([
      '2026-03-01T10:10:00.000Z',
      '2026-03-01T10:11:00.000Z',
      '2026-03-01T10:30:00.000Z',
      '2026-03-01T11:10:00.000Z',
    ]);
  });

  it('counts dayOfWeek from Monday = 1 and needs both day fields when both are given', () => {
    // 2026-03-02 is a Monday.
    expect(runs({ dayOfWeek: '1' }, '2026-03-01T00:00:00Z', 2)).toEqual(['2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z']);
    // Fridays the 13th: March and November 2026.
    expect(runs({ dayOfWeek: '5', dayOfMonth: '13' }, '2026-03-01T00:00:00Z', 2)).toEqual([
      '2026-03-13T00:00:00.000Z',
      '2026-11-13T00:00:00.000Z',
    ]);
  });

  it('runs month-level schedules on the first of the month at midnight', () => {
    expect(runs({ month: '2' }, '2026-03-01T00:00:00Z', 1)).toEqual(['2027-02-01T00:00:00.000Z']);
    expect(runs({ month: '2', dayOfMonth: '29' }, '2026-03-01T00:00:00Z', 1)).toEqual(['2028-02-29T00:00:00.000Z']);
  });

  it.each([
    [{}, 'schedule', 'non-empty'],
    [{ minute: '60' }, 'minute', 'range'],
    [{ hour: '[5-2]' }, 'hour', 'range'],
    [{ dayOfWeek: '0' }, 'dayOfWeek', 'range'],
    [{ second: 'often' }, 'second', 'syntax'],
    [{ weekday: '1' }, 'weekday', 'supported-field'],
    [{ month: '2', dayOfMonth: '31' }, 'schedule', 'never-matches'],
  ])('refuses %j (%s, %s)', (schedule, field, rule) => {
    expect(() => compileSchedule(schedule)).toThrow(QueryScheduleError);
    expect(() => compileSchedule(schedule)).toThrow(expect.objectContaining({ field, rule }));
  });
});

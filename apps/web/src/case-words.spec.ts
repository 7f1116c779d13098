import { CaseSummary, caseTimers, duration, stateLabel } from './case-words';

const at = (iso: string) => iso.slice(0, 16);
const base: CaseSummary = {
  id: 'x',
  number: 7,
  category: 'SUSPECT_PRODUCT',
  state: 'OPEN',
  summary: 's',
  graceUntil: '2026-12-08T08:00:00.000Z',
  overdue: false,
};
const now = new Date('2026-12-07T05:30:00Z');

describe('case deadlines as the pages word them', () => {
  it('words a duration at a glance', () => {
    expect(duration(10_000)).toBe('1 min');
    expect(duration(-42 * 60_000)).toBe('42 min');
    expect(duration(5 * 3_600_000 + 12 * 60_000)).toBe('5 h 12 min');
    expect(duration(3_600_000)).toBe('1 h');
    expect(duration(86_400_000)).toBe('1 day');
    expect(duration(2 * 86_400_000 + 3 * 3_600_000 + 59_000)).toBe('2 days 3 h');
  });

  it('counts the grace period down while the case is unresolved, and says when it ran out', () => {
    expect(caseTimers(base, now, at)).toEqual([
      { kind: 'grace', late: false, text: 'Grace period: 1 day 2 h left (until 2026-12-08T08:00)' },
    ]);
    expect(caseTimers(base, new Date('2026-12-08T10:00:00Z'), at)).toEqual([
      { kind: 'grace', late: true, text: 'Overdue: grace period ended 2 h ago (2026-12-08T08:00)' },
    ]);
    // The server's word wins: overdue at its clock is overdue here, however this browser's clock is set.
    expect(caseTimers({ ...base, overdue: true }, now, at)[0].late).toBe(true);
  });

  it('runs the 24-hour regulator clock once resolved as illegitimate, and no grace period', () => {
    const resolved = { ...base, state: 'RESOLVED', resolution: 'ILLEGITIMATE', regulatorDueAt: '2026-12-08T05:00:00.000Z' };
    expect(caseTimers(resolved, now, at)).toEqual([
      { kind: 'regulator', late: false, text: 'Regulator to be notified within 23 h 30 min (by 2026-12-08T05:00)' },
    ]);
    expect(caseTimers(resolved, new Date('2026-12-08T06:00:00Z'), at)).toEqual([
      { kind: 'regulator', late: true, text: 'Regulator notification overdue by 1 h (was due 2026-12-08T05:00)' },
    ]);
    expect(caseTimers({ ...base, state: 'RESOLVED', resolution: 'CLEARED' }, now, at)).toEqual([]);
  });

  it('names states with their resolution, and a code it does not know in words', () => {
    expect(stateLabel({ state: 'RESOLVED', resolution: 'TECHNICAL_CAUSE' })).toBe('Resolved — Technical cause');
    expect(stateLabel({ state: 'ESCALATED' })).toBe('Escalated to the regulator');
    expect(stateLabel({ state: 'ON_HOLD' })).toBe('On hold');
  });
});

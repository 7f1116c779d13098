/**
 * The query schedule of EPCIS subscriptions (the REST binding's query-schedule.json, EPCIS 1.2 §8.2.5.3), on UTC.
 * Each field is a comma-separated list of elements: a number, a range `[a-b]` (the binding's form) or `a-b`, `*`, each
 * optionally stepped (`0/30`: 0, 30; `[0-30]/10`; `*` + `/15`). A field left out matches any value when it is coarser
 * than the finest field given, and only its first value when finer: `{ hour: "1", minute: "5" }` runs once a day at
 * 01:05:00, not every second of that minute. dayOfWeek runs 1 (Monday) to 7 (Sunday); with dayOfMonth, both must match.
 */
export const SCHEDULE_FIELDS = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
export type ScheduleField = (typeof SCHEDULE_FIELDS)[number];
export type QuerySchedule = Partial<Record<ScheduleField, string>>;

const RANGES: Record<ScheduleField, [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  dayOfWeek: [1, 7],
};
/** Finest first; dayOfMonth and dayOfWeek are one level, the day. */
const LEVEL: Record<ScheduleField, number> = { second: 0, minute: 1, hour: 2, dayOfMonth: 3, dayOfWeek: 3, month: 4 };
/** No schedule may wait longer than this for its first run: one that never matches (31 February) is refused. */
const HORIZON_MS = 5 * 366 * 86_400_000;

export class QueryScheduleError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'QueryScheduleError';
  }
}

/** A schedule as sets of matching values per field. */
export interface CompiledSchedule {
  readonly values: Readonly<Record<ScheduleField, ReadonlySet<number>>>;
}

const ELEMENT = /^(?:(\*)|\[(\d{1,2})-(\d{1,2})\]|(\d{1,2})-(\d{1,2})|(\d{1,2}))(?:\/(\d{1,2}))?$/;

function fieldValues(field: ScheduleField, text: string): Set<number> {
  const [min, max] = RANGES[field];
  const values = new Set<number>();
  for (const element of text.split(',')) {
    const m = ELEMENT.exec(element.trim());
    if (!m) throw new QueryScheduleError(field, 'syntax', `"${element}" is not a number, a range [a-b], * or one of them /step`);
    const [, star, bracketFrom, bracketTo, dashFrom, dashTo, single, stepText] = m;
    const from = star ? min : Number(bracketFrom ?? dashFrom ?? single);
    // A single value with a step runs from it to the end of the range (0/30 in the binding's own example).
    const to = star || (single && stepText) ? max : Number(bracketTo ?? dashTo ?? single);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (from < min || to > max || from > to) throw new QueryScheduleError(field, 'range', `"${element}" is outside ${min}–${max} or empty`);
    if (step < 1) throw new QueryScheduleError(field, 'range', `"${element}": the step must be at least 1`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** Reads and checks a schedule; refuses unknown fields, bad elements, an empty schedule and one that never runs. */
export function compileSchedule(schedule: unknown): CompiledSchedule {
  if (schedule === null || typeof schedule !== 'object' || Array.isArray(schedule)) {
    throw new QueryScheduleError('schedule', 'type:object', 'must be an object of schedule fields');
  }
  const given = Object.entries(schedule as Record<string, unknown>);
  if (!given.length) throw new QueryScheduleError('schedule', 'non-empty', `needs at least one of ${SCHEDULE_FIELDS.join(', ')}`);
  const parsed = new Map<ScheduleField, Set<number>>();
  for (const [name, value] of given) {
    if (!(SCHEDULE_FIELDS as readonly string[]).includes(name)) {
      throw new QueryScheduleError(name, 'supported-field', `is not a schedule field (${SCHEDULE_FIELDS.join(', ')})`);
    }
    // The binding's schema says string; a bare number is read as its digits.
    if (typeof value !== 'string' && typeof value !== 'number') throw new QueryScheduleError(name, 'type:string', 'must be a string');
    parsed.set(name as ScheduleField, fieldValues(name as ScheduleField, String(value)));
  }
  const finest = Math.min(...[...parsed.keys()].map((f) => LEVEL[f]));
  const values = {} as Record<ScheduleField, Set<number>>;
  for (const field of SCHEDULE_FIELDS) {
    const [min, max] = RANGES[field];
    const dayGiven = parsed.has('dayOfMonth') || parsed.has('dayOfWeek');
    // A day left out defaults through dayOfMonth (the 1st); dayOfWeek alone never narrows it.
    const coarser = LEVEL[field] > finest || (LEVEL[field] === 3 && dayGiven) || field === 'dayOfWeek';
    values[field] = parsed.get(field) ?? (coarser ? fieldValues(field, `${min}-${max}`) : new Set([min]));
  }
  const compiled = { values };
  if (!nextRun(compiled, new Date(Date.UTC(2000, 0, 1)))) throw new QueryScheduleError('schedule', 'never-matches', 'no date matches it');
  return compiled;
}

/** The first second strictly after `after` that the schedule matches (UTC), or null if none within five years. */
export function nextRun(schedule: CompiledSchedule, after: Date): Date | null {
  const { second, minute, hour, dayOfMonth, month, dayOfWeek } = schedule.values;
  let t = Math.floor(after.getTime() / 1000) * 1000 + 1000;
  const limit = after.getTime() + HORIZON_MS;
  while (t <= limit) {
    const d = new Date(t);
    const [y, mo, day, h, mi] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
    if (!month.has(mo + 1)) t = Date.UTC(y, mo + 1, 1);
    else if (!dayOfMonth.has(day) || !dayOfWeek.has(((d.getUTCDay() + 6) % 7) + 1)) t = Date.UTC(y, mo, day + 1);
    else if (!hour.has(h)) t = Date.UTC(y, mo, day, h + 1);
    else if (!minute.has(mi)) t = Date.UTC(y, mo, day, h, mi + 1);
    else if (!second.has(d.getUTCSeconds())) t += 1000;
    else return d;
  }
  return null;
}

// Types only: the scan page carries the words, not the case rules the explorer bundles.
import type { CaseCategory, CaseResolution, CaseState } from '../../../libs/domain/src/browser';

/** A category's code as the API sends it. */
export type CategoryCode = `${CaseCategory}`;

/** A case as the scanner and the explorer show it; the fields every case query of the pages selects. */
export interface CaseSummary {
  id: string;
  number: number;
  category: string;
  state: string;
  resolution?: string | null;
  summary: string;
  graceUntil: string;
  overdue: boolean;
  regulatorDueAt?: string | null;
}

export const CASE_SUMMARY_FIELDS = 'id number category state resolution summary graceUntil overdue regulatorDueAt';

/** In the industry's words (HDA's exception categories); a new category fails to compile until it has its own. */
export const CATEGORY_LABEL: Record<CaseCategory, string> = {
  DATA_ISSUE: 'Data issue',
  PRODUCT_WITHOUT_DATA: 'Product without data',
  DATA_WITHOUT_PRODUCT: 'Data without product',
  PACKAGING_OR_LABELLING: 'Packaging or labelling',
  UNAVAILABLE_FOR_DISTRIBUTION: 'Unavailable for distribution',
  SUSPECT_PRODUCT: 'Suspect product',
  ILLEGITIMATE_PRODUCT: 'Illegitimate product',
};

export const STATE_LABEL: Record<CaseState, string> = {
  OPEN: 'Open',
  INVESTIGATING: 'Investigating',
  ESCALATED: 'Escalated to the regulator',
  RESOLVED: 'Resolved',
};

export const RESOLUTION_LABEL: Record<CaseResolution, string> = {
  CLEARED: 'Cleared',
  TECHNICAL_CAUSE: 'Technical cause',
  ILLEGITIMATE: 'Illegitimate',
};

const label = <K extends string>(words: Record<K, string>, code: string | null | undefined): string =>
  code ? (Object.hasOwn(words, code) ? words[code as K] : code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ')) : '';
export const categoryLabel = (code: string) => label(CATEGORY_LABEL, code);
export const resolutionLabel = (code: string | null | undefined) => label(RESOLUTION_LABEL, code);
/** "Resolved — Cleared", "Investigating". */
export const stateLabel = (c: Pick<CaseSummary, 'state' | 'resolution'>) =>
  c.resolution ? `${label(STATE_LABEL, c.state)} — ${resolutionLabel(c.resolution)}` : label(STATE_LABEL, c.state);

/** "2 days 3 h", "5 h 12 min", "12 min": a deadline read at a glance; under a minute counts as one. */
export function duration(ms: number): string {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days) return `${days} ${days === 1 ? 'day' : 'days'}${hours ? ` ${hours} h` : ''}`;
  return hours ? `${hours} h${mins ? ` ${mins} min` : ''}` : `${mins} min`;
}

export const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export interface CaseTimer {
  /** `late` once the deadline passed: shown in the stop colour. */
  kind: 'grace' | 'regulator';
  late: boolean;
  text: string;
}

/**
 * The deadlines a case runs against: its grace period while unresolved, and once resolved as illegitimate the
 * 24 hours within which the regulator must be told. A case with neither has none.
 */
export function caseTimers(c: CaseSummary, now: Date, at: (iso: string) => string = when): CaseTimer[] {
  const timers: CaseTimer[] = [];
  if (c.state !== 'RESOLVED') {
    const left = new Date(c.graceUntil).getTime() - now.getTime();
    const late = c.overdue || left <= 0;
    timers.push({
      kind: 'grace',
      late,
      text: late
        ? `Overdue: grace period ended ${duration(left)} ago (${at(c.graceUntil)})`
        : `Grace period: ${duration(left)} left (until ${at(c.graceUntil)})`,
    });
  }
  if (c.regulatorDueAt) {
    const left = new Date(c.regulatorDueAt).getTime() - now.getTime();
    timers.push({
      kind: 'regulator',
      late: left <= 0,
      text:
        left > 0
          ? `Regulator to be notified within ${duration(left)} (by ${at(c.regulatorDueAt)})`
          : `Regulator notification overdue by ${duration(left)} (was due ${at(c.regulatorDueAt)})`,
    });
  }
  return timers;
}

import { CASE_SUMMARY_FIELDS, CaseSummary, caseTimers, categoryLabel, stateLabel } from './case-words';
import { h } from './dom';

/** Asked after the verdict is on screen: the open cases (the caller is a party to) that hold the scanned pack. */
export const CASES_ON_PACK_QUERY = `query CasesOnPack($epc: String!) {
  cases(filter: { epc: $epc, open: true }, first: 5) { edges { node { ${CASE_SUMMARY_FIELDS} } } }
}`;

export interface CasesOnPack {
  cases: { edges: { node: CaseSummary }[] };
}

/** "Under case #12 — Suspect product · Investigating", its deadline, and where to follow it. */
export function caseBanner(c: CaseSummary, now: Date, opened = false): HTMLElement {
  const timers = caseTimers(c, now);
  return h(
    'section',
    { class: `case-banner${timers.some((t) => t.late) ? ' late' : ''}`, 'data-case': String(c.number) },
    h(
      'p',
      { class: 'case-title' },
      `${opened ? 'Case opened' : 'Under case'} #${c.number} — ${categoryLabel(c.category)} · ${stateLabel(c)}`,
    ),
    ...timers.map((t) => h('p', { class: `case-timer${t.late ? ' late' : ''}` }, t.text)),
    h(
      'p',
      { class: 'hint' },
      'Keep the pack aside while the case is open. ',
      h('a', { href: `/explorer?case=${c.id}` }, 'Follow the case'),
    ),
  );
}

import { h } from './dom';
import { correctionText, Verdict, verdictFacts, VerdictPresentation } from './verdict.presenter';

/** A button under the verdict, e.g. Dispense, offered only when the server allows it for this pack. */
export interface VerdictAction {
  id: string;
  label: string;
  run: () => void;
}

function details(v: Verdict, p: VerdictPresentation): HTMLElement {
  return h('dl', { class: 'facts' }, ...verdictFacts(v, p).flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

/** The banner goes into the aria-live region alone, so a screen reader announces the decision, not the table. */
export function renderVerdict(
  live: HTMLElement,
  body: HTMLElement,
  presentation: VerdictPresentation,
  verdict: Verdict | undefined,
  actions: VerdictAction[] = [],
): void {
  const p = presentation;
  live.className = `verdict tone-${p.tone}`;
  live.dataset.tone = p.tone;
  live.replaceChildren(
    h('p', { class: 'headline' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, p.icon), h('span', { class: 'words' }, p.headline)),
    ...(p.reasons.length ? [h('ul', { class: 'reasons' }, ...p.reasons.map((r) => h('li', {}, r)))] : []),
  );
  const buttons = actions.map((a) => {
    const button = h('button', { type: 'button', class: `action action-${a.id}`, id: a.id }, a.label);
    button.addEventListener('click', a.run);
    return button;
  });
  body.replaceChildren(
    ...buttons,
    ...(verdict?.correction ? [h('p', { class: 'correction' }, correctionText(verdict.correction))] : []),
    ...(verdict ? [details(verdict, p)] : []),
    ...p.notes.map((n) => h('p', { class: 'note' }, n)),
  );
}

export function historyItem(p: VerdictPresentation, verdict: Verdict | undefined, raw: string, at: Date): HTMLLIElement {
  const what = verdict ? `${verdict.product.name ?? `GTIN ${verdict.product.gtin}`} · serial ${verdict.product.serial}` : raw;
  return h(
    'li',
    { class: `tone-${p.tone}` },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, p.icon),
    h('span', { class: 'what' }, h('strong', {}, p.headline), h('br'), what),
    h('time', { datetime: at.toISOString() }, at.toLocaleTimeString()),
  );
}

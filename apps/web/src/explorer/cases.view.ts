import { CaseCategory, CaseResolution, CaseState, decideCaseAction } from '../../../../libs/domain/src/browser';
import { CATEGORY_LABEL, caseTimers, categoryLabel, resolutionLabel, RESOLUTION_LABEL, STATE_LABEL, stateLabel, when } from '../case-words';
import { byId, h } from '../dom';
import { ApiError, graphql } from '../graphql.client';
import { CaseListFilter, filterFromParams, filterToParams, graphqlFilter } from './case-filter';
import {
  CASE_ACTION,
  CASE_COUNTS_QUERY,
  CASE_QUERY,
  CaseCounts,
  CaseDetail,
  CaseEntry,
  CaseListItem,
  CaseOwner,
  CaseParty,
  CASES_PAGE,
  CASES_QUERY,
  CasesPage,
} from './cases.queries';
import { epcLabel } from './provenance-graph';

/** What the explorer lends the case views: its key, its error display, and hiding the pack and lot views. */
export interface ExplorerContext {
  apiKey(): string;
  fail(e: unknown): void;
  hideOthers(): void;
}

type ActionKind = 'INVESTIGATE' | 'ESCALATE' | 'RESOLVE' | 'REOPEN' | 'COMMENT';
const ACTIONS: { kind: ActionKind; label: string }[] = [
  { kind: 'INVESTIGATE', label: 'Investigate' },
  { kind: 'ESCALATE', label: 'Escalate to the regulator' },
  { kind: 'RESOLVE', label: 'Resolve' },
  { kind: 'COMMENT', label: 'Comment' },
  { kind: 'REOPEN', label: 'Reopen' },
];
const ACTION_WORDS: Record<ActionKind, string> = {
  INVESTIGATE: 'investigated',
  ESCALATE: 'escalated',
  RESOLVE: 'resolved',
  REOPEN: 'reopened',
  COMMENT: 'commented',
};
/** History entries of actions the page offers in forms of their own, or not at all. */
const OTHER_WORDS: Record<string, string> = {
  ASSIGN_OWNER: 'named its owner of the case',
  RECORD_FILING: 'recorded the regulator filing',
};

/** "CODE: message": a refusal says what the server said, in words a person can quote to support. */
const refusal = (e: unknown) =>
  e instanceof ApiError ? `${e.serverCode ?? e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
const party = (p: CaseParty | null) => (p ? `${p.name} (GLN ${p.gln})` : '—');
/** "Dana Reyes, Pharmacist in charge · dana@… · +1 …", or that none is named yet. */
const ownerText = (o: CaseOwner | null) =>
  o ? [[o.name, o.title].filter(Boolean).join(', '), o.email, o.phone].filter(Boolean).join(' · ') : 'not named yet';
/** A class quantity as a person reads it: "…/10/L1: 10 shipped, 8 received". */
const quantityText = (q: CaseDetail['quantities'][number]) =>
  `${q.epcClass}: ${q.shipped} shipped, ${q.received} received${q.uom ? ` (${q.uom})` : ''}`;
const options = (entries: [string, string][]) => entries.map(([value, text]) => h('option', { value }, text));

function timersList(c: CaseListItem, now: Date): HTMLElement {
  const timers = caseTimers(c, now);
  return h('ul', { class: 'case-timers' }, ...timers.map((t) => h('li', { class: t.late ? 'late' : '', 'data-timer': t.kind }, t.text)));
}

/**
 * The dashboard panel: open (of which investigating and escalated), overdue, regulator notifications overdue (resolved
 * as illegitimate, not filed within 24 hours) and resolved, each a link to its list.
 */
function countTiles(c: CaseCounts): HTMLElement[] {
  const byResolution = c.resolutions.filter((r) => r.count).map((r) => `${resolutionLabel(r.resolution).toLowerCase()} ${r.count}`);
  const tile = (name: string, count: number, href: string, detail: string, late = false) =>
    h(
      'a',
      { class: `tile${late && count ? ' late' : ''}`, href, 'data-count': name },
      h('strong', {}, String(count)),
      h('span', {}, name),
      detail ? h('small', {}, detail) : null,
    );
  return [
    tile('Open', c.unresolved, '/explorer?cases&state=UNRESOLVED', `${c.investigating} investigating, ${c.escalated} escalated`),
    tile('Overdue', c.overdue, '/explorer?cases&state=UNRESOLVED&overdue=1', 'past their grace period', true),
    tile('Regulator overdue', c.regulatorOverdue, '/explorer?cases&regulatorOverdue=1', 'illegitimate, not filed in 24 h', true),
    tile('Resolved', c.resolved, '/explorer?cases&state=RESOLVED', byResolution.join(', ')),
  ];
}

function caseRow(c: CaseListItem, now: Date): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-case': String(c.number) },
    h('td', {}, h('a', { href: `/explorer?case=${c.id}` }, `#${c.number}`)),
    h('td', {}, categoryLabel(c.category)),
    h('td', {}, stateLabel(c)),
    h('td', {}, c.reporter?.name ?? '—', h('br'), h('small', {}, `with ${c.counterparty?.name ?? 'no one yet'}`)),
    h('td', {}, timersList(c, now)),
    h('td', {}, h('time', { datetime: c.openedAt }, when(c.openedAt))),
  );
}

function historyItem(e: CaseEntry): HTMLLIElement {
  const change =
    e.fromState && e.fromState !== e.toState ? `${stateLabel({ state: e.fromState })} → ${stateLabel({ state: e.toState })}` : '';
  const what = e.action
    ? (ACTION_WORDS[e.action as ActionKind] ?? OTHER_WORDS[e.action] ?? e.action.toLowerCase())
    : `opened the case (${stateLabel({ state: e.toState })})`;
  return h(
    'li',
    { class: 'case-entry', 'data-action': e.action ?? 'OPEN' },
    h('time', { datetime: e.at }, when(e.at)),
    h('strong', { class: 'actor' }, e.actor?.name ?? 'unknown organization'),
    h('span', { class: 'what' }, what),
    change ? h('span', { class: 'change' }, change) : null,
    e.resolution ? h('span', { class: 'badge' }, resolutionLabel(e.resolution)) : null,
    e.owner ? h('p', { class: 'case-owner' }, `Owner: ${ownerText(e.owner)}`) : null,
    e.message ? h('p', { class: 'case-message' }, e.message) : null,
    e.attachments.length ? h('ul', { class: 'attachments' }, ...e.attachments.map((a) => h('li', { class: 'code' }, a))) : null,
  );
}

/** The list and the case page; each reads the URL once, so every view can be linked and reloaded. */
export class CaseViews {
  private readonly list = byId<HTMLElement>('cases-view');
  private readonly page = byId<HTMLElement>('case-view');
  private readonly rows = byId<HTMLTableSectionElement>('case-rows');
  private readonly more = byId<HTMLButtonElement>('more-cases');
  private readonly form = byId<HTMLFormElement>('case-filter');
  private filter: CaseListFilter = filterFromParams(new URLSearchParams());
  private after: string | null = null;

  constructor(private readonly ctx: ExplorerContext) {
    const state = byId<HTMLSelectElement>('filter-state');
    state.append(
      ...options([
        ['', 'Any state'],
        ['UNRESOLVED', 'Not resolved'],
        ...Object.values(CaseState).map((s): [string, string] => [s, STATE_LABEL[s]]),
      ]),
    );
    byId<HTMLSelectElement>('filter-category').append(
      ...options([['', 'Any category'], ...Object.values(CaseCategory).map((c): [string, string] => [c, CATEGORY_LABEL[c]])]),
    );
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const control = (name: string) => this.form.elements.namedItem(name) as HTMLInputElement;
      const data = new URLSearchParams({
        state: control('state').value,
        category: control('category').value,
        overdue: control('overdue').checked ? '1' : '',
        regulatorOverdue: control('regulatorOverdue').checked ? '1' : '',
        epc: control('epc').value,
      });
      location.assign(`/explorer?${filterToParams(filterFromParams(data)).toString()}`);
    });
    this.more.addEventListener('click', () => void this.loadPage().catch(ctx.fail));
  }

  hide() {
    this.list.hidden = true;
    this.page.hidden = true;
  }

  /** The landing's summary: hidden when the server has no cases to count, so the search stands alone. */
  async showCounts(panel: HTMLElement) {
    try {
      const { caseCounts } = await graphql<{ caseCounts: CaseCounts }>(CASE_COUNTS_QUERY, {}, this.ctx.apiKey());
      byId('case-count-tiles').replaceChildren(...countTiles(caseCounts));
      panel.hidden = false;
    } catch {
      panel.hidden = true;
    }
  }

  async showList(params: URLSearchParams) {
    this.filter = filterFromParams(params);
    const f = this.filter;
    (this.form.elements.namedItem('state') as HTMLSelectElement).value = f.state;
    (this.form.elements.namedItem('category') as HTMLSelectElement).value = f.category;
    (this.form.elements.namedItem('overdue') as HTMLInputElement).checked = f.overdue;
    (this.form.elements.namedItem('regulatorOverdue') as HTMLInputElement).checked = f.regulatorOverdue;
    (this.form.elements.namedItem('epc') as HTMLInputElement).value = f.epc;
    this.rows.replaceChildren();
    this.after = null;
    await this.loadPage();
    this.ctx.hideOthers();
    this.page.hidden = true;
    this.list.hidden = false;
    byId('cases-empty').hidden = this.rows.children.length > 0;
  }

  private async loadPage() {
    const { cases } = await graphql<CasesPage>(
      CASES_QUERY,
      { filter: graphqlFilter(this.filter), first: CASES_PAGE, after: this.after },
      this.ctx.apiKey(),
    );
    const now = new Date();
    this.rows.append(...cases.edges.map((e) => caseRow(e.node, now)));
    this.after = cases.pageInfo.endCursor;
    this.more.hidden = !cases.pageInfo.hasNextPage;
  }

  async showCase(id: string) {
    const { case: c } = await graphql<{ case: CaseDetail }>(CASE_QUERY, { id }, this.ctx.apiKey());
    this.ctx.hideOthers();
    this.list.hidden = true;
    this.page.hidden = false;
    this.render(c);
  }

  private render(c: CaseDetail) {
    const now = new Date();
    byId('case-title').textContent = `Case #${c.number} — ${categoryLabel(c.category)}`;
    const state = byId('case-state');
    state.textContent = stateLabel(c);
    state.dataset.state = c.state;
    byId('case-timers').replaceChildren(timersList(c, now));
    // The product's manufacturer reads the case without being a party: it is told so, and sees no owners.
    const reader = c.viewerRole === 'PRODUCT_OWNER';
    const owners: [string, string][] = reader
      ? []
      : [
          [`Owner at ${c.reporter?.name ?? 'the reporter'}`, ownerText(c.reporterOwner)],
          ...(c.counterparty ? ([[`Owner at ${c.counterparty.name}`, ownerText(c.counterpartyOwner)]] as [string, string][]) : []),
        ];
    const facts: [string, string][] = [
      ['Summary', c.summary],
      ['Opened', `${when(c.openedAt)} by ${party(c.reporter)}`],
      ['Other party', party(c.counterparty)],
      ...owners,
      ['Source', c.source.charAt(0) + c.source.slice(1).toLowerCase()],
      ['Packs', c.quarantining ? 'Quarantined while the case holds them' : 'Released'],
      ...(c.resolvedAt ? ([['Resolved', when(c.resolvedAt)]] as [string, string][]) : []),
    ];
    byId('case-facts').replaceChildren(...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-fact': k }, v)]));
    const note = byId('case-reader-note');
    note.hidden = !reader;
    note.textContent = reader
      ? 'You see this case as the manufacturer of its product: its state, deadlines and packs. Its messages are for its parties.'
      : '';
    const quantities = byId('case-quantities');
    quantities.replaceChildren(...c.quantities.map((q) => h('li', {}, quantityText(q))));
    quantities.hidden = !c.quantities.length;
    byId('case-packs').replaceChildren(
      ...c.packs.map((p) =>
        h(
          'li',
          {},
          h('a', { href: `/explorer?q=${encodeURIComponent(p.epc)}` }, epcLabel(p.epc)),
          p.note ? ` (${p.note})` : '',
          h('br'),
          h('small', { class: 'code' }, p.epc),
        ),
      ),
    );
    byId('case-history').replaceChildren(...c.history.map(historyItem));
    this.renderActions(c);
    this.renderOwnerForm(c);
  }

  private viewOf(c: CaseDetail) {
    return {
      reporterId: c.reporter?.id ?? '',
      counterpartyId: c.counterparty?.id ?? null,
      state: c.state as CaseState,
      resolution: (c.resolution ?? null) as CaseResolution | null,
      category: c.category as CaseCategory,
    };
  }

  /** The actions the rules (libs/domain, as the server applies them) allow this caller in the case's state. */
  private renderActions(c: CaseDetail) {
    const view = this.viewOf(c);
    const role = c.viewerRole;
    const allowed = ACTIONS.filter(
      ({ kind }) => decideCaseAction(view, kind === 'RESOLVE' ? { kind, resolution: CaseResolution.CLEARED } : { kind }, role).ok,
    );
    const message = byId('case-action-message');
    message.textContent = '';
    const form = byId<HTMLFormElement>('case-action-form');
    const resolution = byId<HTMLSelectElement>('case-resolution');
    resolution.replaceChildren(
      ...options([['', 'Choose a resolution'], ...Object.values(CaseResolution).map((r): [string, string] => [r, RESOLUTION_LABEL[r]])]),
    );
    byId('case-resolution-row').hidden = !allowed.some((a) => a.kind === 'RESOLVE');
    byId('case-action-buttons').replaceChildren(
      ...allowed.map((a) =>
        h('button', { type: 'submit', name: 'action', value: a.kind, class: `case-action-${a.kind.toLowerCase()}` }, a.label),
      ),
    );
    form.hidden = !allowed.length;
    form.onsubmit = async (e) => {
      e.preventDefault();
      const action = ((e as SubmitEvent).submitter as HTMLButtonElement | null)?.value as ActionKind | undefined;
      if (!action) return;
      const text = byId<HTMLTextAreaElement>('case-action-text').value.trim();
      const attachments = byId<HTMLTextAreaElement>('case-attachments').value.split(/\s+/).filter(Boolean);
      const input = {
        action,
        ...(action === 'RESOLVE' && resolution.value ? { resolution: resolution.value } : {}),
        ...(text ? { message: text } : {}),
        ...(attachments.length ? { attachments } : {}),
      };
      const buttons = form.querySelectorAll('button');
      buttons.forEach((b) => (b.disabled = true));
      message.textContent = '';
      byId('case-action-done').textContent = '';
      try {
        const { caseAction } = await graphql<{ caseAction: CaseDetail }>(CASE_ACTION, { id: c.id, input }, this.ctx.apiKey());
        form.reset();
        this.render(caseAction);
        byId('case-action-done').textContent = `Case #${caseAction.number} ${ACTION_WORDS[action]}: now ${stateLabel(caseAction)}.`;
      } catch (err) {
        message.textContent = refusal(err);
      } finally {
        buttons.forEach((b) => (b.disabled = false));
      }
    };
  }

  /** A party names its own owner of the case (ASSIGN_OWNER); regulators and the product's manufacturer do not. */
  private renderOwnerForm(c: CaseDetail) {
    const form = byId<HTMLFormElement>('case-owner-form');
    form.hidden = !decideCaseAction(this.viewOf(c), { kind: 'ASSIGN_OWNER' }, c.viewerRole).ok;
    const mine = c.viewerRole === 'REPORTER' ? c.reporterOwner : c.counterpartyOwner;
    const fields = {
      name: byId<HTMLInputElement>('case-owner-name'),
      title: byId<HTMLInputElement>('case-owner-title-input'),
      email: byId<HTMLInputElement>('case-owner-email'),
      phone: byId<HTMLInputElement>('case-owner-phone'),
    };
    for (const [key, input] of Object.entries(fields)) input.value = mine?.[key as keyof CaseOwner] ?? '';
    const message = byId('case-action-message');
    form.onsubmit = async (e) => {
      e.preventDefault();
      const owner = Object.fromEntries(
        Object.entries(fields)
          .map(([key, input]) => [key, input.value.trim()])
          .filter(([, value]) => value),
      );
      const button = form.querySelector('button')!;
      button.disabled = true;
      message.textContent = '';
      byId('case-action-done').textContent = '';
      try {
        const input = { action: 'ASSIGN_OWNER', owner };
        const { caseAction } = await graphql<{ caseAction: CaseDetail }>(CASE_ACTION, { id: c.id, input }, this.ctx.apiKey());
        this.render(caseAction);
        const named = c.viewerRole === 'REPORTER' ? caseAction.reporterOwner : caseAction.counterpartyOwner;
        byId('case-action-done').textContent = `Case #${caseAction.number}: your owner is ${ownerText(named)}.`;
      } catch (err) {
        message.textContent = refusal(err);
      } finally {
        button.disabled = false;
      }
    };
  }
}

import { caseBanner } from './case-banner';
import { defaultCategory, defaultCounterparty, DirectoryEntry, DirectoryPage, prefillSummary } from './case-prefill';
import { CASE_SUMMARY_FIELDS, CATEGORY_LABEL, CaseSummary } from './case-words';
import { h } from './dom';
import { ApiError, graphql } from './graphql.client';
import type { Verdict } from './verdict.presenter';

const ENTRY = 'edges { node { id name gln role companyPrefixes } }';
/** The likely addressees only (the GTIN's brand owner, the pack's custodian): the registry is too large to list whole. */
const DIRECTORY_QUERY = `query CaseDirectory($gtin: String!, $glns: [String!]!) { me { id }
  owners: organizationDirectory(ownerOfGtin: $gtin, first: 5) { ${ENTRY} }
  holders: organizationDirectory(glns: $glns, first: 5) { ${ENTRY} } }`;
const SEARCH_QUERY = `query CaseCounterparties($search: String!) {
  organizationDirectory(search: $search, first: 20) { ${ENTRY} pageInfo { hasNextPage } } }`;
const OPEN_CASE = `mutation OpenCase($input: OpenCaseInput!) { openCase(input: $input) { ${CASE_SUMMARY_FIELDS} } }`;

/** "CODE: message", so that whoever reads a refusal can tell what the server said and quote it. */
const refusal = (e: unknown) => (e instanceof ApiError ? `${e.serverCode ?? e.code}: ${e.message}` : String(e));

function field(id: string, text: string, control: HTMLElement): HTMLElement[] {
  return [h('label', { for: id }, text), control];
}

/**
 * The form that opens a case for the scanned pack, in place of the "Open a case" button; loaded on its first use
 * only, so the scan page stays small. `done` gets the case once it is open.
 */
export async function openCaseForm(
  slot: HTMLElement,
  verdict: Verdict,
  reasons: string[],
  apiKey: string,
  done: (c: CaseSummary) => void,
  cancelled: () => void,
): Promise<void> {
  const { me, owners, holders } = await graphql<{ me: { id: string }; owners: DirectoryPage; holders: DirectoryPage }>(
    DIRECTORY_QUERY,
    { gtin: verdict.product.gtin, glns: verdict.custodian ? [verdict.custodian.gln] : [] },
    apiKey,
  );
  const suggested = [...owners.edges, ...holders.edges].map((e) => e.node);
  const category = h('select', { id: 'case-category' });
  category.append(...Object.entries(CATEGORY_LABEL).map(([c, text]) => h('option', { value: c }, text)));
  category.value = defaultCategory(verdict.alerts);
  const counterparty = h('select', { id: 'case-counterparty' }, h('option', { value: '' }, 'Nobody yet — only regulators'));
  const partners = (list: DirectoryEntry[]) => list.filter((o) => o.id !== me.id && o.role !== 'REGULATOR');
  const option = (o: DirectoryEntry) => h('option', { value: o.id }, `${o.name} (GLN ${o.gln})`);
  counterparty.append(...partners(suggested).map(option));
  counterparty.value = defaultCounterparty(verdict, suggested, me.id)?.id ?? '';
  const search = h('input', { id: 'case-counterparty-search', type: 'search', maxlength: '100', placeholder: 'Name or GLN' });
  const find = h('button', { type: 'button', class: 'secondary' }, 'Find');
  const found = h('p', { class: 'hint', role: 'status' });
  /** Anyone else, by name or GLN: what was found joins the list, the first of it chosen. */
  async function findOthers() {
    const text = search.value.trim();
    if (!text) return;
    find.disabled = true;
    try {
      const { organizationDirectory } = await graphql<{ organizationDirectory: DirectoryPage & { pageInfo: { hasNextPage: boolean } } }>(
        SEARCH_QUERY,
        { search: text },
        apiKey,
      );
      const hits = partners(organizationDirectory.edges.map((e) => e.node));
      const listed = new Set(Array.from(counterparty.options, (o) => o.value));
      counterparty.append(...hits.filter((o) => !listed.has(o.id)).map(option));
      if (hits.length) counterparty.value = hits[0].id;
      // The first page only: say so rather than let it pass for every match.
      const more = organizationDirectory.pageInfo.hasNextPage ? ' (and more: search for more of the name)' : '';
      found.textContent = hits.length ? `${hits.length} found${more}: ${hits[0].name} chosen` : `No trading partner matches “${text}”`;
    } catch (err) {
      found.textContent = refusal(err);
    } finally {
      find.disabled = false;
    }
  }
  find.addEventListener('click', () => void findOthers());
  // Enter in the search box looks for partners; it must not open the case.
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    void findOthers();
  });
  const summary = h('textarea', { id: 'case-summary', rows: '4', maxlength: '2000', required: '' });
  summary.value = prefillSummary(verdict, reasons);
  const message = h('p', { class: 'message', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Open the case');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const form = h(
    'form',
    { class: 'case-form', 'aria-label': 'Open a case for this pack' },
    h('p', { class: 'hint' }, 'The pack is quarantined while the case is open; the organization you send it to sees and answers it.'),
    ...field('case-category', 'Category', category),
    ...field('case-counterparty', 'Send to', counterparty),
    ...field('case-counterparty-search', 'Find another organization', h('div', { class: 'row' }, search, find)),
    found,
    ...field('case-summary', 'What is wrong', summary),
    message,
    h('div', { class: 'row' }, submit, cancel),
  );
  cancel.addEventListener('click', () => {
    form.remove();
    cancelled();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    message.textContent = '';
    try {
      const input = {
        category: category.value,
        summary: summary.value,
        epcs: [verdict.epc],
        counterparty: counterparty.value || undefined,
        source: 'SCAN',
      };
      const { openCase } = await graphql<{ openCase: CaseSummary }>(OPEN_CASE, { input }, apiKey);
      form.replaceWith(caseBanner(openCase, new Date(), true));
      done(openCase);
    } catch (err) {
      message.textContent = refusal(err);
      submit.disabled = false;
    }
  });
  slot.replaceChildren(form);
  category.focus();
}

import { caseBanner } from './case-banner';
import { defaultCategory, defaultCounterparty, DirectoryEntry, prefillSummary } from './case-prefill';
import { CASE_SUMMARY_FIELDS, CATEGORY_LABEL, CaseSummary } from './case-words';
import { h } from './dom';
import { ApiError, graphql } from './graphql.client';
import type { Verdict } from './verdict.presenter';

const DIRECTORY_QUERY = `query CaseDirectory { me { id } organizations { id name gln role companyPrefixes } }`;
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
  const { me, organizations } = await graphql<{ me: { id: string }; organizations: DirectoryEntry[] }>(DIRECTORY_QUERY, {}, apiKey);
  const category = h('select', { id: 'case-category' });
  category.append(...Object.entries(CATEGORY_LABEL).map(([c, text]) => h('option', { value: c }, text)));
  category.value = defaultCategory(verdict.alerts);
  const counterparty = h('select', { id: 'case-counterparty' }, h('option', { value: '' }, 'Nobody yet — only regulators'));
  const partners = organizations.filter((o) => o.id !== me.id && o.role !== 'REGULATOR');
  counterparty.append(...partners.map((o) => h('option', { value: o.id }, `${o.name} (GLN ${o.gln})`)));
  counterparty.value = defaultCounterparty(verdict, organizations, me.id)?.id ?? '';
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

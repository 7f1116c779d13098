import { byId, h } from '../dom';
import { ApiError, ApiErrorCode, graphql } from '../graphql.client';
import { settings } from '../settings.store';
import type { ChainCheckResult, ProofInputs } from './chain-check';
import { CaseViews } from './cases.view';
import { displayedProof, renderCustody, renderEvents } from './custody.view';
import {
  ExplorerConfig,
  Lot,
  LOT_PACKS_PAGE,
  LOT_QUERY,
  NAMES_PAGE,
  NAMES_QUERY,
  Organization,
  Provenance,
  PRODUCT_QUERY,
  PROVENANCE_QUERY,
  SCAN_EPC_QUERY,
} from './explorer.queries';
import { Directory, directoryOf, glnsNamed } from './location-name';
import { appendLotPacks, renderLot } from './lot.view';
import { productLine, ProductElement } from './product-facts';
import { epcLabel, provenanceGraph } from './provenance-graph';
import { renderGraph } from './provenance-graph.view';
import { ExplorerQuery, lotQuery, packKeys, parseSearch, SearchError } from './search-query';

/** The regulator's key, apart from the pharmacy key the scan page keeps in the same browser. */
const API_KEY = 'pharmatrace.explorer.apiKey';

const keyPanel = byId<HTMLElement>('key-panel');
const keyInput = byId<HTMLInputElement>('api-key');
const keyMessage = byId<HTMLElement>('key-message');
const searchPanel = byId<HTMLElement>('search-panel');
const searchInput = byId<HTMLInputElement>('search-input');
const lotGtin = byId<HTMLInputElement>('lot-gtin');
const lotNumber = byId<HTMLInputElement>('lot-number');
const message = byId<HTMLElement>('search-message');
const packView = byId<HTMLElement>('pack-view');
const lotView = byId<HTMLElement>('lot-view');
const openLot = byId<HTMLButtonElement>('open-lot');
const morePacks = byId<HTMLButtonElement>('more-packs');

const caseCounts = byId<HTMLElement>('case-counts');
const cases = new CaseViews({
  apiKey,
  fail,
  hideOthers: () => {
    packView.hidden = true;
    lotView.hidden = true;
    caseCounts.hidden = true;
  },
});

function showKeyPanel(text = '') {
  keyMessage.textContent = text;
  keyPanel.hidden = false;
  searchPanel.hidden = true;
  keyInput.focus();
}

function apiKey(): string {
  const key = localStorage.getItem(API_KEY);
  if (!key) throw new ApiError(ApiErrorCode.UNAUTHENTICATED, 'no API key');
  return key;
}

function fail(e: unknown) {
  if (e instanceof ApiError && e.code === ApiErrorCode.UNAUTHENTICATED) {
    localStorage.removeItem(API_KEY);
    directory = new Map();
    showKeyPanel('That API key was refused. Enter a valid regulator key.');
    return;
  }
  message.textContent = e instanceof Error ? e.message : String(e);
}

/** The organizations met so far under this key, by GLN; a GLN asked for and not registered is kept as null. */
let directory = new Map<string, Organization | null>();

/**
 * Names for the GLNs a provenance names, asked of the directory for those not met before; if that read fails the page
 * still shows every GLN, just not whose it is.
 */
async function organizations(glns: string[]): Promise<Directory> {
  const unmet = glns.filter((g) => !directory.has(g));
  const asked = directory;
  for (let i = 0; i < unmet.length; i += NAMES_PAGE) {
    const glnPage = unmet.slice(i, i + NAMES_PAGE);
    try {
      const { organizationDirectory } = await graphql<{ organizationDirectory: { edges: { node: Organization }[] } }>(
        NAMES_QUERY,
        { glns: glnPage },
        apiKey(),
      );
      for (const gln of glnPage) asked.set(gln, null);
      for (const { node } of organizationDirectory.edges) asked.set(node.gln, node);
    } catch {
      break;
    }
  }
  return directoryOf(glns.flatMap((g) => directory.get(g) ?? []));
}

async function showPack(epc: string) {
  const { provenance } = await graphql<{ provenance: Provenance }>(PROVENANCE_QUERY, { epc }, apiKey());
  const names = await organizations(glnsNamed(provenance));
  lotView.hidden = true;
  packView.hidden = false;
  byId('pack-title').textContent = epcLabel(provenance.epc);
  byId('pack-epc').textContent = `${provenance.epc}${provenance.visibility === 'FULL' ? '' : ' — only the events you are party to'}`;
  byId<HTMLAnchorElement>('pack-cases').href = `/explorer?${new URLSearchParams({ cases: '', epc: provenance.epc }).toString()}`;
  byId('flags').replaceChildren(...provenance.flags.map((f) => h('li', {}, `${f.code}: ${f.message}`)));
  renderCustody(byId('custody'), provenance.custody, names);
  renderEvents(byId('events'), provenance.events, provenance.epc, names);
  renderGraph(byId('graph'), byId('graph-nodes'), provenanceGraph(provenance, names));
  const gtin = packKeys(provenance.epc).gtin;
  void showProduct(gtin);
  const lot = provenance.events
    .map((e) => (e.event.ilmd as Record<string, unknown> | undefined)?.['cbvmda:lotNumber'])
    .find((l) => typeof l === 'string') as string | undefined;
  openLot.hidden = !(gtin && lot);
  if (gtin && lot) {
    openLot.textContent = `Lot ${lot}: recall view`;
    openLot.onclick = () => void run(lotQuery(gtin, lot));
  }
}

/** The product line under the pack's title, from master data; a pack without any, or a failed read, shows none. */
async function showProduct(gtin: string | null | undefined) {
  const line = byId('pack-product');
  line.hidden = true;
  if (!gtin) return;
  try {
    const { masterData } = await graphql<{ masterData: ProductElement[] }>(
      PRODUCT_QUERY,
      { ids: [`https://id.gs1.org/01/${gtin}`] },
      apiKey(),
    );
    const text = productLine(masterData);
    line.textContent = text ? `Product: ${text}` : '';
    line.hidden = !text;
  } catch {
    // The rest of the view stands without it.
  }
}

let lotCursor: { gtin: string; lot: string; after: string | null } | null = null;

async function loadLotPage(gtin: string, lot: string, after: string | null): Promise<Lot> {
  const data = await graphql<{ lot: Lot }>(LOT_QUERY, { gtin, lot, first: LOT_PACKS_PAGE, after }, apiKey());
  appendLotPacks(
    byId('lot-packs'),
    data.lot.packs.edges.map((e) => e.node),
  );
  lotCursor = { gtin, lot, after: data.lot.packs.pageInfo.endCursor };
  morePacks.hidden = !data.lot.packs.pageInfo.hasNextPage;
  return data.lot;
}

async function showLot(gtin: string, lot: string) {
  byId('lot-packs').replaceChildren();
  const data = await loadLotPage(gtin, lot, null);
  packView.hidden = true;
  lotView.hidden = false;
  await renderLot(
    {
      title: byId('lot-title'),
      status: byId('lot-status'),
      statusChart: byId('chart-status'),
      statusTable: byId('table-status'),
      custodianChart: byId('chart-custodian'),
      custodianTable: byId('table-custodian'),
    },
    data,
  );
}

async function run(query: ExplorerQuery) {
  message.textContent = '';
  cases.hide();
  caseCounts.hidden = true;
  const url = new URL('/explorer', location.origin);
  if (query.kind === 'lot') {
    url.search = new URLSearchParams({ gtin: query.gtin, lot: query.lot }).toString();
    history.replaceState(null, '', url);
    lotGtin.value = query.gtin;
    lotNumber.value = query.lot;
    await showLot(query.gtin, query.lot);
    return;
  }
  const epc =
    query.kind === 'epc'
      ? query.epc
      : (await graphql<{ verify: { epc: string } }>(SCAN_EPC_QUERY, { code: query.code }, apiKey())).verify.epc;
  url.search = new URLSearchParams({ q: epc }).toString();
  history.replaceState(null, '', url);
  await showPack(epc);
}

let config: Promise<ExplorerConfig> | undefined;
function explorerConfig(): Promise<ExplorerConfig> {
  config ??= fetch('/explorer/config.json').then((r) => {
    if (!r.ok) throw new Error(`the explorer configuration did not load (HTTP ${r.status})`);
    return r.json() as Promise<ExplorerConfig>;
  });
  return config;
}

function resultView(out: HTMLElement, result: ChainCheckResult, rpcUrl: string) {
  out.dataset.result = result.ok ? 'ok' : 'fail';
  const host = new URL(rpcUrl).host;
  if (result.ok) {
    out.replaceChildren(
      `✓ Anchored on chain ${result.chainId} in block ${result.anchoredAtBlock} — proof checked in this browser against ${host}`,
    );
    return;
  }
  out.replaceChildren(
    `✕ Not proven on chain ${result.chainId} (asked ${host})`,
    h('ul', {}, ...result.problems.map((p) => h('li', { 'data-problem': p.code }, p.message))),
  );
}

/** ethers and the check load on the first click only: reading a history needs neither. */
async function verifyOnChain(item: HTMLElement, button: HTMLButtonElement) {
  const out = item.querySelector<HTMLElement>('.chain-result')!;
  button.disabled = true;
  out.removeAttribute('data-result');
  out.textContent = 'Asking the chain…';
  try {
    const inputs: ProofInputs = displayedProof(item);
    const { chains } = await explorerConfig();
    const chain = chains.find((c) => c.chainId === inputs.chainId) ?? chains.find((c) => c.chainId === null);
    if (!chain) throw new Error(`this server lists no RPC for chain ${inputs.chainId}`);
    const { chainRpc, checkOnChain } = await import('./chain-check.js');
    const rpc = chainRpc(chain.rpcUrl, inputs.chainId);
    try {
      resultView(out, await checkOnChain(rpc, inputs), chain.rpcUrl);
    } finally {
      rpc.destroy();
    }
  } catch (e) {
    out.dataset.result = 'fail';
    out.textContent = `✕ Could not check: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    button.disabled = false;
  }
}

byId('events').addEventListener('click', (e) => {
  const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button.verify-chain');
  const item = button?.closest<HTMLElement>('li.event');
  if (button && item) void verifyOnChain(item, button);
});

byId('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  try {
    void run(parseSearch(searchInput.value, settings.gsSubstitute())).catch(fail);
  } catch (err) {
    fail(err);
  }
});

byId('lot-form').addEventListener('submit', (e) => {
  e.preventDefault();
  try {
    void run(lotQuery(lotGtin.value, lotNumber.value)).catch(fail);
  } catch (err) {
    if (err instanceof SearchError) (err.field === 'lot' ? lotNumber : lotGtin).focus();
    fail(err);
  }
});

morePacks.addEventListener('click', () => {
  if (lotCursor) void loadLotPage(lotCursor.gtin, lotCursor.lot, lotCursor.after).catch(fail);
});

byId('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  localStorage.setItem(API_KEY, keyInput.value.trim());
  directory = new Map();
  keyInput.value = '';
  start();
});

byId('forget-key').addEventListener('click', () => {
  localStorage.removeItem(API_KEY);
  directory = new Map();
  showKeyPanel();
});

function start() {
  if (!localStorage.getItem(API_KEY)) return showKeyPanel();
  keyPanel.hidden = true;
  searchPanel.hidden = false;
  const params = new URLSearchParams(location.search);
  const q = params.get('q');
  const gtin = params.get('gtin');
  const lot = params.get('lot');
  const caseId = params.get('case');
  try {
    if (caseId) void cases.showCase(caseId).catch(fail);
    else if (params.has('cases')) void cases.showList(params).catch(fail);
    else if (q) {
      searchInput.value = q;
      void run(parseSearch(q)).catch(fail);
    } else if (gtin && lot) void run(lotQuery(gtin, lot)).catch(fail);
    else {
      searchInput.focus();
      void cases.showCounts(caseCounts);
    }
  } catch (err) {
    fail(err);
  }
}

start();

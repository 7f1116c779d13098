import { h } from '../dom';
import type { CustodyInterval, ProvenanceEvent } from './explorer.queries';
import { destinationName, Directory, locationName, placeOf } from './location-name';
import { epcLabel } from './provenance-graph';

const when = (iso: string) => iso.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
const cbv = (uri: string | null) => (uri ? uri.replace(/^https:\/\/ref\.gs1\.org\/cbv\/BizStep-|^urn:epcglobal:cbv:bizstep:/, '') : '');

export function renderCustody(list: HTMLElement, custody: CustodyInterval[], directory: Directory): void {
  list.replaceChildren(
    ...custody.map((c) =>
      h(
        'li',
        { class: c.inTransit ? 'transit' : 'held' },
        h('time', {}, `${when(c.from)} → ${c.to ? when(c.to) : 'now'}`),
        c.inTransit
          ? h('strong', {}, `In transit${c.destinationGln ? ` to ${destinationName(c.destinationGln, directory)}` : ''}`)
          : h('strong', {}, c.holder ? `${c.holder.name} (GLN ${c.holder.gln})` : 'Unregistered holder'),
        c.location ? h('span', { class: 'hint', title: c.location }, `at ${locationName(c.location, directory, c.holder)}`) : null,
      ),
    ),
  );
}

function field(name: string, label: string, value: string | number): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, h('code', { 'data-field': name }, String(value)))];
}

/**
 * One event with its proof written out in full: the on-chain check reads its inputs back from what is shown here,
 * so what it proves is exactly what the regulator sees.
 */
function eventItem(e: ProvenanceEvent, itemEpc: string, directory: Directory): HTMLElement {
  const p = e.proof;
  const where = placeOf(e);
  const title = [cbv(e.bizStep) || e.eventType, e.action].filter(Boolean).join(' · ');
  return h(
    'li',
    { class: 'event', 'data-event-hash': e.eventHash, 'data-anchor-status': e.anchorStatus },
    h('time', {}, when(e.eventTime)),
    h('strong', {}, title),
    where ? h('span', { class: 'hint', title: where }, `at ${locationName(where, directory)}`) : null,
    e.via !== itemEpc ? h('span', { class: 'hint' }, `via ${epcLabel(e.via)}`) : null,
    h('span', { class: `badge anchor-${e.anchorStatus.toLowerCase()}` }, e.anchorStatus),
    p
      ? h(
          'details',
          { class: 'proof' },
          h('summary', {}, 'Merkle proof'),
          h(
            'dl',
            { class: 'facts' },
            ...field('eventDigest', 'Event digest', p.eventDigest),
            ...field('root', 'Root', p.root),
            ...field('chainId', 'Chain', p.chainId),
            ...field('contractAddress', 'Registry', p.contractAddress),
            ...field('blockNumber', 'Block', p.blockNumber),
            ...field('transactionHash', 'Transaction', p.transactionHash),
            h('dt', {}, 'Proof'),
            h(
              'dd',
              {},
              h('ol', { 'data-field': 'merkleProof', class: 'proof-path' }, ...p.merkleProof.map((x) => h('li', {}, h('code', {}, x)))),
            ),
          ),
        )
      : h('p', { class: 'hint' }, 'Not anchored yet: no proof to check.'),
    p ? h('button', { type: 'button', class: 'verify-chain' }, 'Verify on chain') : null,
    h('p', { class: 'chain-result', role: 'status' }),
  );
}

export function renderEvents(list: HTMLElement, events: ProvenanceEvent[], itemEpc: string, directory: Directory): void {
  list.replaceChildren(...events.map((e) => eventItem(e, itemEpc, directory)));
}

/** The proof inputs as the page shows them now. */
export function displayedProof(item: HTMLElement) {
  const text = (name: string) => item.querySelector(`[data-field="${name}"]`)?.textContent?.trim() ?? '';
  return {
    eventDigest: text('eventDigest'),
    root: text('root'),
    chainId: Number(text('chainId')),
    contractAddress: text('contractAddress'),
    blockNumber: Number(text('blockNumber')),
    merkleProof: Array.from(item.querySelectorAll('[data-field="merkleProof"] code')).map((c) => c.textContent?.trim() ?? ''),
  };
}

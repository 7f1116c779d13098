import type { Provenance } from './explorer.queries';
import { epcLabel, provenanceGraph } from './provenance-graph';

const PACK = 'https://id.gs1.org/01/09506000134352/21/P1';
const CASE = 'https://id.gs1.org/00/095060000000000017';
const PALLET = 'https://id.gs1.org/00/095060000000000024';
const maker = { name: 'ACME Pharma', gln: '9506000000018' };
const wholesaler = { name: 'Wholesale Ltd', gln: '9506000000025' };
const pharmacy = { name: 'Corner Pharmacy', gln: '9506000000032' };

const provenance = (custody: Provenance['custody']): Provenance => ({
  epc: PACK,
  visibility: 'FULL',
  events: [],
  flags: [],
  aggregation: [
    {
      epc: CASE,
      container: PALLET,
      packedAt: '2026-11-01T08:02:00.000Z',
      unpackedAt: '2026-11-02T09:00:00.000Z',
      packedBy: maker,
      unpackedBy: wholesaler,
    },
    { epc: PACK, container: CASE, packedAt: '2026-11-01T08:01:00.000Z', unpackedAt: null, packedBy: maker, unpackedBy: null },
  ],
  custody,
});

const held = (holder: typeof maker, from: string, to: string | null = null) => ({
  holder,
  location: null,
  from,
  to,
  inTransit: false,
  destinationGln: null,
});
const transit = (from: string, to: string | null, destinationGln: string) => ({
  holder: null,
  location: null,
  from,
  to,
  inTransit: true,
  destinationGln,
});

describe('provenanceGraph', () => {
  it('draws pallet → case → item and the hops maker → wholesaler → pharmacy, and who holds the item now', () => {
    const graph = provenanceGraph(
      provenance([
        held(maker, '2026-11-01T08:00:00.000Z', '2026-11-01T09:00:00.000Z'),
        transit('2026-11-01T09:00:00.000Z', '2026-11-02T08:00:00.000Z', wholesaler.gln),
        held(wholesaler, '2026-11-02T08:00:00.000Z', '2026-11-02T10:00:00.000Z'),
        transit('2026-11-02T10:00:00.000Z', '2026-11-03T08:00:00.000Z', pharmacy.gln),
        held(pharmacy, '2026-11-03T08:00:00.000Z'),
      ]),
    );
    expect(graph.nodes.map((n) => [n.kind, n.label, n.level])).toEqual([
      ['item', 'SN P1 · GTIN 09506000134352', 0],
      ['container', 'SSCC 095060000000000017', 1],
      ['container', 'SSCC 095060000000000024', 2],
      ['organization', 'ACME Pharma', 0],
      ['organization', 'Wholesale Ltd', 0],
      ['organization', 'Corner Pharmacy', 0],
    ]);
    expect(graph.edges.map((e) => [e.kind, e.source, e.target, e.label])).toEqual([
      ['contains', `epc:${CASE}`, `epc:${PACK}`, 'packed 2026-11-01'],
      ['contains', `epc:${PALLET}`, `epc:${CASE}`, 'packed 2026-11-01 – 2026-11-02'],
      ['shipped', `org:${maker.gln}`, `org:${wholesaler.gln}`, 'shipped 2026-11-01'],
      ['shipped', `org:${wholesaler.gln}`, `org:${pharmacy.gln}`, 'shipped 2026-11-02'],
      ['holds', `org:${pharmacy.gln}`, `epc:${PACK}`, 'holds now'],
    ]);
    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(graph.edges.length);
  });

  it('ends a shipment still in transit at its destination GLN, with no holder now', () => {
    const graph = provenanceGraph(
      provenance([
        held(maker, '2026-11-01T08:00:00.000Z', '2026-11-01T09:00:00.000Z'),
        transit('2026-11-01T09:00:00.000Z', null, wholesaler.gln),
      ]),
    );
    expect(graph.nodes.filter((n) => n.kind === 'organization').map((n) => n.label)).toEqual([
      'ACME Pharma',
      `GLN ${wholesaler.gln} (in transit)`,
    ]);
    expect(graph.edges.filter((e) => e.kind !== 'contains').map((e) => [e.kind, e.target])).toEqual([['shipped', `org:${wholesaler.gln}`]]);
  });
});

describe('epcLabel', () => {
  it('keeps an EPC it cannot shorten as it is', () => {
    expect(epcLabel('urn:epc:id:sscc:0614141.1234567890')).toBe('urn:epc:id:sscc:0614141.1234567890');
  });
});

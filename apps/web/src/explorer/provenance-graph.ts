import type { Provenance } from './explorer.queries';
import { Directory } from './location-name';
import { packKeys } from './search-query';

export type GraphNodeKind = 'item' | 'container' | 'organization';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  label: string;
  /** Containers: 1 for what held the item, 2 for what held that, …; 0 for the item and organizations. */
  level: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: 'contains' | 'shipped' | 'holds';
  label: string;
}

const day = (iso: string) => iso.slice(0, 10);

/** A short label: a pack's serial or a case's SSCC rather than a whole Digital Link. */
export function epcLabel(epc: string): string {
  const { serial, sscc, gtin } = packKeys(epc);
  if (serial !== undefined) return `SN ${serial}${gtin ? ` · GTIN ${gtin}` : ''}`;
  if (sscc !== undefined) return `SSCC ${sscc}`;
  return epc;
}

const epcNode = (epc: string) => `epc:${epc}`;
const orgNode = (gln: string) => `org:${gln}`;

/**
 * The aggregation hierarchy (pallet → case → item, one edge per packing) and the custody hops between
 * organizations (one edge per shipment that changed hands), joined by an edge from the latest holder to the item:
 * both point at the item, so a top-down layout puts the pallet and the first holder on top.
 */
export function provenanceGraph(p: Provenance, directory: Directory = new Map()): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  nodes.set(epcNode(p.epc), { id: epcNode(p.epc), kind: 'item', label: epcLabel(p.epc), level: 0 });

  const levelOf = new Map<string, number>([[p.epc, 0]]);
  const spans = [...p.aggregation].sort((a, b) => a.packedAt.localeCompare(b.packedAt));
  for (const span of spans) {
    const level = (levelOf.get(span.epc) ?? 0) + 1;
    levelOf.set(span.container, Math.max(levelOf.get(span.container) ?? 0, level));
    const id = epcNode(span.container);
    nodes.set(id, { id, kind: 'container', label: epcLabel(span.container), level: levelOf.get(span.container)! });
    if (!nodes.has(epcNode(span.epc)))
      nodes.set(epcNode(span.epc), {
        id: epcNode(span.epc),
        kind: 'container',
        label: epcLabel(span.epc),
        level: levelOf.get(span.epc) ?? 0,
      });
    const until = span.unpackedAt ? ` – ${day(span.unpackedAt)}` : '';
    edges.push({
      id: `contains:${edges.length}`,
      source: id,
      target: epcNode(span.epc),
      kind: 'contains',
      label: `packed ${day(span.packedAt)}${until}`,
    });
  }

  let previous: string | null = null;
  let shippedOn: string | null = null;
  for (const interval of p.custody) {
    if (interval.inTransit) {
      shippedOn = interval.from;
      if (interval.to === null && interval.destinationGln && previous) {
        const id = orgNode(interval.destinationGln);
        const to = directory.get(interval.destinationGln)?.name ?? `GLN ${interval.destinationGln}`;
        if (!nodes.has(id)) nodes.set(id, { id, kind: 'organization', label: `${to} (in transit)`, level: 0 });
        edges.push({
          id: `shipped:${edges.length}`,
          source: previous,
          target: id,
          kind: 'shipped',
          label: `shipped ${day(interval.from)}`,
        });
      }
      continue;
    }
    if (!interval.holder) continue;
    const id = orgNode(interval.holder.gln);
    if (!nodes.has(id)) nodes.set(id, { id, kind: 'organization', label: interval.holder.name, level: 0 });
    if (previous && previous !== id) {
      edges.push({
        id: `shipped:${edges.length}`,
        source: previous,
        target: id,
        kind: 'shipped',
        label: `shipped ${day(shippedOn ?? interval.from)}`,
      });
    }
    previous = id;
    shippedOn = null;
  }
  const last = p.custody[p.custody.length - 1];
  if (last && !last.inTransit && last.holder)
    edges.push({ id: 'holds', source: orgNode(last.holder.gln), target: epcNode(p.epc), kind: 'holds', label: 'holds now' });
  return { nodes: [...nodes.values()], edges };
}

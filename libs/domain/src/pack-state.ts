import { cbvShortName } from './vocabulary';

export type ItemKind = 'sgtin' | 'sscc' | 'other';

/** Status of a serialized item as the read model tracks it. */
export enum PackStatus {
  ACTIVE = 'ACTIVE',
  IN_TRANSIT = 'IN_TRANSIT',
  DISPENSED = 'DISPENSED',
  DECOMMISSIONED = 'DECOMMISSIONED',
  DESTROYED = 'DESTROYED',
}

export interface ItemState {
  epc: string;
  kind: ItemKind;
  gtin: string | null;
  serial: string | null;
  lot: string | null;
  expiry: string | null;
  status: PackStatus;
  custodianId: string | null;
  location: string | null;
  destination: string | null;
  containerEpc: string | null;
  commissionedBy: string | null;
  lastEventId: number;
  lastEventTime: Date;
}

export interface ItemIdentity {
  kind: ItemKind;
  gtin: string | null;
  serial: string | null;
}

/** What the state rules need from one captured event, with every EPC already in canonical form. */
export interface EventFacts {
  eventId: number;
  eventType: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  eventTime: Date;
  capturedBy: string;
  bizLocation: string | null;
  epcs: string[];
  parent: string | null;
  children: string[];
  lot: string | null;
  expiry: string | null;
  destination: string | null;
}

export interface AppliedEvents {
  /** Every state the events created or changed. */
  states: ItemState[];
  /** Children an AggregationEvent DELETE without childEPCs unpacked, by event id: they belong in its EPC index. */
  impliedChildren: Map<number, string[]>;
}

type Change = Partial<Pick<ItemState, 'status' | 'custodianId' | 'location' | 'destination'>>;

/** The effect a business step has on every item it names and on everything packed inside them. */
function custodyChange(facts: EventFacts): Change | null {
  const step = cbvShortName(facts.bizStep);
  const disposition = cbvShortName(facts.disposition);
  const here = facts.bizLocation ? { location: facts.bizLocation } : {};
  switch (step) {
    case 'shipping':
      return { status: PackStatus.IN_TRANSIT, destination: facts.destination };
    case 'receiving':
      return { status: PackStatus.ACTIVE, custodianId: facts.capturedBy, destination: null, ...here };
    case 'dispensing':
      return { status: PackStatus.DISPENSED, ...here };
    case 'decommissioning':
      return { status: PackStatus.DECOMMISSIONED, ...here };
    case 'destroying':
      return { status: PackStatus.DESTROYED, ...here };
    default:
      if (disposition === 'in_transit') return { status: PackStatus.IN_TRANSIT, destination: facts.destination };
      if (disposition === 'dispensed') return { status: PackStatus.DISPENSED, ...here };
      return Object.keys(here).length ? here : null;
  }
}

/**
 * Applies events, in the order given, to the states they touch and returns every state that changed.
 * `initial` must hold the current state of each EPC the events name and of everything packed inside them,
 * so a shipment of a pallet moves every case and pack on it. An event older than an item's last applied
 * event is history arriving late: it is stored but does not roll the item's state back.
 */
export function applyEvents(
  initial: Iterable<ItemState>,
  events: EventFacts[],
  identify: (epc: string) => ItemIdentity,
): AppliedEvents {
  const states = new Map<string, ItemState>();
  const contents = new Map<string, Set<string>>();
  const setContainer = (epc: string, from: string | null, to: string | null) => {
    if (from) contents.get(from)?.delete(epc);
    if (to) {
      if (!contents.has(to)) contents.set(to, new Set());
      contents.get(to)!.add(epc);
    }
  };
  for (const s of initial) {
    states.set(s.epc, { ...s });
    setContainer(s.epc, null, s.containerEpc);
  }
  const changed = new Set<string>();
  const impliedChildren = new Map<number, string[]>();

  const childrenOf = (epc: string) => [...(contents.get(epc) ?? [])];
  const descendants = (epc: string): string[] => {
    const out: string[] = [];
    const stack = [epc];
    const seen = new Set<string>([epc]);
    while (stack.length) {
      for (const child of childrenOf(stack.pop()!)) {
        if (seen.has(child)) continue;
        seen.add(child);
        out.push(child);
        stack.push(child);
      }
    }
    return out;
  };
  const touch = (epc: string, facts: EventFacts, change: Partial<ItemState>) => {
    const s = states.get(epc);
    if (!s || s.lastEventTime > facts.eventTime) return;
    if (change.containerEpc !== undefined && change.containerEpc !== s.containerEpc) {
      setContainer(epc, s.containerEpc, change.containerEpc);
    }
    Object.assign(s, change, { lastEventId: facts.eventId, lastEventTime: facts.eventTime });
    changed.add(epc);
  };
  const create = (epc: string, facts: EventFacts, extra: Partial<ItemState>) => {
    const id = identify(epc);
    states.set(epc, {
      epc,
      kind: id.kind,
      gtin: id.gtin,
      serial: id.serial,
      lot: null,
      expiry: null,
      status: PackStatus.ACTIVE,
      custodianId: facts.capturedBy,
      location: facts.bizLocation,
      destination: null,
      containerEpc: null,
      commissionedBy: facts.capturedBy,
      lastEventId: facts.eventId,
      lastEventTime: facts.eventTime,
      ...extra,
    });
    changed.add(epc);
  };

  const byTime = [...events].sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime() || a.eventId - b.eventId);
  for (const facts of byTime) {
    const step = cbvShortName(facts.bizStep);
    if (step === 'commissioning' && facts.action === 'ADD') {
      for (const epc of facts.epcs) {
        if (states.has(epc)) continue;
        create(epc, facts, { lot: facts.lot, expiry: facts.expiry });
      }
      continue;
    }
    if (facts.eventType === 'AggregationEvent' && facts.parent) {
      const parent = facts.parent;
      if (facts.action === 'ADD') {
        if (!states.has(parent)) create(parent, facts, {});
        else touch(parent, facts, {});
        for (const child of facts.children) touch(child, facts, { containerEpc: parent });
      } else if (facts.action === 'DELETE') {
        const children = facts.children.length ? facts.children : childrenOf(parent);
        if (!facts.children.length) impliedChildren.set(facts.eventId, children);
        for (const child of children) {
          if (states.get(child)?.containerEpc === parent) touch(child, facts, { containerEpc: null });
        }
        touch(parent, facts, {});
      }
    }
    const change = custodyChange(facts);
    if (!change) continue;
    const named = facts.eventType === 'AggregationEvent' && facts.parent ? [facts.parent, ...facts.children] : facts.epcs;
    const affected = new Set<string>();
    for (const epc of named) {
      affected.add(epc);
      for (const d of descendants(epc)) affected.add(d);
    }
    for (const epc of affected) touch(epc, facts, change);
  }
  return { states: [...changed].map((epc) => states.get(epc)!), impliedChildren };
}

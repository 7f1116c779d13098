import { cbvShortName } from './vocabulary';

export type ItemKind = 'sgtin' | 'sscc' | 'other';

/** Status of a serialized item as the read model tracks it; lot-, product- and date-derived states live in the verdict. */
export enum PackStatus {
  ACTIVE = 'ACTIVE',
  IN_TRANSIT = 'IN_TRANSIT',
  DISPENSED = 'DISPENSED',
  DECOMMISSIONED = 'DECOMMISSIONED',
  DESTROYED = 'DESTROYED',
  STOLEN = 'STOLEN',
  SAMPLE = 'SAMPLE',
  EXPORTED = 'EXPORTED',
  LOCKED = 'LOCKED',
}

/** Statuses that take a pack out of the supply chain (EU FMD "inactive"). */
export const INACTIVE_STATUSES: ReadonlySet<PackStatus> = new Set([
  PackStatus.DISPENSED,
  PackStatus.DECOMMISSIONED,
  PackStatus.DESTROYED,
  PackStatus.STOLEN,
  PackStatus.SAMPLE,
  PackStatus.EXPORTED,
  PackStatus.LOCKED,
]);

/** EU FMD: an inactive status may be undone only by the location that set it, and only within 10 days. */
export const UNDO_WINDOW_DAYS = 10;
/** Never undone: a destroyed or stolen pack stays out of the chain for good. */
const FINAL_STATUSES: ReadonlySet<PackStatus> = new Set([PackStatus.DESTROYED, PackStatus.STOLEN]);

/** Custom CBV-style vocabulary for a step CBV 2.0 lacks (EPCIS allows any URI as bizStep). */
export const EXPORTING_BIZSTEP = 'https://pharmatrace.org/voc/BizStep-exporting';

export interface ItemState {
  epc: string;
  kind: ItemKind;
  gtin: string | null;
  serial: string | null;
  lot: string | null;
  expiry: string | null;
  status: PackStatus;
  /** When and by whom the status last changed: the undo rules need both. */
  statusChangedAt: Date;
  statusChangedBy: string | null;
  custodianId: string | null;
  location: string | null;
  /** GLN of the party a shipment in transit is addressed to. */
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
  /** GLN of the owning party (or location) in the destination list, when it names one. */
  destination: string | null;
}

export enum ViolationCode {
  /** A second dispensing (or other decommissioning) of a pack already dispensed. */
  ALREADY_DISPENSED = 'ALREADY_DISPENSED',
  /** A status change on a pack already out of the chain (destroyed, stolen, exported, decommissioned…). */
  PACK_INACTIVE = 'PACK_INACTIVE',
  UNDO_WINDOW_EXCEEDED = 'UNDO_WINDOW_EXCEEDED',
  UNDO_BY_OTHER_LOCATION = 'UNDO_BY_OTHER_LOCATION',
}

export interface Violation {
  eventId: number;
  epc: string;
  code: ViolationCode;
  status: PackStatus;
}

export interface AppliedEvents {
  /** Every state the events created or changed. */
  states: ItemState[];
  /** Children an AggregationEvent DELETE without childEPCs unpacked, by event id: they belong in its EPC index. */
  impliedChildren: Map<number, string[]>;
  /** Events that break a status rule; a capture carrying any of them must be refused as a whole. */
  violations: Violation[];
}

type Change = Partial<Pick<ItemState, 'status' | 'custodianId' | 'location' | 'destination'>>;

/** The status an event's business step and disposition set, or undefined if they set none. */
export function statusSetBy(bizStep: string | null, disposition: string | null): PackStatus | undefined {
  const step = cbvShortName(bizStep);
  const disp = cbvShortName(disposition);
  if (step === 'shipping') return PackStatus.IN_TRANSIT;
  if (step === 'receiving') return PackStatus.ACTIVE;
  if (step === 'dispensing' || disp === 'dispensed' || disp === 'retail_sold') return PackStatus.DISPENSED;
  if (step === 'destroying' || disp === 'destroyed') return PackStatus.DESTROYED;
  if (disp === 'stolen') return PackStatus.STOLEN;
  if (step === 'sampling') return PackStatus.SAMPLE;
  if (bizStep === EXPORTING_BIZSTEP) return PackStatus.EXPORTED;
  if (step === 'holding' && disp === 'non_sellable_other') return PackStatus.LOCKED;
  if (step === 'decommissioning') return PackStatus.DECOMMISSIONED;
  if (disp === 'in_transit') return PackStatus.IN_TRANSIT;
  if (disp === 'active' || disp === 'sellable_accessible') return PackStatus.ACTIVE;
  return undefined;
}

/** The effect an event has on every item it names and on everything packed inside them. */
function custodyChange(facts: EventFacts): Change | null {
  const status = statusSetBy(facts.bizStep, facts.disposition);
  const here = facts.bizLocation ? { location: facts.bizLocation } : {};
  if (status === PackStatus.IN_TRANSIT) return { status, destination: facts.destination };
  if (cbvShortName(facts.bizStep) === 'receiving') return { status, custodianId: facts.capturedBy, destination: null, ...here };
  if (status) return { status, ...here };
  return Object.keys(here).length ? here : null;
}

/** Why an event may not change this pack's status, if it may not. */
function violationOf(state: ItemState, next: PackStatus, facts: EventFacts): ViolationCode | null {
  if (!INACTIVE_STATUSES.has(state.status) || (next === state.status && state.status !== PackStatus.DISPENSED)) return null;
  if (INACTIVE_STATUSES.has(next)) {
    return state.status === PackStatus.DISPENSED ? ViolationCode.ALREADY_DISPENSED : ViolationCode.PACK_INACTIVE;
  }
  const isUndo = next === PackStatus.ACTIVE && statusSetBy(null, facts.disposition) === PackStatus.ACTIVE && cbvShortName(facts.bizStep) !== 'receiving';
  if (!isUndo || FINAL_STATUSES.has(state.status)) return ViolationCode.PACK_INACTIVE;
  if (state.statusChangedBy !== facts.capturedBy) return ViolationCode.UNDO_BY_OTHER_LOCATION;
  const ageDays = (facts.eventTime.getTime() - state.statusChangedAt.getTime()) / 86_400_000;
  if (state.status !== PackStatus.LOCKED && ageDays > UNDO_WINDOW_DAYS) return ViolationCode.UNDO_WINDOW_EXCEEDED;
  return null;
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
  const violations: Violation[] = [];

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
    if (!s) return;
    if (change.status !== undefined) {
      // Checked even for late events: a second dispensing arriving out of order is still a second dispensing.
      const late = s.lastEventTime > facts.eventTime;
      const code = late && !INACTIVE_STATUSES.has(change.status) ? null : violationOf(s, change.status, facts);
      if (code) {
        violations.push({ eventId: facts.eventId, epc, code, status: s.status });
        return;
      }
    }
    if (s.lastEventTime > facts.eventTime) return;
    if (change.containerEpc !== undefined && change.containerEpc !== s.containerEpc) {
      setContainer(epc, s.containerEpc, change.containerEpc);
    }
    if (change.status !== undefined && change.status !== s.status) {
      Object.assign(s, { statusChangedAt: facts.eventTime, statusChangedBy: facts.capturedBy });
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
      statusChangedAt: facts.eventTime,
      statusChangedBy: facts.capturedBy,
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
  return { states: [...changed].map((epc) => states.get(epc)!), impliedChildren, violations };
}

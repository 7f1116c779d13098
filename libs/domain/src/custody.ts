import { PackStatus, statusSetBy } from './pack-state';
import { glnOf } from './read-policy';
import { cbvShortName } from './vocabulary';

/** One event of a pack's history (its own, or a container's while it sat inside), as custody derivation needs it. */
export interface CustodyEvent {
  id: number;
  /** How the event is named to readers (its CBV 2.0 hash). */
  ref: string;
  eventType: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  eventTime: Date;
  capturedBy: string;
  /** GLN of the capturing organization. */
  capturedByGln: string | null;
  bizLocation: string | null;
  /** GLN of the party (or location) a shipment is addressed to, when the event names one. */
  destinationGln: string | null;
  /** The EPC through which the event reaches the pack: the pack itself or a container holding it then. */
  via: string;
  /** The role `via` plays in the event (epc, parent, child, input, output). */
  role: string;
  /** Canonical parentID of an aggregation event. */
  parent: string | null;
}

export interface CustodyInterval {
  /** Null while in transit. */
  holderId: string | null;
  location: string | null;
  from: Date;
  /** Null while it lasts. */
  to: Date | null;
  inTransit: boolean;
  /** The shipping event that brought the pack to this holder, or that this transit is. */
  shipmentRef: string | null;
  /** GLN a transit is addressed to. */
  destinationGln: string | null;
}

export interface AggregationSpan {
  /** The item packed: the pack, or a case that held it. */
  epc: string;
  container: string;
  packedAt: Date;
  unpackedAt: Date | null;
  packedBy: string;
  unpackedBy: string | null;
  packRef: string;
  unpackRef: string | null;
}

export enum ProvenanceFlagCode {
  /** Received while not in transit, or by a party the shipment was not addressed to. */
  RECEIVED_WITHOUT_SHIPMENT = 'RECEIVED_WITHOUT_SHIPMENT',
  /** Shipped by an organization that did not hold the pack. */
  SHIPPED_BY_NON_HOLDER = 'SHIPPED_BY_NON_HOLDER',
  /** Any event after the pack was dispensed, other than the dispenser undoing it. */
  EVENT_AFTER_DISPENSE = 'EVENT_AFTER_DISPENSE',
}

export interface ProvenanceFlag {
  code: ProvenanceFlagCode;
  eventId: number;
  eventRef: string;
  at: Date;
  /** Who captured the contradicting event. */
  actorId: string;
  /** Whose custody it contradicts: the holder then, if any. */
  holderId: string | null;
  message: string;
}

export interface Custody {
  custody: CustodyInterval[];
  aggregation: AggregationSpan[];
  flags: ProvenanceFlag[];
}

const isShipping = (e: CustodyEvent) => cbvShortName(e.bizStep) === 'shipping';
const isReceiving = (e: CustodyEvent) => cbvShortName(e.bizStep) === 'receiving';
const isCommissioning = (e: CustodyEvent) => cbvShortName(e.bizStep) === 'commissioning' && e.action === 'ADD';
const isAggregating = (e: CustodyEvent) => e.eventType === 'AggregationEvent' && e.action === 'ADD';

/**
 * Custody intervals, aggregation spans and contradictions, from a pack's history alone. Holders are the organizations
 * that commissioned it, or first packed it (a case or pallet is never commissioned: it comes into being when filled),
 * or received it; a shipment opens a transit that a receipt by its addressee closes. Custody follows aggregation
 * because the history holds the container's events while the item sat in it: a pallet shipped by its holder moves
 * every case and pack on it, and is no contradiction for any of them.
 */
export function deriveCustody(events: readonly CustodyEvent[]): Custody {
  const sorted = [...events].sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime() || a.id - b.id);
  const out: Custody = { custody: [], aggregation: [], flags: [] };
  const open = new Map<string, AggregationSpan>();
  const now: { interval: CustodyInterval | null; dispensed: { by: string; at: Date } | null } = { interval: null, dispensed: null };

  const flag = (code: ProvenanceFlagCode, e: CustodyEvent, message: string) =>
    out.flags.push({
      code,
      eventId: e.id,
      eventRef: e.ref,
      at: e.eventTime,
      actorId: e.capturedBy,
      holderId: now.interval?.holderId ?? null,
      message,
    });
  const begin = (e: CustodyEvent, next: Omit<CustodyInterval, 'from' | 'to'>) => {
    if (now.interval) now.interval.to = e.eventTime;
    // Field by field, not `{ ...next, from, to }`: once optimized, V8 gave each such object a hidden class of its own,
    // allocated in the old generation, which kept every provenance request's intervals alive through young collections.
    now.interval = {
      holderId: next.holderId,
      location: next.location,
      from: e.eventTime,
      to: null,
      inTransit: next.inTransit,
      shipmentRef: next.shipmentRef,
      destinationGln: next.destinationGln,
    };
    out.custody.push(now.interval);
  };

  for (const e of sorted) {
    if (now.dispensed) {
      const undo = statusSetBy(null, e.disposition) === PackStatus.ACTIVE && !isReceiving(e) && e.capturedBy === now.dispensed.by;
      if (undo) {
        now.dispensed = null;
        if (now.interval) now.interval.to = null;
      } else {
        flag(
          ProvenanceFlagCode.EVENT_AFTER_DISPENSE,
          e,
          `${cbvShortName(e.bizStep) ?? e.eventType} after the pack was dispensed at ${now.dispensed.at.toISOString()}`,
        );
      }
    }
    if (e.eventType === 'AggregationEvent' && e.role === 'child' && e.parent) trackAggregation(e, open, out.aggregation);
    if (!now.interval && (isCommissioning(e) || isAggregating(e))) {
      begin(e, { holderId: e.capturedBy, location: e.bizLocation, inTransit: false, shipmentRef: null, destinationGln: null });
    }
    const interval = now.interval;
    if (isShipping(e)) {
      const holder = interval && !interval.inTransit ? interval.holderId : null;
      if (holder !== e.capturedBy) {
        flag(
          ProvenanceFlagCode.SHIPPED_BY_NON_HOLDER,
          e,
          holder ? 'shipped by an organization that did not hold the pack' : 'shipped while nobody held the pack',
        );
      }
      begin(e, { holderId: null, location: null, inTransit: true, shipmentRef: e.ref, destinationGln: e.destinationGln });
    } else if (isReceiving(e)) {
      const transit = interval?.inTransit ? interval : null;
      const at = e.bizLocation ? glnOf(e.bizLocation) : null;
      if (!transit) flag(ProvenanceFlagCode.RECEIVED_WITHOUT_SHIPMENT, e, 'received while no shipment was in transit');
      else if (transit.destinationGln && transit.destinationGln !== e.capturedByGln && transit.destinationGln !== at) {
        flag(
          ProvenanceFlagCode.RECEIVED_WITHOUT_SHIPMENT,
          e,
          `received by a party the shipment was not addressed to (${transit.destinationGln})`,
        );
      }
      begin(e, {
        holderId: e.capturedBy,
        location: e.bizLocation,
        inTransit: false,
        shipmentRef: transit?.shipmentRef ?? null,
        destinationGln: null,
      });
    }
    if (statusSetBy(e.bizStep, e.disposition) === PackStatus.DISPENSED && !now.dispensed) {
      now.dispensed = { by: e.capturedBy, at: e.eventTime };
      if (now.interval) now.interval.to = e.eventTime;
    }
  }
  return out;
}

/** A span opens when the item is packed into the container and closes when it is unpacked from that container. */
function trackAggregation(e: CustodyEvent, open: Map<string, AggregationSpan>, spans: AggregationSpan[]) {
  const key = `${e.via} ${e.parent}`;
  if (e.action === 'ADD' && !open.has(key)) {
    const span: AggregationSpan = {
      epc: e.via,
      container: e.parent!,
      packedAt: e.eventTime,
      unpackedAt: null,
      packedBy: e.capturedBy,
      unpackedBy: null,
      packRef: e.ref,
      unpackRef: null,
    };
    open.set(key, span);
    spans.push(span);
  } else if (e.action === 'DELETE' && open.has(key)) {
    Object.assign(open.get(key)!, { unpackedAt: e.eventTime, unpackedBy: e.capturedBy, unpackRef: e.ref });
    open.delete(key);
  }
}

/** The GLN a shipment is addressed to: its owning party, else its possessing party, else its first destination. */
export function destinationGlnOf(body: Record<string, unknown>): string | null {
  const list = (Array.isArray(body.destinationList) ? body.destinationList : []) as { type?: string; destination?: unknown }[];
  const chosen =
    list.find((d) => cbvShortName(d.type) === 'owning_party') ?? list.find((d) => cbvShortName(d.type) === 'possessing_party') ?? list[0];
  return typeof chosen?.destination === 'string' ? glnOf(chosen.destination) : null;
}

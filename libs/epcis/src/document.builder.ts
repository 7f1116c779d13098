/**
 * Builds standard EPCIS 2.0 JSON-LD capture documents for the pharmaceutical flow, so partners' tools, the demo,
 * the benchmarks and the tests all write the same shapes a conformant trading partner would.
 */
export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

export interface EventCommon {
  eventTime: Date | string;
  /** e.g. "+00:00"; defaults to UTC. */
  eventTimeZoneOffset?: string;
  readPoint?: string;
  bizLocation?: string;
}

export type Json = Record<string, unknown>;

const time = (t: Date | string) => (typeof t === 'string' ? t : t.toISOString());

function common(e: EventCommon): Json {
  return {
    eventTime: time(e.eventTime),
    eventTimeZoneOffset: e.eventTimeZoneOffset ?? '+00:00',
    ...(e.readPoint ? { readPoint: { id: e.readPoint } } : {}),
    ...(e.bizLocation ? { bizLocation: { id: e.bizLocation } } : {}),
  };
}

export function epcisDocument(events: Json[], creationDate: Date | string = new Date()): Json {
  return {
    '@context': [EPCIS_CONTEXT],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: time(creationDate),
    epcisBody: { eventList: events },
  };
}

export function commissioningEvent(e: EventCommon & { epcs: string[]; lot: string; expiry: string }): Json {
  return {
    type: 'ObjectEvent',
    ...common(e),
    epcList: e.epcs,
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    ilmd: { 'cbvmda:lotNumber': e.lot, 'cbvmda:itemExpirationDate': e.expiry },
  };
}

export function packingEvent(e: EventCommon & { parent: string; children: string[] }): Json {
  return {
    type: 'AggregationEvent',
    ...common(e),
    parentID: e.parent,
    childEPCs: e.children,
    action: 'ADD',
    bizStep: 'packing',
    disposition: 'in_progress',
  };
}

export function unpackingEvent(e: EventCommon & { parent: string; children?: string[] }): Json {
  return {
    type: 'AggregationEvent',
    ...common(e),
    parentID: e.parent,
    ...(e.children ? { childEPCs: e.children } : {}),
    action: 'DELETE',
    bizStep: 'unpacking',
  };
}

export interface PartyRefs {
  /** PGLN or SGLN EPC URIs of the owning parties. */
  from?: string;
  to?: string;
}

export function shippingEvent(e: EventCommon & PartyRefs & { epcs: string[] }): Json {
  return {
    type: 'ObjectEvent',
    ...common(e),
    epcList: e.epcs,
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    ...(e.from ? { sourceList: [{ type: 'owning_party', source: e.from }] } : {}),
    ...(e.to ? { destinationList: [{ type: 'owning_party', destination: e.to }] } : {}),
  };
}

export function receivingEvent(e: EventCommon & PartyRefs & { epcs: string[] }): Json {
  return {
    type: 'ObjectEvent',
    ...common(e),
    epcList: e.epcs,
    action: 'OBSERVE',
    bizStep: 'receiving',
    disposition: 'in_progress',
    ...(e.from ? { sourceList: [{ type: 'owning_party', source: e.from }] } : {}),
    ...(e.to ? { destinationList: [{ type: 'owning_party', destination: e.to }] } : {}),
  };
}

export function dispensingEvent(e: EventCommon & { epcs: string[] }): Json {
  return { type: 'ObjectEvent', ...common(e), epcList: e.epcs, action: 'OBSERVE', bizStep: 'dispensing', disposition: 'dispensed' };
}

/* End-of-life events: taking items out of the supply chain for good. */

/** `disposition` says why (a CBV 2.0 disposition such as damaged, expired, recalled, stolen); inactive by default. */
export function decommissioningEvent(e: EventCommon & { epcs: string[]; disposition?: string }): Json {
  return {
    type: 'ObjectEvent',
    ...common(e),
    epcList: e.epcs,
    action: 'DELETE',
    bizStep: 'decommissioning',
    disposition: e.disposition ?? 'inactive',
  };
}

export function destroyingEvent(e: EventCommon & { epcs: string[] }): Json {
  return { type: 'ObjectEvent', ...common(e), epcList: e.epcs, action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed' };
}

/** A status change on packs still in hand (sampling, exporting, locking, returning to stock): an ObjectEvent OBSERVE. */
export function statusChangeEvent(e: EventCommon & { epcs: string[]; bizStep: string; disposition: string }): Json {
  return { type: 'ObjectEvent', ...common(e), epcList: e.epcs, action: 'OBSERVE', bizStep: e.bizStep, disposition: e.disposition };
}

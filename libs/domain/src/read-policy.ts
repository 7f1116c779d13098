import { Gs1Error, parseEpc } from '@pharmatrace/gs1';

/**
 * Who may read what: the one table of read rules. Pure, so every role × query pair is a unit test; the API applies
 * it (apps/api/src/policy) and never decides visibility anywhere else.
 *
 * | query                    | REGULATOR | MANUFACTURER                              | DISTRIBUTOR / DISPENSER               |
 * | ------------------------ | --------- | ----------------------------------------- | ------------------------------------- |
 * | provenance(epc)          | full      | full for its own GTINs, else party events | party events; party to none: FORBIDDEN |
 * | events / GET /epcis/events | all     | party to, or naming a pack of its GTINs   | party to (list filtered, documented)  |
 * | event / GET …/{id}       | any       | same rule; not permitted: FORBIDDEN       | same rule; not permitted: FORBIDDEN   |
 * | lot(gtin, lot)           | full      | its own GTINs, else FORBIDDEN             | the packs it holds; holds none: FORBIDDEN |
 * | alerts                   | all       | on its GTINs, addressed to or raised by it | addressed to or raised by it          |
 * | organizations            | all       | all (the trading-partner directory)       | all                                   |
 * | verify                   | any pack  | any pack                                  | any pack                              |
 */
export type ReaderRole = 'MANUFACTURER' | 'DISTRIBUTOR' | 'DISPENSER' | 'REGULATOR';

export interface Reader {
  organizationId: string;
  role: ReaderRole;
  gln: string;
}

export enum ReadQuery {
  PROVENANCE = 'provenance',
  EVENTS = 'events',
  EVENT = 'event',
  LOT = 'lot',
  ALERTS = 'alerts',
  ORGANIZATIONS = 'organizations',
  VERIFY = 'verify',
}

/** How much of a pack's history a reader sees. */
export enum HistoryVisibility {
  FULL = 'FULL',
  /** Only the events the reader is party to; custody, aggregation and flags are cut to those events. */
  PARTY_EVENTS = 'PARTY_EVENTS',
  FORBIDDEN = 'FORBIDDEN',
}

/** Which events a list shows a reader: every list is filtered in the query itself, so pages stay full. */
export type EventScope =
  | { kind: 'all' }
  | { kind: 'party'; organizationId: string; gln: string }
  | { kind: 'party-or-own-gtins'; organizationId: string; gln: string };

export type LotScope = { kind: 'all' } | { kind: 'own-custody'; organizationId: string } | { kind: 'forbidden' };

export type AlertScope =
  | { kind: 'all' }
  | { kind: 'involved'; organizationId: string }
  | { kind: 'involved-or-manufacturer'; organizationId: string };

/** What deciding on one event needs: who captured it and the GLNs of its read point, location, sources and destinations. */
export interface EventParties {
  capturedBy: string;
  glns: ReadonlySet<string>;
}

export function isPartyTo(reader: Reader, event: EventParties): boolean {
  return event.capturedBy === reader.organizationId || event.glns.has(reader.gln);
}

/** One stored event, by hash or id: `manufacturesAny` says whether it names a pack of a GTIN the reader manufactures. */
export function mayReadEvent(reader: Reader, event: EventParties, manufacturesAny: boolean): boolean {
  if (reader.role === 'REGULATOR') return true;
  if (reader.role === 'MANUFACTURER' && manufacturesAny) return true;
  return isPartyTo(reader, event);
}

export function eventScopeFor(reader: Reader): EventScope {
  if (reader.role === 'REGULATOR') return { kind: 'all' };
  const who = { organizationId: reader.organizationId, gln: reader.gln };
  return reader.role === 'MANUFACTURER' ? { kind: 'party-or-own-gtins', ...who } : { kind: 'party', ...who };
}

/**
 * A pack's history: `manufacturerId` is the organization that owns the pack's GTIN (null for cases, pallets and
 * unknown GTINs); `partyEvents` counts the history's events the reader is party to. An empty history is no secret
 * (verify answers UNKNOWN for it to anyone), so it is answered as such.
 */
export function historyVisibility(reader: Reader, manufacturerId: string | null, historyEvents: number, partyEvents: number): HistoryVisibility {
  if (reader.role === 'REGULATOR') return HistoryVisibility.FULL;
  if (reader.role === 'MANUFACTURER' && manufacturerId === reader.organizationId) return HistoryVisibility.FULL;
  if (historyEvents === 0) return HistoryVisibility.FULL;
  return partyEvents > 0 ? HistoryVisibility.PARTY_EVENTS : HistoryVisibility.FORBIDDEN;
}

/** `heldPacks`: how many packs of the lot the reader holds now. */
export function lotScopeFor(reader: Reader, manufacturerId: string | null, heldPacks: number): LotScope {
  if (reader.role === 'REGULATOR') return { kind: 'all' };
  if (reader.role === 'MANUFACTURER') return manufacturerId === reader.organizationId ? { kind: 'all' } : { kind: 'forbidden' };
  return heldPacks > 0 ? { kind: 'own-custody', organizationId: reader.organizationId } : { kind: 'forbidden' };
}

export function alertScopeFor(reader: Reader): AlertScope {
  if (reader.role === 'REGULATOR') return { kind: 'all' };
  if (reader.role === 'MANUFACTURER') return { kind: 'involved-or-manufacturer', organizationId: reader.organizationId };
  return { kind: 'involved', organizationId: reader.organizationId };
}

/** Every role reads the directory (name, role, GLN): partners need it to address shipments. */
export function mayReadOrganizations(_reader: Reader): boolean {
  return true;
}

/** Every role gets the verdict on any pack: that is what a scan is for. */
export function mayVerify(_reader: Reader): boolean {
  return true;
}

type Json = Record<string, unknown>;

const idOf = (v: unknown): string | null =>
  typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Json).id === 'string' ? ((v as Json).id as string) : null;

/**
 * Locations repeat across events (a few per organization), and parsing each with the full EPC grammar cost about
 * 90 µs of a provenance answer (CPU profile, 10M events): answers are kept per URI, up to a bound.
 */
const glnByUri = new Map<string, string | null>();
const MAX_REMEMBERED_URIS = 10_000;

/** The GLN an SGLN, PGLN or Digital Link 414/417 names, or null for anything else. */
export function glnOf(uri: string): string | null {
  const known = glnByUri.get(uri);
  if (known !== undefined) return known;
  let gln: string | null;
  try {
    const epc = parseEpc(uri);
    gln = epc.kind === 'sgln' || epc.kind === 'pgln' ? epc.gln : null;
  } catch (e) {
    if (!(e instanceof Gs1Error)) throw e;
    gln = null;
  }
  if (glnByUri.size >= MAX_REMEMBERED_URIS) glnByUri.clear();
  glnByUri.set(uri, gln);
  return gln;
}

/** The GLNs an EPCIS event names as read point, business location, source or destination. */
export function partyGlns(body: Json): Set<string> {
  const uris: (string | null)[] = [idOf(body.readPoint), idOf(body.bizLocation)];
  for (const s of Array.isArray(body.sourceList) ? body.sourceList : []) uris.push(typeof s?.source === 'string' ? s.source : null);
  for (const d of Array.isArray(body.destinationList) ? body.destinationList : []) uris.push(typeof d?.destination === 'string' ? d.destination : null);
  const out = new Set<string>();
  for (const uri of uris) {
    const gln = uri ? glnOf(uri) : null;
    if (gln) out.add(gln);
  }
  return out;
}

const PREFIX_LENGTHS = [6, 7, 8, 9, 10, 11, 12];

/**
 * SQL LIKE patterns matching every way a GLN may be written in a stored event: SGLN URNs (any extension) and PGLN
 * URNs for each company-prefix length, and Digital Links with AI 414 or 417 on any domain. Lists filter on these in
 * SQL so keyset pages stay full; `partyGlns` is the same rule for one event in memory.
 */
export function glnLikePatterns(gln: string): string[] {
  if (!/^\d{13}$/.test(gln)) return [];
  const key = gln.slice(0, 12);
  const out: string[] = [];
  for (const n of PREFIX_LENGTHS) {
    const urnKey = n === 12 ? `${key}.` : `${key.slice(0, n)}.${key.slice(n)}`;
    out.push(`urn:epc:id:sgln:${urnKey}.%`, `urn:epc:id:pgln:${urnKey}`);
  }
  for (const ai of ['414', '417']) out.push(`%/${ai}/${gln}`, `%/${ai}/${gln}/%`, `%/${ai}/${gln}?%`);
  return out;
}

import { Gs1Error, parseEpc } from '@pharmatrace/gs1';

/**
 * Who may read what: the one table of read rules, decided by one function (`decideRead`). Pure, so every role ×
 * relation × grant × read is a unit test; the API applies it (apps/api/src/policy) and never decides visibility
 * anywhere else. docs/read-policy.md carries the same table.
 *
 * | read                                   | REGULATOR | GTIN's MANUFACTURER | grantee (active grant on the GTIN or lot) | anyone else                                  |
 * | -------------------------------------- | --------- | ------------------- | ----------------------------------------- | -------------------------------------------- |
 * | provenance, proofBundle, GET /proofs   | FULL      | FULL                | FULL                                      | party events; party to none: FORBIDDEN       |
 * | events, GET /epcis/events (lists)      | all       | party to, or naming a pack of its GTINs | + events naming a pack of a granted GTIN/lot | party to                        |
 * | GET /epcis/events/{id}                 | any       | the list rule; none readable: EVENT_NOT_FOUND (as if absent) | same                   | same                                         |
 * | lot(gtin, lot)                         | ALL       | ALL                 | ALL                                       | the packs it holds (OWN_CUSTODY); none: FORBIDDEN |
 * | alerts                                 | all       | + on its GTINs      | + on a granted GTIN/lot                   | raised by or addressed to it                 |
 * | verify: custodian and container        | shown     | shown               | shown                                     | shown to the custodian itself, else null     |
 * | verify: verdict, organizations         | any       | any                 | any                                       | any                                          |
 *
 * "Party to an event": it captured the event, or its GLN is the event's read point, business location, or in its
 * source or destination list. A grant is active from `validFrom` until (excluding) `validUntil` unless revoked; it
 * covers a pack whose GTIN it names and, if it names a lot, whose lot is that lot. An empty history is no secret
 * (verify answers UNKNOWN for it to anyone), so it is answered FULL.
 */
export type ReaderRole = 'MANUFACTURER' | 'DISTRIBUTOR' | 'DISPENSER' | 'REGULATOR';

export interface Reader {
  organizationId: string;
  role: ReaderRole;
  gln: string;
}

export enum ReadQuery {
  /** provenance, proofBundle and GET /proofs: one pack's history. */
  HISTORY = 'history',
  /** Event lists and one event by id: the same criterion, applied in SQL. */
  EVENTS = 'events',
  LOT = 'lot',
  ALERTS = 'alerts',
  /** verify's custodian and container. */
  CUSTODY = 'custody',
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

/** Owner-granted access: a manufacturer lets one organization read its packs of a GTIN, or of one lot, for a period. */
export interface ReadGrant {
  granteeId: string;
  gtin: string;
  lot: string | null;
  validFrom: Date;
  validUntil: Date;
  revokedAt: Date | null;
}

/** What an active grant opens: the packs of a GTIN, or of one of its lots. */
export interface GrantScope {
  gtin: string;
  lot: string | null;
}

/** Which events a list shows a reader: every list is filtered in the query itself, so pages stay full. */
export type EventScope =
  { kind: 'all' } | { kind: 'restricted'; organizationId: string; gln: string; ownGtins: boolean; granted: GrantScope[] };

export type LotScope = { kind: 'all' } | { kind: 'own-custody'; organizationId: string } | { kind: 'forbidden' };

export type AlertScope = { kind: 'all' } | { kind: 'involved'; organizationId: string; ownGtins: boolean; granted: GrantScope[] };

/** A pack as the policy sees it: `manufacturerId` owns its GTIN (null for cases, pallets and unknown GTINs). */
export interface PackSubject {
  gtin: string | null;
  lot: string | null;
  manufacturerId: string | null;
}

/** `historyEvents` counts the pack's history; `partyEvents` the events of it the reader is party to. */
export interface HistorySubject {
  query: ReadQuery.HISTORY;
  pack: PackSubject;
  historyEvents: number;
  partyEvents: number;
}

/** `heldPacks`: how many packs of the lot the reader holds now. */
export interface LotSubject {
  query: ReadQuery.LOT;
  pack: PackSubject;
  heldPacks: number;
}

export interface CustodySubject {
  query: ReadQuery.CUSTODY;
  pack: PackSubject;
  custodianId: string | null;
}

export interface ListSubject {
  query: ReadQuery.EVENTS | ReadQuery.ALERTS;
}

export interface OpenSubject {
  query: ReadQuery.ORGANIZATIONS | ReadQuery.VERIFY;
}

export type ReadSubject = HistorySubject | LotSubject | CustodySubject | ListSubject | OpenSubject;

/** What deciding on one event needs: who captured it and the GLNs of its read point, location, sources and destinations. */
export interface EventParties {
  capturedBy: string;
  glns: ReadonlySet<string>;
}

export function isPartyTo(reader: Reader, event: EventParties): boolean {
  return event.capturedBy === reader.organizationId || event.glns.has(reader.gln);
}

/** A grant is in force from `validFrom` until, excluding, `validUntil`, unless revoked. */
export function grantInForce(grant: Pick<ReadGrant, 'validFrom' | 'validUntil' | 'revokedAt'>, now: Date): boolean {
  return grant.revokedAt === null && grant.validFrom <= now && now < grant.validUntil;
}

const isActive = (grant: ReadGrant, reader: Reader, now: Date) => grant.granteeId === reader.organizationId && grantInForce(grant, now);

const covers = (grant: ReadGrant, pack: PackSubject) =>
  pack.gtin !== null && grant.gtin === pack.gtin && (grant.lot === null || grant.lot === pack.lot);

/** The reader owns the pack's GTIN, is a regulator, or holds an active grant covering it: it reads everything about it. */
function readsWhole(reader: Reader, pack: PackSubject, grants: readonly ReadGrant[], now: Date): boolean {
  if (reader.role === 'REGULATOR') return true;
  if (pack.manufacturerId !== null && pack.manufacturerId === reader.organizationId) return true;
  return grants.some((g) => isActive(g, reader, now) && covers(g, pack));
}

/**
 * The read policy: what `reader`, holding `grants` (its own, as grantee; others are ignored), may read of `subject`
 * at `now`. Every read path asks this function and nothing else.
 */
export function decideRead(reader: Reader, subject: HistorySubject, grants: readonly ReadGrant[], now: Date): HistoryVisibility;
export function decideRead(reader: Reader, subject: LotSubject, grants: readonly ReadGrant[], now: Date): LotScope;
/** Whether verify shows the pack's custodian and container. */
export function decideRead(reader: Reader, subject: CustodySubject, grants: readonly ReadGrant[], now: Date): boolean;
export function decideRead(reader: Reader, subject: { query: ReadQuery.EVENTS }, grants: readonly ReadGrant[], now: Date): EventScope;
export function decideRead(reader: Reader, subject: { query: ReadQuery.ALERTS }, grants: readonly ReadGrant[], now: Date): AlertScope;
/** The trading-partner directory (partners need it to address shipments) and the verdict on any pack (what a scan is for). */
export function decideRead(reader: Reader, subject: OpenSubject, grants: readonly ReadGrant[], now: Date): boolean;
export function decideRead(
  reader: Reader,
  subject: ReadSubject,
  grants: readonly ReadGrant[],
  now: Date,
): HistoryVisibility | LotScope | EventScope | AlertScope | boolean {
  switch (subject.query) {
    case ReadQuery.HISTORY:
      if (readsWhole(reader, subject.pack, grants, now) || subject.historyEvents === 0) return HistoryVisibility.FULL;
      return subject.partyEvents > 0 ? HistoryVisibility.PARTY_EVENTS : HistoryVisibility.FORBIDDEN;
    case ReadQuery.LOT:
      if (readsWhole(reader, subject.pack, grants, now)) return { kind: 'all' };
      return reader.role !== 'MANUFACTURER' && subject.heldPacks > 0
        ? { kind: 'own-custody', organizationId: reader.organizationId }
        : { kind: 'forbidden' };
    case ReadQuery.CUSTODY:
      return (
        (subject.custodianId !== null && subject.custodianId === reader.organizationId) || readsWhole(reader, subject.pack, grants, now)
      );
    case ReadQuery.EVENTS:
    case ReadQuery.ALERTS: {
      if (reader.role === 'REGULATOR') return { kind: 'all' };
      const granted = grants.filter((g) => isActive(g, reader, now)).map(({ gtin, lot }) => ({ gtin, lot }));
      const ownGtins = reader.role === 'MANUFACTURER';
      return subject.query === ReadQuery.EVENTS
        ? { kind: 'restricted', organizationId: reader.organizationId, gln: reader.gln, ownGtins, granted }
        : { kind: 'involved', organizationId: reader.organizationId, ownGtins, granted };
    }
    case ReadQuery.ORGANIZATIONS:
    case ReadQuery.VERIFY:
      return true;
  }
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
  for (const d of Array.isArray(body.destinationList) ? body.destinationList : [])
    uris.push(typeof d?.destination === 'string' ? d.destination : null);
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

/**
 * The keys under which `event_reader` (migration 1767200000000) files every event an organization may read by the
 * GLN and capturer branches of the rule: `c:<organization id>` for the events it captured, and its GLN as
 * glnLikePatterns matches it, `u:<the first 12 digits>` for SGLN and PGLN URNs (which leave the check digit out) and
 * `n:<GLN>` for Digital Links. An event query probes these keys instead of matching the patterns on every event.
 */
export function readerKeys(organizationId: string, gln: string): string[] {
  const keys = [`c:${organizationId}`];
  if (/^\d{13}$/.test(gln)) keys.push(`u:${gln.slice(0, 12)}`, `n:${gln}`);
  return keys;
}

/**
 * Who may record what on a pack: every capture path (GraphQL, REST, XML, streamed, typed mutations) reaches the
 * pack-state reducer, which asks `authorize` before an event changes anything. Participants may be hostile, so
 * authority follows the pack (who makes it, who holds it, to whom it is on its way), never what the event claims.
 * docs/authority.md prints AUTHORITY as a table.
 */
import type { TradingPartnerLicences } from './licence';

export type OrganizationRole = 'MANUFACTURER' | 'DISTRIBUTOR' | 'DISPENSER' | 'REGULATOR';

/** The organization a capture is made under. */
export interface Actor {
  id: string;
  role: OrganizationRole;
  /** A shipment addressed to the actor names this GLN. */
  gln: string;
  /** GS1 company prefixes the actor owns: GTINs under them are its products. */
  companyPrefixes: readonly string[];
}

/** How an actor stands to one pack (or case, pallet). An actor may stand in several relations at once. */
export enum Relation {
  /** A MANUFACTURER owning the company prefix of the item's GTIN. */
  MANUFACTURER = 'MANUFACTURER',
  /** Holds the item now (commissioned or received it, and has not shipped it since). */
  CUSTODIAN = 'CUSTODIAN',
  /** Shipped the item; the shipment is still in transit. */
  SHIPPER = 'SHIPPER',
  /** The party a shipment in transit is addressed to. */
  DESTINATION = 'DESTINATION',
  REGULATOR = 'REGULATOR',
}

/** What an event does to one item, from its business step, disposition and type. */
export enum Act {
  COMMISSION = 'COMMISSION',
  PACK = 'PACK',
  UNPACK = 'UNPACK',
  SHIP = 'SHIP',
  RECEIVE = 'RECEIVE',
  DISPENSE = 'DISPENSE',
  DESTROY = 'DESTROY',
  MARK_STOLEN = 'MARK_STOLEN',
  SAMPLE = 'SAMPLE',
  EXPORT = 'EXPORT',
  DECOMMISSION = 'DECOMMISSION',
  LOCK = 'LOCK',
  /** An inactive status set back to active (undoing a dispensing, lifting a lock). */
  REACTIVATE = 'REACTIVATE',
  /** Anything else: an observation, or a status the item has already. */
  OBSERVE = 'OBSERVE',
}

/** Why an event may not be recorded at all; a capture naming one stores nothing. */
export enum AuthorityCode {
  /** Commissioning, or locking, by someone other than the manufacturer of the GTIN (or, to lock, a regulator). */
  NOT_MANUFACTURER = 'NOT_MANUFACTURER',
  /** A change only the current holder may make. */
  NOT_CUSTODIAN = 'NOT_CUSTODIAN',
  /** A receipt by a party no shipment in transit is addressed to. */
  NOT_DESTINATION = 'NOT_DESTINATION',
  /** The right relation, the wrong trade (a distributor dispensing). */
  NOT_AUTHORIZED_ROLE = 'NOT_AUTHORIZED_ROLE',
  /** eventTime further ahead of the server's clock than the allowed skew. */
  FUTURE_EVENT = 'FUTURE_EVENT',
  /** A shipment to, or a receipt from, an organization without a valid verified licence (LICENCE_ENFORCEMENT=refuse). */
  UNLICENSED_TRADING_PARTNER = 'UNLICENSED_TRADING_PARTNER',
}

export interface AuthorityRule {
  /** Any one of these relations allows the act. */
  relations: readonly Relation[];
  /** Null: any role holding one of the relations. */
  roles: readonly OrganizationRole[] | null;
  /** The answer when no relation allows it. */
  refusal: AuthorityCode;
}

const rule = (relations: Relation[], refusal: AuthorityCode, roles: OrganizationRole[] | null = null): AuthorityRule => ({
  relations,
  roles,
  refusal,
});
const { MANUFACTURER, CUSTODIAN, SHIPPER, REGULATOR, DESTINATION } = Relation;
const { NOT_MANUFACTURER, NOT_CUSTODIAN, NOT_DESTINATION } = AuthorityCode;

/** The authority matrix: the one place deciding who may record which act on an item. */
export const AUTHORITY: Readonly<Record<Act, AuthorityRule>> = {
  [Act.COMMISSION]: rule([MANUFACTURER], NOT_MANUFACTURER),
  [Act.PACK]: rule([CUSTODIAN], NOT_CUSTODIAN),
  [Act.UNPACK]: rule([CUSTODIAN], NOT_CUSTODIAN),
  [Act.SHIP]: rule([CUSTODIAN], NOT_CUSTODIAN),
  [Act.RECEIVE]: rule([DESTINATION], NOT_DESTINATION),
  [Act.DISPENSE]: rule([CUSTODIAN], NOT_CUSTODIAN, ['DISPENSER']),
  [Act.DESTROY]: rule([CUSTODIAN], NOT_CUSTODIAN),
  // A shipment can be stolen on the road: its shipper reports it.
  [Act.MARK_STOLEN]: rule([CUSTODIAN, SHIPPER], NOT_CUSTODIAN),
  [Act.SAMPLE]: rule([CUSTODIAN], NOT_CUSTODIAN, ['MANUFACTURER', 'DISTRIBUTOR']),
  [Act.EXPORT]: rule([CUSTODIAN], NOT_CUSTODIAN, ['MANUFACTURER', 'DISTRIBUTOR']),
  [Act.DECOMMISSION]: rule([CUSTODIAN], NOT_CUSTODIAN),
  [Act.LOCK]: rule([MANUFACTURER, REGULATOR], NOT_MANUFACTURER),
  // Whoever set the inactive status may undo it (the status rules check it was them): a custodian its dispensing,
  // a manufacturer or regulator its lock.
  [Act.REACTIVATE]: rule([CUSTODIAN, MANUFACTURER, REGULATOR], NOT_CUSTODIAN),
  // The shipper may still observe (or call back) its shipment; a regulator inspects what it likes.
  [Act.OBSERVE]: rule([CUSTODIAN, SHIPPER, REGULATOR], NOT_CUSTODIAN),
};

/** What the relations of an actor to an item are read from: its read-model state, or its identity alone before it exists. */
export interface AuthorityItem {
  gtin: string | null;
  custodianId: string | null;
  inTransit: boolean;
  /** GLN a shipment in transit is addressed to. */
  destination: string | null;
}

/** True when the GTIN (14 digits) lies under one of the company prefixes. */
export function ownsGtin(companyPrefixes: readonly string[], gtin: string): boolean {
  const gtin13 = gtin.length === 14 ? gtin.slice(1) : gtin;
  return companyPrefixes.some((p) => p.length > 0 && gtin13.startsWith(p));
}

export function relationsOf(actor: Actor, item: AuthorityItem): Set<Relation> {
  const out = new Set<Relation>();
  if (actor.role === 'MANUFACTURER' && item.gtin && ownsGtin(actor.companyPrefixes, item.gtin)) out.add(Relation.MANUFACTURER);
  if (item.custodianId === actor.id) out.add(item.inTransit ? Relation.SHIPPER : Relation.CUSTODIAN);
  if (item.inTransit && item.destination !== null && item.destination === actor.gln) out.add(Relation.DESTINATION);
  if (actor.role === 'REGULATOR') out.add(Relation.REGULATOR);
  return out;
}

/** Null when the actor may record the act on the item; otherwise the one reason it may not. */
export function authorize(actor: Actor, act: Act, item: AuthorityItem): AuthorityCode | null {
  const { relations, roles, refusal } = AUTHORITY[act];
  const held = relationsOf(actor, item);
  if (!relations.some((r) => held.has(r))) return refusal;
  if (roles && !roles.includes(actor.role)) return AuthorityCode.NOT_AUTHORIZED_ROLE;
  return null;
}

/** The server's side of a capture: who records its events, and when by the server's clock. */
export interface RecordContext {
  /** The organization behind an event's capturedBy. */
  actorOf: (organizationId: string) => Actor;
  /** The server's clock when the capture is recorded: time rules run on it, never on a client's eventTime. */
  recordTime: Date;
  /** Clocks drift: how far ahead of recordTime an eventTime may be (EVENT_TIME_MAX_SKEW_MS, 5 minutes by default). */
  maxFutureSkewMs: number;
  /** The licence rule's inputs; every capture path supplies them, only specs of other rules leave them out. */
  licences?: TradingPartnerLicences;
  /** Items exception cases hold, by EPC: the number of the holding case (exception-case.ts, quarantineRefusal). */
  quarantined?: ReadonlyMap<string, string>;
}

/** True when an event claims a time further ahead of the server's clock than the skew allows. */
export function isFutureEvent(eventTime: Date, context: Pick<RecordContext, 'recordTime' | 'maxFutureSkewMs'>): boolean {
  return eventTime.getTime() > context.recordTime.getTime() + context.maxFutureSkewMs;
}

/**
 * Exception cases (issue 17): what happens after an alert, a receiving discrepancy or a suspicion. One pure state
 * machine decides every change of a case, whoever asks and by whichever path; the services only load, call and store.
 *
 * Categories follow HDA's exception categories (data issue, product without data, data without product, packaging or
 * labelling, unavailable for distribution) plus DSCSA's suspect and illegitimate product. States: open →
 * investigating → resolved (cleared, technical cause, illegitimate); either party may escalate to the regulator, who
 * then decides. Packs under a case that is not resolved are quarantined; a case resolved as illegitimate keeps them
 * quarantined and starts the 24-hour regulator notification (DSCSA: FDA Form 3911 within 24 hours).
 */
import { Act } from './authority';

export enum CaseCategory {
  DATA_ISSUE = 'DATA_ISSUE',
  PRODUCT_WITHOUT_DATA = 'PRODUCT_WITHOUT_DATA',
  DATA_WITHOUT_PRODUCT = 'DATA_WITHOUT_PRODUCT',
  PACKAGING_OR_LABELLING = 'PACKAGING_OR_LABELLING',
  UNAVAILABLE_FOR_DISTRIBUTION = 'UNAVAILABLE_FOR_DISTRIBUTION',
  SUSPECT_PRODUCT = 'SUSPECT_PRODUCT',
  ILLEGITIMATE_PRODUCT = 'ILLEGITIMATE_PRODUCT',
}

export enum CaseState {
  OPEN = 'OPEN',
  INVESTIGATING = 'INVESTIGATING',
  ESCALATED = 'ESCALATED',
  RESOLVED = 'RESOLVED',
}

export enum CaseResolution {
  /** Nothing wrong with the product: the data or the count was put right. */
  CLEARED = 'CLEARED',
  /** A technical cause (scanner, upload, master data), as EU verification systems close most alerts. */
  TECHNICAL_CAUSE = 'TECHNICAL_CAUSE',
  /** Confirmed illegitimate: the regulator and every partner that handled the product must be told. */
  ILLEGITIMATE = 'ILLEGITIMATE',
}

/** Who acts on a case: one of its two trading partners, a regulator, or an organization with no part in it. */
export type CaseRole = 'REPORTER' | 'COUNTERPARTY' | 'REGULATOR' | 'OUTSIDER';

export interface CaseParties {
  reporterId: string;
  /** The trading partner on the other side (the shipper of a discrepant shipment, the manufacturer of a suspect pack). */
  counterpartyId: string | null;
}

export interface CaseView extends CaseParties {
  state: CaseState;
  resolution: CaseResolution | null;
  category: CaseCategory;
}

export type CaseAction =
  | { kind: 'INVESTIGATE' }
  | { kind: 'ESCALATE' }
  | { kind: 'RESOLVE'; resolution: CaseResolution }
  | { kind: 'REOPEN' }
  | { kind: 'COMMENT' }
  /** The regulator filing (Form FDA 3911) was made: recorded by the reporter or a regulator on an illegitimate case. */
  | { kind: 'RECORD_FILING' };

export enum CaseRefusal {
  /** The actor is neither a party to the case nor a regulator. */
  NOT_A_PARTY = 'NOT_A_PARTY',
  /** The action does not apply in the case's state (resolving a resolved case, investigating an escalated one). */
  WRONG_STATE = 'WRONG_STATE',
  /** Once escalated, only the regulator decides; reopening a resolved case is the regulator's too. */
  REGULATOR_ONLY = 'REGULATOR_ONLY',
  /** The regulator filing is the reporter's to make (or a regulator's to record), not the counterparty's. */
  REPORTER_OR_REGULATOR = 'REPORTER_OR_REGULATOR',
}

/** What storing a change must also do, decided here so that no path forgets it. */
export interface CaseEffects {
  /** Quarantine of the case's packs: kept, lifted (the case no longer holds them), or unchanged. */
  quarantine: 'hold' | 'lift' | 'unchanged';
  /** Start the regulator notification clock (an illegitimate resolution). */
  notifyRegulator: boolean;
  /** Tell every trading partner that handled the packs. */
  notifyPartners: boolean;
}

export type CaseDecision =
  { ok: true; state: CaseState; resolution: CaseResolution | null; effects: CaseEffects } | { ok: false; refusal: CaseRefusal };

const NO_EFFECTS: CaseEffects = { quarantine: 'unchanged', notifyRegulator: false, notifyPartners: false };

export function caseRole(view: CaseParties, actorId: string, actorIsRegulator: boolean): CaseRole {
  if (actorIsRegulator) return 'REGULATOR';
  if (actorId === view.reporterId) return 'REPORTER';
  if (view.counterpartyId !== null && actorId === view.counterpartyId) return 'COUNTERPARTY';
  return 'OUTSIDER';
}

/** Whether a new case of this category quarantines its packs at once (every category does: the question is open). */
export const OPENING_EFFECTS: CaseEffects = { quarantine: 'hold', notifyRegulator: false, notifyPartners: false };

/** The one decision for every change of a case, from every path (GraphQL, REST import, the receiving reconciliation). */
export function decideCaseAction(view: CaseView, action: CaseAction, role: CaseRole): CaseDecision {
  if (role === 'OUTSIDER') return { ok: false, refusal: CaseRefusal.NOT_A_PARTY };
  const refuse = (refusal: CaseRefusal): CaseDecision => ({ ok: false, refusal });
  const to = (state: CaseState, resolution: CaseResolution | null, effects: CaseEffects = NO_EFFECTS): CaseDecision => ({
    ok: true,
    state,
    resolution,
    effects,
  });
  switch (action.kind) {
    case 'COMMENT':
      return to(view.state, view.resolution);
    case 'INVESTIGATE':
      if (view.state !== CaseState.OPEN) return refuse(CaseRefusal.WRONG_STATE);
      return to(CaseState.INVESTIGATING, null);
    case 'ESCALATE':
      if (view.state !== CaseState.OPEN && view.state !== CaseState.INVESTIGATING) return refuse(CaseRefusal.WRONG_STATE);
      return to(CaseState.ESCALATED, null);
    case 'RESOLVE': {
      if (view.state === CaseState.RESOLVED) return refuse(CaseRefusal.WRONG_STATE);
      if (view.state === CaseState.ESCALATED && role !== 'REGULATOR') return refuse(CaseRefusal.REGULATOR_ONLY);
      const illegitimate = action.resolution === CaseResolution.ILLEGITIMATE;
      return to(CaseState.RESOLVED, action.resolution, {
        quarantine: illegitimate ? 'hold' : 'lift',
        notifyRegulator: illegitimate,
        notifyPartners: illegitimate,
      });
    }
    case 'REOPEN':
      if (view.state !== CaseState.RESOLVED) return refuse(CaseRefusal.WRONG_STATE);
      if (role !== 'REGULATOR') return refuse(CaseRefusal.REGULATOR_ONLY);
      return to(CaseState.INVESTIGATING, null, { quarantine: 'hold', notifyRegulator: false, notifyPartners: false });
    case 'RECORD_FILING':
      if (view.state !== CaseState.RESOLVED || view.resolution !== CaseResolution.ILLEGITIMATE) return refuse(CaseRefusal.WRONG_STATE);
      if (role === 'COUNTERPARTY') return refuse(CaseRefusal.REPORTER_OR_REGULATOR);
      return to(view.state, view.resolution);
  }
}

/**
 * Whether a case in this state holds its packs in quarantine. Mirrored in SQL by ExceptionCaseRepository (the holds it
 * keeps in `quarantine_hold`); the integration spec checks the two agree.
 */
export function quarantines(view: Pick<CaseView, 'state' | 'resolution'>): boolean {
  return view.state !== CaseState.RESOLVED || view.resolution === CaseResolution.ILLEGITIMATE;
}

/**
 * What a quarantined pack may not undergo, on every capture path (the pack-state rules ask this): moving on to
 * another party (shipping) or leaving the chain through supply (dispensing, export, sampling, decommissioning).
 * Receiving stays allowed (a pack held on its way must still be taken in), and so do destroying, reporting a theft
 * and locking: that is what may become of product an investigation finds illegitimate.
 */
export const QUARANTINE_REFUSED_ACTS: ReadonlySet<Act> = new Set([Act.SHIP, Act.DISPENSE, Act.EXPORT, Act.SAMPLE, Act.DECOMMISSION]);

/** Where a capture looks for holds: by EPC, the number of the case holding it (directly or through a container it sits in). */
export type QuarantineHolds = ReadonlyMap<string, string>;

/**
 * The hold that refuses `act` on an item, if any: the item's own, else one on something packed inside it (shipping a
 * case moves every pack in it). `inside` lists what the item contains at that moment.
 */
export function quarantineRefusal(
  act: Act,
  epc: string,
  inside: () => readonly string[],
  holds: QuarantineHolds,
): { epc: string; caseNumber: string } | null {
  if (!holds.size || !QUARANTINE_REFUSED_ACTS.has(act)) return null;
  const own = holds.get(epc);
  if (own !== undefined) return { epc, caseNumber: own };
  for (const d of inside()) {
    const held = holds.get(d);
    if (held !== undefined) return { epc: d, caseNumber: held };
  }
  return null;
}

const DAY_MS = 86_400_000;

/**
 * `days` business days after `from` (Saturdays and Sundays skipped, in UTC, at the same time of day): the industry's
 * grace period for product pending data verification is three business days.
 */
export function addBusinessDays(from: Date, days: number): Date {
  let at = from.getTime();
  let left = days;
  while (left > 0) {
    at += DAY_MS;
    const weekday = new Date(at).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return new Date(at);
}

/** DSCSA: a confirmed illegitimate product is reported to the FDA within 24 hours of the determination. */
export const REGULATOR_NOTIFICATION_HOURS = 24;

export function regulatorNotificationDue(determinedAt: Date): Date {
  return new Date(determinedAt.getTime() + REGULATOR_NOTIFICATION_HOURS * 3_600_000);
}

/** What a receipt is compared with: the shipping event's identifiers (aggregation expanded) and class quantities. */
export interface ShipmentContents {
  epcs: readonly string[];
  quantities: ReadonlyMap<string, number>;
}

export interface ReceiptDifference {
  /** Shipped, not received. */
  missing: string[];
  /** Received, not shipped. */
  unexpected: string[];
  /** Classes whose quantities differ: shipped and received. */
  quantities: { epcClass: string; shipped: number; received: number }[];
}

/** Receiving reconciliation: every difference between what was shipped and what arrived, each listed (sorted). */
export function reconcileReceipt(shipped: ShipmentContents, received: ShipmentContents): ReceiptDifference {
  const got = new Set(received.epcs);
  const sent = new Set(shipped.epcs);
  const classes = new Set([...shipped.quantities.keys(), ...received.quantities.keys()]);
  return {
    missing: [...sent].filter((e) => !got.has(e)).sort(),
    unexpected: [...got].filter((e) => !sent.has(e)).sort(),
    quantities: [...classes]
      .sort()
      .map((epcClass) => ({ epcClass, shipped: shipped.quantities.get(epcClass) ?? 0, received: received.quantities.get(epcClass) ?? 0 }))
      .filter((q) => q.shipped !== q.received),
  };
}

export const isCleanReceipt = (d: ReceiptDifference) => !d.missing.length && !d.unexpected.length && !d.quantities.length;

/** A case a receipt's reconciliation opens: its category and the items it lists (each noted missing or unexpected). */
export interface ReceiptCase {
  category: CaseCategory.DATA_WITHOUT_PRODUCT | CaseCategory.PRODUCT_WITHOUT_DATA;
  items: { epc: string; note: 'missing' | 'unexpected' }[];
}

/**
 * The cases a receipt opens (HDA's categories): shipped items not received are data without product; received items
 * not shipped, product without data; with no shipping event to the receiver at all, everything received is product
 * without data. A clean receipt opens none. Quantity differences of classes are left to the parties (no pack to hold).
 */
export function receiptCases(shipped: ShipmentContents | null, received: ShipmentContents): ReceiptCase[] {
  const diff = reconcileReceipt(shipped ?? { epcs: [], quantities: new Map() }, received);
  const out: ReceiptCase[] = [];
  if (diff.missing.length) {
    out.push({ category: CaseCategory.DATA_WITHOUT_PRODUCT, items: diff.missing.map((epc) => ({ epc, note: 'missing' })) });
  }
  if (diff.unexpected.length) {
    out.push({ category: CaseCategory.PRODUCT_WITHOUT_DATA, items: diff.unexpected.map((epc) => ({ epc, note: 'unexpected' })) });
  }
  return out;
}

/**
 * Whose receipts a supplier scorecard counts for a viewer: a regulator's, every receiver's; anyone else's, only its
 * own (a receiver rates its suppliers; it learns nothing of what others received from them).
 */
export function scorecardScope(viewer: { id: string; role: string }): { receiverId: string | null } {
  return { receiverId: viewer.role === 'REGULATOR' ? null : viewer.id };
}

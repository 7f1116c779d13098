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
import { Act, ownsGtin, type OrganizationRole } from './authority';

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

/**
 * Who reads or acts on a case: one of its two trading partners, a regulator, the manufacturer of a product the case is
 * about (not a party: it reads the case and its clocks, nothing it did not write), or an organization with no part in it.
 */
export type CaseRole = 'REPORTER' | 'COUNTERPARTY' | 'REGULATOR' | 'PRODUCT_OWNER' | 'OUTSIDER';

export interface CaseParties {
  reporterId: string;
  /** The trading partner on the other side (the shipper of a discrepant shipment, the manufacturer of a suspect pack). */
  counterpartyId: string | null;
}

/**
 * The person who owns a case on one side: named by that party (ASSIGN_OWNER), with what it chooses to give of its
 * contact. Optional members are left out when not given, so that the hashed record has one form.
 */
export interface CaseOwner {
  name: string;
  title?: string;
  email?: string;
  phone?: string;
}

/** Which side of a case an owner is for: the reporter's or the counterparty's. */
export type CaseSide = 'REPORTER' | 'COUNTERPARTY';

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
  | { kind: 'RECORD_FILING' }
  /** A party names the person who owns the case on its side (each party its own, in any state). */
  | { kind: 'ASSIGN_OWNER' };

export enum CaseRefusal {
  /** The actor is neither a party to the case nor a regulator. */
  NOT_A_PARTY = 'NOT_A_PARTY',
  /** The action does not apply in the case's state (resolving a resolved case, investigating an escalated one). */
  WRONG_STATE = 'WRONG_STATE',
  /** Once escalated, only the regulator decides; reopening a resolved case is the regulator's too. */
  REGULATOR_ONLY = 'REGULATOR_ONLY',
  /** The regulator filing is the reporter's to make (or a regulator's to record), not the counterparty's. */
  REPORTER_OR_REGULATOR = 'REPORTER_OR_REGULATOR',
  /**
   * The two trading partners' alone: naming a party's owner, and every action to the product's manufacturer, which
   * reads the case without being a party to it.
   */
  PARTIES_ONLY = 'PARTIES_ONLY',
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

/** Who asks about a case: the organization, its trade, and the GS1 company prefixes it owns. */
export interface CaseViewer {
  id: string;
  role: OrganizationRole;
  companyPrefixes: readonly string[];
}

/**
 * The one visibility rule of cases: the role `viewer` has on a case between `view`'s parties whose packs carry
 * `productGtins` (the GTINs of its items, none for SSCCs or unparsable ones). A regulator sees every case; a party its
 * own; a manufacturer that owns one of the GTINs' company prefixes (the product's brand owner) sees a case about its
 * product without being a party to it; anyone else nothing. `caseListScope` says the same to the SQL of lists.
 */
export function caseRole(view: CaseParties, viewer: CaseViewer, productGtins: readonly string[]): CaseRole {
  if (viewer.role === 'REGULATOR') return 'REGULATOR';
  if (viewer.id === view.reporterId) return 'REPORTER';
  if (view.counterpartyId !== null && viewer.id === view.counterpartyId) return 'COUNTERPARTY';
  if (viewer.role === 'MANUFACTURER' && productGtins.some((g) => ownsGtin(viewer.companyPrefixes, g))) return 'PRODUCT_OWNER';
  return 'OUTSIDER';
}

/** What a role may read of a case (every path asks this: GraphQL fields, REST documents and forms). */
export interface CaseAccess {
  /** The case itself: category, state, dates and clocks, its packs and class quantities, its parties, its summary. */
  sees: boolean;
  /** The history's messages and attachments (the parties' exchange); without them, who did what when. */
  messages: boolean;
  /** The named owners of each side (people and their contacts). */
  owners: boolean;
  /** The regulator forms (they carry the history's narrative) and the record of partners told. */
  forms: boolean;
}

const ACCESS: Record<CaseRole, CaseAccess> = {
  REPORTER: { sees: true, messages: true, owners: true, forms: true },
  COUNTERPARTY: { sees: true, messages: true, owners: true, forms: true },
  REGULATOR: { sees: true, messages: true, owners: true, forms: true },
  // The brand owner follows the state and the 24-hour clock of cases about its product; what the parties wrote to
  // each other and who they are as people stays theirs. The summary (what the case is about) is the case, not a message.
  PRODUCT_OWNER: { sees: true, messages: false, owners: false, forms: false },
  OUTSIDER: { sees: false, messages: false, owners: false, forms: false },
};

export function caseAccess(role: CaseRole): CaseAccess {
  return ACCESS[role];
}

/**
 * `caseRole(…) !== 'OUTSIDER'` as lists and counts ask it in SQL: every case for a regulator; else the cases the
 * viewer is a party to, and a manufacturer's also those with an item whose GTIN (past its indicator digit) starts with
 * one of its prefixes. Mirrored in SQL by ExceptionCaseRepository; the integration spec checks the two agree.
 */
export type CaseListScope = { kind: 'all' } | { kind: 'scoped'; organizationId: string; productPrefixes: string[] };

export function caseListScope(viewer: CaseViewer): CaseListScope {
  if (viewer.role === 'REGULATOR') return { kind: 'all' };
  return {
    kind: 'scoped',
    organizationId: viewer.id,
    productPrefixes: viewer.role === 'MANUFACTURER' ? viewer.companyPrefixes.filter((p) => p.length > 0) : [],
  };
}

/** Whether a new case of this category quarantines its packs at once (every category does: the question is open). */
export const OPENING_EFFECTS: CaseEffects = { quarantine: 'hold', notifyRegulator: false, notifyPartners: false };

/** The one decision for every change of a case, from every path (GraphQL, REST import, the receiving reconciliation). */
export function decideCaseAction(view: CaseView, action: CaseAction, role: CaseRole): CaseDecision {
  if (role === 'OUTSIDER') return { ok: false, refusal: CaseRefusal.NOT_A_PARTY };
  if (role === 'PRODUCT_OWNER') return { ok: false, refusal: CaseRefusal.PARTIES_ONLY };
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
    case 'ASSIGN_OWNER':
      // Each party names its own owner (the side is the actor's role); a regulator is no side.
      if (role === 'REGULATOR') return refuse(CaseRefusal.PARTIES_ONLY);
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

/** A class-level quantity of an event (EPCIS `quantityList`): so much of an EPC class (a lot, a GTIN), in a unit or none. */
export interface ClassQuantity {
  /** The class in one spelling (the caller canonicalises: an LGTIN URN and its Digital Link are one class). */
  epcClass: string;
  quantity: number;
  /** UN/ECE Rec. 20 unit code; null: a count of instances of the class. */
  uom: string | null;
}

/** What a receipt is compared with: the items an event names (aggregation expanded) and its class quantities. */
export interface ShipmentContents {
  epcs: readonly string[];
  quantities: readonly ClassQuantity[];
}

/** A class whose quantity differs between what was shipped and what was received, in one unit. */
export interface QuantityDifference {
  epcClass: string;
  uom: string | null;
  shipped: number;
  received: number;
}

export interface ReceiptDifference {
  /** Shipped, not received. */
  missing: string[];
  /** Received, not shipped. */
  unexpected: string[];
  /** Classes whose quantities differ (summed per class and unit): shipped and received. */
  quantities: QuantityDifference[];
}

/** Sums per class and unit; the key joins them with a character neither holds. */
function totals(list: readonly ClassQuantity[]): Map<string, { epcClass: string; uom: string | null; quantity: number }> {
  const out = new Map<string, { epcClass: string; uom: string | null; quantity: number }>();
  for (const q of list) {
    const key = `${q.epcClass}\u0000${q.uom ?? ''}`;
    const seen = out.get(key);
    if (seen) seen.quantity += q.quantity;
    else out.set(key, { epcClass: q.epcClass, uom: q.uom, quantity: q.quantity });
  }
  return out;
}

/** Receiving reconciliation: every difference between what was shipped and what arrived, each listed (sorted). */
export function reconcileReceipt(shipped: ShipmentContents, received: ShipmentContents): ReceiptDifference {
  const got = new Set(received.epcs);
  const sent = new Set(shipped.epcs);
  const sentQ = totals(shipped.quantities);
  const gotQ = totals(received.quantities);
  return {
    missing: [...sent].filter((e) => !got.has(e)).sort(),
    unexpected: [...got].filter((e) => !sent.has(e)).sort(),
    quantities: [...new Set([...sentQ.keys(), ...gotQ.keys()])]
      .sort()
      .map((key) => {
        const { epcClass, uom } = (sentQ.get(key) ?? gotQ.get(key))!;
        return { epcClass, uom, shipped: sentQ.get(key)?.quantity ?? 0, received: gotQ.get(key)?.quantity ?? 0 };
      })
      .filter((q) => q.shipped !== q.received),
  };
}

export const isCleanReceipt = (d: ReceiptDifference) => !d.missing.length && !d.unexpected.length && !d.quantities.length;

/**
 * A case a receipt's reconciliation opens: its category, the items it lists (each noted missing or unexpected) and the
 * class quantities that differ.
 */
export interface ReceiptCase {
  category: CaseCategory.DATA_WITHOUT_PRODUCT | CaseCategory.PRODUCT_WITHOUT_DATA;
  items: { epc: string; note: 'missing' | 'unexpected' }[];
  quantities: QuantityDifference[];
}

/**
 * The cases a receipt opens (HDA's categories): shipped items not received, and classes received short, are data
 * without product; received items not shipped, and classes received over, product without data; with no shipping
 * event to the receiver at all, everything received is product without data. A clean receipt opens none. A class
 * quantity names no pack, so it holds none in quarantine: it is listed on the case for the parties to settle.
 */
export function receiptCases(shipped: ShipmentContents | null, received: ShipmentContents): ReceiptCase[] {
  const diff = reconcileReceipt(shipped ?? { epcs: [], quantities: [] }, received);
  const out: ReceiptCase[] = [];
  const short = diff.quantities.filter((q) => q.received < q.shipped);
  const over = diff.quantities.filter((q) => q.received > q.shipped);
  if (diff.missing.length || short.length) {
    out.push({
      category: CaseCategory.DATA_WITHOUT_PRODUCT,
      items: diff.missing.map((epc) => ({ epc, note: 'missing' })),
      quantities: short,
    });
  }
  if (diff.unexpected.length || over.length) {
    out.push({
      category: CaseCategory.PRODUCT_WITHOUT_DATA,
      items: diff.unexpected.map((epc) => ({ epc, note: 'unexpected' })),
      quantities: over,
    });
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

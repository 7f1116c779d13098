import { Act, AuthorityItem } from './authority';

/**
 * Authorized trading partners (DSCSA): an organization trades only while it holds a licence a regulator has verified.
 * A licence is what the organization declares (type, issuing authority, number, validity) plus the regulator's
 * decision on it; only a verified, unrejected licence inside its validity counts.
 */
export interface LicenceRecord {
  validFrom: Date;
  /** Exclusive: the licence has lapsed at this instant. */
  validUntil: Date;
  verifiedAt: Date | null;
  rejectedAt: Date | null;
}

export enum LicenceStatus {
  /** Declared by its holder, not yet decided by a regulator. */
  PENDING = 'PENDING',
  VERIFIED = 'VERIFIED',
  REJECTED = 'REJECTED',
}

export function licenceStatus(licence: Pick<LicenceRecord, 'verifiedAt' | 'rejectedAt'>): LicenceStatus {
  if (licence.rejectedAt) return LicenceStatus.REJECTED;
  return licence.verifiedAt ? LicenceStatus.VERIFIED : LicenceStatus.PENDING;
}

/**
 * Valid at `at`: verified and not rejected (the regulator's decision as it stands, since captures are judged when
 * recorded), and `at` within [validFrom, validUntil).
 */
export function isLicenceValid(licence: LicenceRecord, at: Date): boolean {
  const t = at.getTime();
  return licenceStatus(licence) === LicenceStatus.VERIFIED && licence.validFrom.getTime() <= t && t < licence.validUntil.getTime();
}

export function hasValidLicence(licences: readonly LicenceRecord[], at: Date): boolean {
  return licences.some((l) => isLicenceValid(l, at));
}

/** How a capture naming an unlicensed counterparty is treated (LICENCE_ENFORCEMENT). */
export enum LicenceEnforcement {
  /** The capture is refused whole: UNLICENSED_TRADING_PARTNER. */
  REFUSE = 'refuse',
  /** The capture is stored, and an UNLICENSED_TRADING_PARTNER alert records each unlicensed counterparty. */
  ALERT = 'alert',
}

/** Regulators oversee the trade and take no part in it, so they need no licence. */
export function needsLicence(role: string): boolean {
  return role !== 'REGULATOR';
}

/** A registered organization with its licence records, as the licence rule needs it. */
export interface TradingPartner {
  id: string;
  gln: string;
  role: string;
  licences: readonly LicenceRecord[];
}

/** The organizations that may not trade at `at`: those needing a licence and holding no valid one, by id and GLN. */
export function unlicensedPartners(
  partners: readonly TradingPartner[],
  at: Date,
): { unlicensedIds: Set<string>; unlicensedGlns: Set<string> } {
  const unlicensed = partners.filter((p) => needsLicence(p.role) && !hasValidLicence(p.licences, at));
  return { unlicensedIds: new Set(unlicensed.map((p) => p.id)), unlicensedGlns: new Set(unlicensed.map((p) => p.gln)) };
}

/**
 * unlicensedPartners at `at`, with the span [from, until) around it in which no licence of any partner begins or lapses:
 * the same organizations are unlicensed at every instant of it, so a capture whose record time falls in it needs no
 * new pass over the partners (a national registry holds tens of thousands). Bounds are epoch ms, ±Infinity if open.
 */
export function unlicensedPartnersSpan(
  partners: readonly TradingPartner[],
  at: Date,
): { unlicensedIds: Set<string>; unlicensedGlns: Set<string>; from: number; until: number } {
  const t = at.getTime();
  let from = -Infinity;
  let until = Infinity;
  for (const partner of partners) {
    for (const licence of partner.licences) {
      for (const bound of [licence.validFrom.getTime(), licence.validUntil.getTime()]) {
        if (bound <= t) from = Math.max(from, bound);
        else until = Math.min(until, bound);
      }
    }
  }
  return { ...unlicensedPartners(partners, at), from, until };
}

/** Who may not trade at recordTime (DSCSA authorized trading partners), and what trading with them does. */
export interface TradingPartnerLicences {
  /** Organizations with no valid verified licence then, by id and by GLN; regulators need none and never appear. */
  unlicensedIds: ReadonlySet<string>;
  unlicensedGlns: ReadonlySet<string>;
  enforcement: LicenceEnforcement;
}

/**
 * DSCSA: trade only with authorized partners. A shipment's counterparty is its addressee (a GLN that names no
 * registered organization, such as a site, is no partner to check); a receipt's is the shipper, the item's custodian
 * while in transit. True when that counterparty holds no valid verified licence.
 */
export function tradesWithUnlicensed(act: Act, item: AuthorityItem, destination: string | null, licences: TradingPartnerLicences): boolean {
  if (act === Act.SHIP) return destination !== null && licences.unlicensedGlns.has(destination);
  if (act === Act.RECEIVE) return item.inTransit && item.custodianId !== null && licences.unlicensedIds.has(item.custodianId);
  return false;
}

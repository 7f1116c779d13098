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

/** Valid at `at`: verified by then, not rejected, and `at` within [validFrom, validUntil). */
export function isLicenceValid(licence: LicenceRecord, at: Date): boolean {
  const t = at.getTime();
  return (
    licenceStatus(licence) === LicenceStatus.VERIFIED &&
    licence.verifiedAt!.getTime() <= t &&
    licence.validFrom.getTime() <= t &&
    t < licence.validUntil.getTime()
  );
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

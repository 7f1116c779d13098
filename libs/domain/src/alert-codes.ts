import { AlertCode, Verdict, VerdictStatus } from './verdict';

export type VrsFailureReason =
  | 'No_match_GTIN_Serial'
  | 'No_match_GTIN_Serial_Lot_Expiry'
  | 'No_match_GTIN_Serial_Lot'
  | 'No_match_GTIN_Serial_Expiry'
  | 'No_reason_provided';

export interface AlertMapping {
  description: string;
  /** EU NMVS return code a national verification system answers for the same finding (null: none exists). */
  nmvs: string | null;
  /** DSCSA VRS (GS1 Lightweight Messaging) verificationFailureReason, for identifier mismatches. */
  vrsFailureReason: VrsFailureReason | null;
  /** DSCSA VRS additionalInfo for a matched identifier whose product must not be resold. */
  vrsAdditionalInfo: string | null;
}

/** The one table from our alert codes to EU FMD (NMVS) and US DSCSA (VRS) semantics; the README prints it. */
export const ALERT_MAPPING: Record<AlertCode, AlertMapping> = {
  [AlertCode.UNKNOWN_PRODUCT]: {
    description: 'No pack of this GTIN was ever commissioned',
    nmvs: 'NMVS_NC_PC_01',
    vrsFailureReason: 'No_match_GTIN_Serial',
    vrsAdditionalInfo: null,
  },
  [AlertCode.UNKNOWN_SERIAL]: {
    description: 'The GTIN is known, this serial number is not',
    nmvs: 'NMVS_NC_PC_02',
    vrsFailureReason: 'No_match_GTIN_Serial',
    vrsAdditionalInfo: null,
  },
  [AlertCode.LOT_MISMATCH]: {
    description: 'The scanned lot differs from the commissioned one',
    nmvs: 'NMVS_FE_LOT_13',
    vrsFailureReason: 'No_match_GTIN_Serial_Lot',
    vrsAdditionalInfo: null,
  },
  [AlertCode.EXPIRY_MISMATCH]: {
    description: 'The scanned expiry differs from the commissioned one',
    nmvs: 'NMVS_FE_LOT_12',
    vrsFailureReason: 'No_match_GTIN_Serial_Expiry',
    vrsAdditionalInfo: null,
  },
  [AlertCode.EXPIRED]: {
    description: 'The pack is past its expiry date',
    nmvs: 'NMVS_NC_PCK_22',
    vrsFailureReason: null,
    vrsAdditionalInfo: 'Expired',
  },
  [AlertCode.RECALLED]: {
    description: 'The lot was recalled',
    nmvs: 'NMVS_NC_PCK_22',
    vrsFailureReason: null,
    vrsAdditionalInfo: 'Recalled',
  },
  [AlertCode.WITHDRAWN]: {
    description: 'The product was withdrawn from the market',
    nmvs: 'NMVS_NC_PCK_22',
    vrsFailureReason: null,
    vrsAdditionalInfo: 'Recalled',
  },
  [AlertCode.ALREADY_DISPENSED]: {
    description: 'The pack was dispensed before',
    nmvs: 'NMVS_NC_PCK_22',
    vrsFailureReason: null,
    vrsAdditionalInfo: 'Suspect',
  },
  [AlertCode.PACK_INACTIVE]: {
    description: 'The pack was decommissioned (destroyed, stolen, sample, exported, locked…)',
    nmvs: 'NMVS_NC_PCK_22',
    vrsFailureReason: null,
    vrsAdditionalInfo: 'Illegitimate',
  },
  [AlertCode.NOT_IN_CUSTODY]: {
    description: 'The pack was never shipped to the scanning dispenser',
    nmvs: null,
    vrsFailureReason: null,
    vrsAdditionalInfo: 'Suspect',
  },
  [AlertCode.ANCHORING_PENDING]: {
    description: 'Some events of the pack are not anchored on chain yet',
    nmvs: null,
    vrsFailureReason: null,
    vrsAdditionalInfo: null,
  },
  [AlertCode.ANCHORING_FAILED]: {
    description: 'An audit found the pack history does not match the root anchored on chain',
    nmvs: null,
    vrsFailureReason: null,
    vrsAdditionalInfo: 'Suspect',
  },
  [AlertCode.QUARANTINED]: {
    description: 'An exception case holds the pack in quarantine while it is investigated',
    nmvs: null,
    vrsFailureReason: null,
    vrsAdditionalInfo: 'Suspect',
  },
};

/** Undo failures answered by dispense/undo operations, with their NMVS return codes. */
export const UNDO_NMVS = {
  STATUS_MISMATCH: 'NMVS_NC_PCK_06',
  ALREADY_SET: 'NMVS_NC_PCK_19',
  WINDOW_EXCEEDED: 'NMVS_NC_PCK_20',
  OTHER_LOCATION: 'NMVS_NC_PCK_21',
  INACTIVE: 'NMVS_NC_PCK_22',
} as const;

export interface VrsAnswer {
  verified: boolean;
  verificationFailureReason?: VrsFailureReason;
  additionalInfo?: string;
}

/**
 * A verdict as the DSCSA Verification Router Service expects it: `verified` says whether the product identifier
 * (GTIN, serial, lot, expiry) matches; `additionalInfo` says why a matching product must still not be resold.
 */
export function vrsAnswerFor(verdict: Pick<Verdict, 'status' | 'alerts'>): VrsAnswer {
  const has = (a: AlertCode) => verdict.alerts.includes(a);
  if (verdict.status === VerdictStatus.UNKNOWN) return { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' };
  if (has(AlertCode.LOT_MISMATCH) && has(AlertCode.EXPIRY_MISMATCH))
    return { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot_Expiry' };
  if (has(AlertCode.LOT_MISMATCH)) return { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' };
  if (has(AlertCode.EXPIRY_MISMATCH)) return { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Expiry' };
  const PRIORITY: AlertCode[] = [
    AlertCode.PACK_INACTIVE,
    AlertCode.ANCHORING_FAILED,
    AlertCode.QUARANTINED,
    AlertCode.ALREADY_DISPENSED,
    AlertCode.RECALLED,
    AlertCode.WITHDRAWN,
    AlertCode.EXPIRED,
  ];
  const info = PRIORITY.filter(has).map((a) => ALERT_MAPPING[a].vrsAdditionalInfo)[0];
  return info ? { verified: true, additionalInfo: info } : { verified: true };
}

/** The NMVS return code of the most serious alert, as an EU national system would answer the scan. */
export function nmvsCodeFor(alerts: AlertCode[]): string | null {
  return alerts.map((a) => ALERT_MAPPING[a].nmvs).find((code) => code !== null) ?? null;
}

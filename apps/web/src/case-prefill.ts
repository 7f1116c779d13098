import type { AlertCode } from '../../../libs/domain/src/browser';
import type { CategoryCode } from './case-words';
import type { Verdict } from './verdict.presenter';

/**
 * The category a pharmacist most likely means for what the scan found, most serious alert first; the form lets them
 * choose another. Alerts that are no case (a pending proof) have none.
 */
const ALERT_CATEGORY: Partial<Record<AlertCode, CategoryCode>> = {
  // In this order: a sign of a falsified pack outweighs a pack merely unavailable, which outweighs a label or data fault.
  ANCHORING_FAILED: 'SUSPECT_PRODUCT',
  UNKNOWN_PRODUCT: 'SUSPECT_PRODUCT',
  UNKNOWN_SERIAL: 'SUSPECT_PRODUCT',
  ALREADY_DISPENSED: 'SUSPECT_PRODUCT',
  RECALLED: 'UNAVAILABLE_FOR_DISTRIBUTION',
  WITHDRAWN: 'UNAVAILABLE_FOR_DISTRIBUTION',
  PACK_INACTIVE: 'UNAVAILABLE_FOR_DISTRIBUTION',
  EXPIRED: 'UNAVAILABLE_FOR_DISTRIBUTION',
  LOT_MISMATCH: 'PACKAGING_OR_LABELLING',
  EXPIRY_MISMATCH: 'PACKAGING_OR_LABELLING',
  NOT_IN_CUSTODY: 'PRODUCT_WITHOUT_DATA',
};
const ORDER = Object.keys(ALERT_CATEGORY);

/** The alerts a case may be opened for: every alert but those that only inform. */
export const caseAlerts = (alerts: string[]): string[] => alerts.filter((a) => Object.hasOwn(ALERT_CATEGORY, a));

export function defaultCategory(alerts: string[]): CategoryCode {
  const first = caseAlerts(alerts).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))[0];
  return first ? ALERT_CATEGORY[first as AlertCode]! : 'SUSPECT_PRODUCT';
}

/** What the scan found, in the words the verdict showed, with the pack's identity: the case's first message. */
export function prefillSummary(v: Verdict, reasons: string[]): string {
  const pack = [`GTIN ${v.product.gtin}`, `serial ${v.product.serial}`, v.product.lot && `lot ${v.product.lot}`].filter(Boolean).join(', ');
  return `Scanned ${pack}. ${reasons.join(' ')}`.slice(0, 2000);
}

export interface DirectoryEntry {
  id: string;
  name: string;
  gln: string;
  role: string;
  companyPrefixes: string[];
}

/** A page of the directory as the case form asks for it. */
export interface DirectoryPage {
  edges: { node: DirectoryEntry }[];
}

/**
 * Whom the case goes to: the brand owner of the GTIN (in the EU the marketing authorisation holder investigates every
 * alert), else the pack's custodian when it is another organization; the pharmacist may pick anyone else. `directory`:
 * the organizations suggested (the brand owner and the custodian as the directory found them).
 */
export function defaultCounterparty(v: Verdict, directory: DirectoryEntry[], selfId: string): DirectoryEntry | undefined {
  const others = directory.filter((o) => o.id !== selfId && o.role !== 'REGULATOR');
  // A GTIN-14 is an indicator digit, then the company prefix.
  const owner = others.find((o) => o.role === 'MANUFACTURER' && o.companyPrefixes.some((p) => v.product.gtin.startsWith(p, 1)));
  return owner ?? others.find((o) => o.gln === v.custodian?.gln);
}

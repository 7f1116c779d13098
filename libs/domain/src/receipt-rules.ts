import { canonicalEpc, Gs1Error } from '@pharmatrace/gs1';
import { caseEntryHash } from './case-record';
import { destinationGlnOf } from './custody';
import { addBusinessDays, type ClassQuantity, receiptCases } from './exception-case';

// Apart from exception-case.ts, which the pages bundle: GS1 parsing is not for the browser bundle.

/**
 * What receiving reconciliation decides (ReceiptReconciliationRepository asks, from the API after a capture and from
 * the worker's tick alike): the cases a receipt opens, the class quantities an event states, the shipment's
 * addressee, the grace period of a case it opens, and its opening entry's hash.
 */
export function receiptRules(graceBusinessDays: number) {
  return {
    cases: receiptCases,
    quantitiesOf: classQuantitiesOf,
    destinationGlnOf,
    graceUntil: (openedAt: Date) => addBusinessDays(openedAt, graceBusinessDays),
    entryHash: caseEntryHash,
  };
}

/** The lists of an event whose classes a receipt compares: an object event's, and an aggregation's children. */
const COMPARED_QUANTITY_LISTS = ['quantityList', 'childQuantityList'] as const;

/**
 * The class quantities an EPCIS event states, each class in one spelling (its canonical GS1 Digital Link, so that an
 * LGTIN URN and its Digital Link are one class; a class no GS1 parser reads is kept as written). An element without a
 * numeric quantity states no amount and is left out: there is nothing to compare.
 */
export function classQuantitiesOf(body: Record<string, unknown>): ClassQuantity[] {
  const out: ClassQuantity[] = [];
  for (const list of COMPARED_QUANTITY_LISTS) {
    const elements = Array.isArray(body[list]) ? (body[list] as unknown[]) : [];
    for (const element of elements) {
      const { epcClass, quantity, uom } = (element ?? {}) as { epcClass?: unknown; quantity?: unknown; uom?: unknown };
      if (typeof epcClass !== 'string' || typeof quantity !== 'number' || !Number.isFinite(quantity)) continue;
      out.push({ epcClass: canonicalClass(epcClass), quantity, uom: typeof uom === 'string' && uom ? uom : null });
    }
  }
  return out;
}

function canonicalClass(epcClass: string): string {
  try {
    return canonicalEpc(epcClass.trim());
  } catch (e) {
    if (e instanceof Gs1Error) return epcClass.trim();
    throw e;
  }
}

import { AlertCode, VerdictStatus } from '../../../libs/domain/src/browser';

/** The verdict as the page receives it; fields the server does not offer yet arrive absent. */
export interface Verdict {
  status: string;
  saleable: boolean;
  alerts: string[];
  epc: string;
  product: { gtin: string; serial: string; lot?: string | null; expiry?: string | null; name?: string | null };
  custodian?: { name: string; gln: string } | null;
  container?: string | null;
  anchored: boolean;
  checkedOnChain: boolean;
  /** EU NMVS return code of the most serious alert. */
  nmvsCode?: string | null;
  /** Corrected readings that matched different packs. */
  ambiguousReadings?: number | null;
  correction?: { kind: string; advice?: string | null; description?: string | null; corrected?: string | null } | null;
}

export type Tone = 'ok' | 'caution' | 'stop';

export interface VerdictPresentation {
  tone: Tone;
  icon: string;
  headline: string;
  /** Why, in the pharmacist's words, most serious first. */
  reasons: string[];
  /** Facts that do not change the decision. */
  notes: string[];
}

/** Every status the server knows, as the headline's reason; a new status fails to compile until it has words. */
const STATUS_REASON: Record<VerdictStatus, string> = {
  ACTIVE: 'Active',
  IN_TRANSIT: 'In transit',
  STOLEN: 'Reported stolen',
  RECALLED: 'Recalled',
  WITHDRAWN: 'Withdrawn from the market',
  LOCKED: 'Locked — under investigation',
  DISPENSED: 'Already dispensed',
  DESTROYED: 'Destroyed',
  DECOMMISSIONED: 'Decommissioned',
  EXPORTED: 'Exported — not for this market',
  SAMPLE: 'Free sample — not for sale',
  EXPIRED: 'Expired',
  UNKNOWN: 'Unknown pack',
  QUARANTINED: 'Quarantined',
};

interface AlertWords {
  /** Lower leads the headline and the list: tampering first, since it may explain every other finding. */
  rank: number;
  short: string;
  long: string;
}

/** Every alert code in the pharmacist's words; a new code fails to compile until it has its own. */
const ALERTS: Record<AlertCode, AlertWords> = {
  ANCHORING_FAILED: {
    rank: 0,
    short: 'Records may have been tampered with',
    long: 'This pack’s records no longer match their blockchain proof: they may have been tampered with. Set the pack aside and tell your supervisor.',
  },
  // Right after tampering: an open case on this very pack says more than a lot's recall.
  QUARANTINED: {
    rank: 0.5,
    short: 'Quarantined',
    long: 'An exception case holds this pack: do not dispense or ship it until the case clears it.',
  },
  RECALLED: { rank: 1, short: 'Recalled', long: 'The batch has been recalled.' },
  WITHDRAWN: { rank: 2, short: 'Withdrawn from the market', long: 'The product has been withdrawn from the market.' },
  ALREADY_DISPENSED: {
    rank: 3,
    short: 'Already dispensed',
    long: 'This pack was already dispensed to a patient: a second scan may mean a copied code.',
  },
  PACK_INACTIVE: {
    rank: 4,
    short: 'Pack inactive',
    long: 'The pack is no longer active in the supply chain (stolen, locked, exported, sample or destroyed).',
  },
  EXPIRED: { rank: 5, short: 'Expired', long: 'The pack is past its expiry date.' },
  UNKNOWN_PRODUCT: {
    rank: 6,
    short: 'Unknown product',
    long: 'No manufacturer has registered this product code: the pack may be falsified.',
  },
  UNKNOWN_SERIAL: {
    rank: 7,
    short: 'Unknown pack',
    long: 'This serial number was never registered by the manufacturer: the pack may be falsified.',
  },
  LOT_MISMATCH: { rank: 8, short: 'Lot does not match', long: "The lot printed on the pack differs from the manufacturer's record." },
  EXPIRY_MISMATCH: {
    rank: 9,
    short: 'Expiry does not match',
    long: "The expiry printed on the pack differs from the manufacturer's record.",
  },
  NOT_IN_CUSTODY: {
    rank: 10,
    short: 'Not in your stock',
    long: 'The records show this pack in another organization’s custody, not yours: check where it came from before you dispense it.',
  },
  ANCHORING_PENDING: {
    rank: 11,
    short: 'Blockchain proof pending',
    long: 'Blockchain proof pending: records are anchored in batches, usually within minutes.',
  },
};

/** Alerts that inform rather than warn: shown as notes under the verdict. */
const NOTE_ALERTS: ReadonlySet<string> = new Set<AlertCode>([AlertCode.ANCHORING_PENDING]);

const isKnown = (code: string): code is AlertCode => Object.hasOwn(ALERTS, code);

const CORRECTIONS: Record<string, string> = {
  GS_MISSING: 'the scanner dropped the GS separator',
  GS_REPLACED: 'the scanner sent GS as another character',
  Y_Z_SWAPPED: 'the scanner sent Y/Z swapped (keyboard layout)',
  CASE_CHANGED: 'the scanner changed the letter case',
  EAN_IN_DATA: 'a linear EAN-13 ran into the code',
};

const humanise = (code: string) => code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ');
const statusReason = (status: string) => (Object.hasOwn(STATUS_REASON, status) ? STATUS_REASON[status as VerdictStatus] : humanise(status));

/**
 * Decides colour, icon and words so that the decision cannot be misread, whatever new codes the server adds: green
 * only for a saleable pack in the pharmacy's own custody with nothing to check.
 */
export function presentVerdict(v: Verdict): VerdictPresentation {
  const known = v.alerts.filter(isKnown).sort((a, b) => ALERTS[a].rank - ALERTS[b].rank);
  const unlisted = v.alerts.filter((a) => !isKnown(a));
  const blocking = known.filter((a) => !NOTE_ALERTS.has(a));
  const reasons = [...blocking.map((a) => ALERTS[a].long), ...unlisted.map(humanise)];
  const notes = known.filter((a) => NOTE_ALERTS.has(a)).map((a) => ALERTS[a].long);
  if ((v.ambiguousReadings ?? 0) > 1)
    notes.push('Corrected readings matched several packs, so none was chosen: fix the scanner set-up and scan again.');
  if (v.anchored)
    notes.push(
      v.checkedOnChain ? 'Every record of this pack is confirmed on the blockchain.' : 'Anchored on the blockchain; confirmation pending.',
    );

  if (!v.saleable) {
    const tampered = blocking[0] === AlertCode.ANCHORING_FAILED;
    const ownStatus = v.status === 'ACTIVE' || v.status === 'IN_TRANSIT' ? undefined : statusReason(v.status);
    const headlineReason =
      (tampered ? ALERTS.ANCHORING_FAILED.short : ownStatus) ??
      (blocking[0] && ALERTS[blocking[0]].short) ??
      (unlisted[0] ? humanise(unlisted[0]) : 'Not verified');
    return { tone: 'stop', icon: '✕', headline: `DO NOT DISPENSE — ${headlineReason}`, reasons, notes };
  }
  if (blocking.length || unlisted.length) {
    const first = blocking[0] ? ALERTS[blocking[0]].short.toLowerCase() : humanise(unlisted[0]).toLowerCase();
    return { tone: 'caution', icon: '!', headline: `CHECK — Genuine, but ${first}`, reasons, notes };
  }
  if (v.status === 'IN_TRANSIT') {
    return {
      tone: 'caution',
      icon: '!',
      headline: 'CHECK — Genuine, but still in transit',
      reasons: ['The records show this pack still on its way to you: check that it came with a delivery you have received.'],
      notes,
    };
  }
  return { tone: 'ok', icon: '✓', headline: 'Genuine — OK to dispense', reasons, notes };
}

/**
 * After the pharmacist dispensed the pack, its new DISPENSED state confirms the action rather than warns: no alert,
 * and no failure code, belongs on a dispense that worked.
 */
export function presentAfterDispense(v: Verdict): VerdictPresentation {
  if (v.status !== 'DISPENSED') return presentVerdict(v);
  return { tone: 'ok', icon: '✓', headline: 'Dispensed — recorded as supplied to the patient', reasons: [], notes: [] };
}

/** What the server says a scan broke, when it could not read it as a pack code. */
export interface ScanProblem {
  /** The GS1 Application Identifier whose data was wrong, if the scan got that far. */
  ai?: string | null;
}

/** The pack-code parts a pharmacist knows by their printed names. */
const AI_PROBLEM: Record<string, string> = {
  '01': 'The product code (GTIN) in the scan is incomplete or damaged.',
  '17': 'The expiry date in the scan is not a real date.',
  '10': 'The lot number in the scan is too long or has characters a lot cannot have.',
  '21': 'The serial number in the scan is too long or has characters a serial cannot have.',
};

/** A scan the server could not read as a pack code: neither genuine nor false, so say why in words and scan again. */
export function presentUnreadable(problem: ScanProblem): VerdictPresentation {
  const what =
    (problem.ai && AI_PROBLEM[problem.ai]) ||
    'This is not the 2D code of a medicine pack: it may be another barcode on the box, or the scanner changed the data.';
  return {
    tone: 'caution',
    icon: '?',
    headline: 'Not a pack code — scan again',
    reasons: [what, 'Scan the square 2D code (DataMatrix) on the pack. If it keeps failing, run the scanner self-test.'],
    notes: [],
  };
}

/** Rows of the facts table; the NMVS return code only under a verdict that stops, where it is what to report. */
export function verdictFacts(v: Verdict, p: VerdictPresentation): [label: string, value: string][] {
  const rows: [string, string | null | undefined][] = [
    ['Product', v.product.name],
    ['GTIN', v.product.gtin],
    ['Lot', v.product.lot],
    ['Expiry', v.product.expiry],
    ['Serial', v.product.serial],
    ['Custodian', v.custodian ? `${v.custodian.name} (GLN ${v.custodian.gln})` : undefined],
    ['Container', v.container],
    ['NMVS return code', p.tone === 'stop' ? v.nmvsCode : undefined],
  ];
  return rows.filter((row): row is [string, string] => !!row[1]);
}

/** "Scan corrected: the scanner sent Y/Z swapped (keyboard layout) — <what to change>". */
export function correctionText(correction: NonNullable<Verdict['correction']>): string {
  const what = CORRECTIONS[correction.kind] ?? humanise(correction.kind).toLowerCase();
  const advice = correction.advice ?? correction.description;
  return `Scan corrected: ${what}${advice ? ` — ${advice}` : ''}. Run the scanner self-test to fix it.`;
}

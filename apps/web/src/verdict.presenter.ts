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

const STATUS_REASON: Record<string, string> = {
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
};

/** Most serious first: the first one present names the verdict. */
const ALERTS: [code: string, short: string, long: string][] = [
  ['RECALLED', 'Recalled', 'The batch has been recalled.'],
  ['WITHDRAWN', 'Withdrawn from the market', 'The product has been withdrawn from the market.'],
  ['ALREADY_DISPENSED', 'Already dispensed', 'This pack was already dispensed to a patient: a second scan may mean a copied code.'],
  ['DECOMMISSIONED', 'Decommissioned', 'This pack was taken out of the supply chain.'],
  ['PACK_INACTIVE', 'Pack inactive', 'The pack is no longer active in the supply chain (stolen, locked, exported, sample or destroyed).'],
  ['EXPIRED', 'Expired', 'The pack is past its expiry date.'],
  ['UNKNOWN_PRODUCT', 'Unknown product', 'No manufacturer has registered this product code: the pack may be falsified.'],
  ['UNKNOWN_SERIAL', 'Unknown pack', 'This serial number was never registered by the manufacturer: the pack may be falsified.'],
  ['LOT_MISMATCH', 'Lot does not match', "The lot printed on the pack differs from the manufacturer's record."],
  ['EXPIRY_MISMATCH', 'Expiry does not match', "The expiry printed on the pack differs from the manufacturer's record."],
  ['NOT_IN_CUSTODY', 'Not in your stock', 'The records show this pack in another organization’s custody.'],
];

const NOTES: Record<string, string> = {
  ANCHORING_PENDING: 'Blockchain proof pending: records are anchored in batches, usually within minutes.',
  ANCHORING_FAILED: 'The blockchain proof of this pack’s records failed: tell your supervisor.',
};

const CORRECTIONS: Record<string, string> = {
  GS_MISSING: 'the scanner dropped the GS separator',
  GS_REPLACED: 'the scanner sent GS as another character',
  Y_Z_SWAPPED: 'the scanner sent Y/Z swapped (keyboard layout)',
  CASE_CHANGED: 'the scanner changed the letter case',
  EAN_IN_DATA: 'a linear EAN-13 ran into the code',
};

const humanise = (code: string) => code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ');

/** Decides colour, icon and words so that the decision cannot be misread, whatever new codes the server adds. */
export function presentVerdict(v: Verdict): VerdictPresentation {
  const known = ALERTS.filter(([code]) => v.alerts.includes(code));
  const unlisted = v.alerts.filter((a) => !NOTES[a] && !ALERTS.some(([code]) => code === a));
  const reasons = [...known.map(([, , long]) => long), ...unlisted.map(humanise)];
  const notes = v.alerts.filter((a) => NOTES[a]).map((a) => NOTES[a]);
  if ((v.ambiguousReadings ?? 0) > 1) notes.push('Corrected readings matched several packs, so none was chosen: fix the scanner set-up and scan again.');
  if (v.anchored) notes.push(v.checkedOnChain ? 'Every record of this pack is confirmed on the blockchain.' : 'Anchored on the blockchain; confirmation pending.');

  if (!v.saleable) {
    const lead = v.status === 'ACTIVE' || v.status === 'IN_TRANSIT' ? undefined : (STATUS_REASON[v.status] ?? humanise(v.status));
    const headlineReason = lead ?? known[0]?.[1] ?? (unlisted[0] ? humanise(unlisted[0]) : 'Not verified');
    return { tone: 'stop', icon: '✕', headline: `DO NOT DISPENSE — ${headlineReason}`, reasons, notes };
  }
  if (v.status === 'IN_TRANSIT') {
    return {
      tone: 'caution',
      icon: '!',
      headline: 'CHECK — Genuine, but still in transit',
      reasons: ['The records show this pack still on its way to you: check that it came with a delivery you have received.', ...reasons],
      notes,
    };
  }
  if (v.alerts.includes('ANCHORING_FAILED')) {
    return { tone: 'caution', icon: '!', headline: 'CHECK — Genuine, but its blockchain proof failed', reasons, notes };
  }
  return { tone: 'ok', icon: '✓', headline: 'Genuine — OK to dispense', reasons, notes };
}

/** After the pharmacist dispensed the pack, its new DISPENSED state confirms the action rather than warns. */
export function presentAfterDispense(v: Verdict): VerdictPresentation {
  if (v.status !== 'DISPENSED') return presentVerdict(v);
  return { tone: 'ok', icon: '✓', headline: 'Dispensed — recorded as supplied to the patient', reasons: [], notes: [] };
}

/** A scan the server could not read as a pack code: neither genuine nor false, so scan again. */
export function presentUnreadable(message: string): VerdictPresentation {
  return { tone: 'caution', icon: '?', headline: 'Not a pack code — scan again', reasons: [message], notes: [] };
}

/** "Scan corrected: the scanner sent Y/Z swapped (keyboard layout) — <what to change>". */
export function correctionText(correction: NonNullable<Verdict['correction']>): string {
  const what = CORRECTIONS[correction.kind] ?? humanise(correction.kind).toLowerCase();
  const advice = correction.advice ?? correction.description;
  return `Scan corrected: ${what}${advice ? ` — ${advice}` : ''}. Run the scanner self-test to fix it.`;
}

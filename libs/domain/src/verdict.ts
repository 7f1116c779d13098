import { INACTIVE_STATUSES, ItemState, PackStatus } from './pack-state';

/** What a scan answers: the pack's own status, or a lot-, product- or date-level state that overrides it. */
export const VerdictStatus = {
  ...PackStatus,
  UNKNOWN: 'UNKNOWN',
  RECALLED: 'RECALLED',
  WITHDRAWN: 'WITHDRAWN',
  EXPIRED: 'EXPIRED',
  /** Held by an exception case (issue 17): not to be supplied until the case clears it. */
  QUARANTINED: 'QUARANTINED',
} as const;
export type VerdictStatus = (typeof VerdictStatus)[keyof typeof VerdictStatus];

export enum AlertCode {
  UNKNOWN_PRODUCT = 'UNKNOWN_PRODUCT',
  UNKNOWN_SERIAL = 'UNKNOWN_SERIAL',
  LOT_MISMATCH = 'LOT_MISMATCH',
  EXPIRY_MISMATCH = 'EXPIRY_MISMATCH',
  EXPIRED = 'EXPIRED',
  RECALLED = 'RECALLED',
  WITHDRAWN = 'WITHDRAWN',
  ALREADY_DISPENSED = 'ALREADY_DISPENSED',
  PACK_INACTIVE = 'PACK_INACTIVE',
  NOT_IN_CUSTODY = 'NOT_IN_CUSTODY',
  ANCHORING_PENDING = 'ANCHORING_PENDING',
  ANCHORING_FAILED = 'ANCHORING_FAILED',
  /** An exception case holds the pack (or a container it sits in) in quarantine. */
  QUARANTINED = 'QUARANTINED',
}

export interface ScannedPack {
  lot?: string;
  /** ISO date; a scanned day 00 already resolved to the month's last day. */
  expiryDate?: string;
}

export interface AnchoringProgress {
  eventCount: number;
  /** Events in a batch mined on chain. */
  anchoredCount: number;
  /** Events in a batch final on chain and read back from it. */
  finalCount: number;
  /** Events in a batch an audit found not to match its anchored root. */
  failedCount: number;
}

export interface Viewer {
  organizationId: string;
  gln: string;
  role: string;
}

/** The part of a pack's read-model state a verdict depends on: all the verification hot path reads. */
export type VerdictPackState = Pick<ItemState, 'lot' | 'expiry' | 'status' | 'custodianId' | 'destination'>;

export interface VerdictInput {
  state: VerdictPackState | null;
  /** Some pack of this GTIN was ever commissioned here. */
  productKnown: boolean;
  productWithdrawn: boolean;
  lotRecalled: boolean;
  /** An exception case holds the pack, or a container it sits in now (docs/cases.md, Quarantine). */
  quarantined?: boolean;
  scanned: ScannedPack;
  anchoring: AnchoringProgress;
  /** ISO date of the day of the scan. */
  today: string;
  viewer?: Viewer;
}

export interface Verdict {
  status: VerdictStatus;
  /** True only when the pack is known, active (or in transit to the viewer) and nothing blocks its supply. */
  saleable: boolean;
  alerts: AlertCode[];
  anchored: boolean;
  checkedOnChain: boolean;
}

/**
 * Alerts that do not stop a pack being supplied: a pending anchor says something about our ledger, not the pack;
 * a pack outside the dispenser's recorded custody is genuine but flagged (EU FMD lets any pharmacy decommission).
 */
const NON_BLOCKING: ReadonlySet<AlertCode> = new Set([AlertCode.ANCHORING_PENDING, AlertCode.NOT_IN_CUSTODY]);

/** The verdict on a scanned pack, from its read-model state alone: no history replay on the hot path. */
export function verdictFor(input: VerdictInput): Verdict {
  const { state, scanned, anchoring, today, viewer } = input;
  const anchored = anchoring.eventCount > 0 && anchoring.anchoredCount === anchoring.eventCount;
  const checkedOnChain = anchoring.eventCount > 0 && anchoring.finalCount === anchoring.eventCount && anchoring.failedCount === 0;
  if (!state) {
    const alert = input.productKnown ? AlertCode.UNKNOWN_SERIAL : AlertCode.UNKNOWN_PRODUCT;
    return { status: VerdictStatus.UNKNOWN, saleable: false, alerts: [alert], anchored: false, checkedOnChain: false };
  }
  const alerts: AlertCode[] = [];
  if (scanned.lot !== undefined && state.lot !== null && scanned.lot !== state.lot) alerts.push(AlertCode.LOT_MISMATCH);
  if (scanned.expiryDate !== undefined && state.expiry !== null && scanned.expiryDate !== state.expiry)
    alerts.push(AlertCode.EXPIRY_MISMATCH);
  const expired = state.expiry !== null && state.expiry < today;
  if (expired) alerts.push(AlertCode.EXPIRED);
  if (input.lotRecalled) alerts.push(AlertCode.RECALLED);
  if (input.productWithdrawn) alerts.push(AlertCode.WITHDRAWN);
  if (input.quarantined) alerts.push(AlertCode.QUARANTINED);
  if (state.status === PackStatus.DISPENSED) alerts.push(AlertCode.ALREADY_DISPENSED);
  else if (INACTIVE_STATUSES.has(state.status)) alerts.push(AlertCode.PACK_INACTIVE);
  if (viewer?.role === 'DISPENSER' && state.custodianId !== viewer.organizationId && state.destination !== viewer.gln) {
    alerts.push(AlertCode.NOT_IN_CUSTODY);
  }
  if (anchoring.failedCount > 0) alerts.push(AlertCode.ANCHORING_FAILED);
  else if (!anchored) alerts.push(AlertCode.ANCHORING_PENDING);

  // A case's hold says more about this very pack than a lot's or product's state, less than the pack leaving the chain.
  const status: VerdictStatus = INACTIVE_STATUSES.has(state.status)
    ? state.status
    : input.quarantined
      ? VerdictStatus.QUARANTINED
      : input.productWithdrawn
        ? VerdictStatus.WITHDRAWN
        : input.lotRecalled
          ? VerdictStatus.RECALLED
          : expired
            ? VerdictStatus.EXPIRED
            : state.status;
  const saleable = (status === VerdictStatus.ACTIVE || status === VerdictStatus.IN_TRANSIT) && alerts.every((a) => NON_BLOCKING.has(a));
  return { status, saleable, alerts, anchored, checkedOnChain };
}

import { ItemState, PackStatus } from './pack-state';

export enum VerdictStatus {
  UNKNOWN = 'UNKNOWN',
  ACTIVE = 'ACTIVE',
  IN_TRANSIT = 'IN_TRANSIT',
  DISPENSED = 'DISPENSED',
  DECOMMISSIONED = 'DECOMMISSIONED',
  DESTROYED = 'DESTROYED',
}

export enum AlertCode {
  UNKNOWN_SERIAL = 'UNKNOWN_SERIAL',
  LOT_MISMATCH = 'LOT_MISMATCH',
  EXPIRY_MISMATCH = 'EXPIRY_MISMATCH',
  EXPIRED = 'EXPIRED',
  ALREADY_DISPENSED = 'ALREADY_DISPENSED',
  DECOMMISSIONED = 'DECOMMISSIONED',
  ANCHORING_PENDING = 'ANCHORING_PENDING',
}

export interface ScannedPack {
  lot?: string;
  /** ISO date; a scanned day 00 already resolved to the month's last day. */
  expiryDate?: string;
}

export interface AnchoringProgress {
  eventCount: number;
  anchoredCount: number;
  finalCount: number;
}

export interface Verdict {
  status: VerdictStatus;
  /** True only when the pack is known, active and every scanned attribute matches. */
  saleable: boolean;
  alerts: AlertCode[];
  anchored: boolean;
  checkedOnChain: boolean;
}

const STATUS: Record<PackStatus, VerdictStatus> = {
  [PackStatus.ACTIVE]: VerdictStatus.ACTIVE,
  [PackStatus.IN_TRANSIT]: VerdictStatus.IN_TRANSIT,
  [PackStatus.DISPENSED]: VerdictStatus.DISPENSED,
  [PackStatus.DECOMMISSIONED]: VerdictStatus.DECOMMISSIONED,
  [PackStatus.DESTROYED]: VerdictStatus.DESTROYED,
};

/** The verdict on a scanned pack, from its read-model state alone: no history replay on the hot path. */
export function verdictFor(state: ItemState | null, scanned: ScannedPack, anchoring: AnchoringProgress, today: string): Verdict {
  if (!state) {
    return { status: VerdictStatus.UNKNOWN, saleable: false, alerts: [AlertCode.UNKNOWN_SERIAL], anchored: false, checkedOnChain: false };
  }
  const alerts: AlertCode[] = [];
  if (scanned.lot !== undefined && state.lot !== null && scanned.lot !== state.lot) alerts.push(AlertCode.LOT_MISMATCH);
  if (scanned.expiryDate !== undefined && state.expiry !== null && scanned.expiryDate !== state.expiry) alerts.push(AlertCode.EXPIRY_MISMATCH);
  if (state.expiry !== null && state.expiry < today) alerts.push(AlertCode.EXPIRED);
  if (state.status === PackStatus.DISPENSED) alerts.push(AlertCode.ALREADY_DISPENSED);
  if (state.status === PackStatus.DECOMMISSIONED || state.status === PackStatus.DESTROYED) alerts.push(AlertCode.DECOMMISSIONED);
  const anchored = anchoring.eventCount > 0 && anchoring.anchoredCount === anchoring.eventCount;
  if (!anchored) alerts.push(AlertCode.ANCHORING_PENDING);
  const blocking = alerts.filter((a) => a !== AlertCode.ANCHORING_PENDING);
  const status = STATUS[state.status];
  return {
    status,
    saleable: blocking.length === 0 && (status === VerdictStatus.ACTIVE || status === VerdictStatus.IN_TRANSIT),
    alerts,
    anchored,
    checkedOnChain: anchoring.eventCount > 0 && anchoring.finalCount === anchoring.eventCount,
  };
}

import { AlertCode, VerdictStatus } from './verdict';

/** The status changes a trading partner may make on a pack it holds, each written as the standard CBV event. */
export enum StatusAction {
  DISPENSE = 'DISPENSE',
  UNDO_DISPENSE = 'UNDO_DISPENSE',
  DESTROY = 'DESTROY',
  MARK_STOLEN = 'MARK_STOLEN',
  MARK_SAMPLE = 'MARK_SAMPLE',
  EXPORT = 'EXPORT',
  LOCK = 'LOCK',
}

const TAKEN_OUT: ReadonlySet<AlertCode> = new Set([
  AlertCode.ANCHORING_PENDING,
  AlertCode.NOT_IN_CUSTODY,
  AlertCode.EXPIRED,
  AlertCode.RECALLED,
  AlertCode.WITHDRAWN,
]);
const SOLD: ReadonlySet<AlertCode> = new Set([AlertCode.ANCHORING_PENDING, AlertCode.NOT_IN_CUSTODY]);
/** A quarantined pack may be destroyed, reported stolen or locked, never supplied (QUARANTINE_REFUSED_ACTS). */
const TAKEN_OUT_HELD: ReadonlySet<AlertCode> = new Set([...TAKEN_OUT, AlertCode.QUARANTINED]);

/**
 * The verdict's alerts that still allow each action: taking a pack out of the chain (destroying, marking stolen or a
 * sample, locking) is exactly what should happen to an expired or recalled one; selling it (dispensing, exporting) is
 * not. Undoing a dispense has its own rule (the pack must be DISPENSED), whatever the alerts.
 */
const ALLOWED: Record<Exclude<StatusAction, StatusAction.UNDO_DISPENSE>, ReadonlySet<AlertCode>> = {
  [StatusAction.DISPENSE]: SOLD,
  [StatusAction.EXPORT]: SOLD,
  [StatusAction.DESTROY]: TAKEN_OUT_HELD,
  [StatusAction.MARK_STOLEN]: TAKEN_OUT_HELD,
  [StatusAction.MARK_SAMPLE]: TAKEN_OUT,
  [StatusAction.LOCK]: TAKEN_OUT_HELD,
};

export type StatusActionRefusal =
  /** Undoing a dispense of a pack that is not DISPENSED. */
  | { kind: 'STATUS_MISMATCH'; status: VerdictStatus }
  /** Alerts that forbid the action; `dispensedAgain` when it is a second dispense, evidence of a duplicate pack. */
  | { kind: 'BLOCKED'; alerts: AlertCode[]; dispensedAgain: boolean };

/**
 * Whether a holder may make `action` on a pack with this verdict, before anything is written (the capture's state rules
 * re-check under a lock): null when it may. An UNKNOWN pack is refused before, as no pack at all.
 */
export function statusActionRefusal(
  action: StatusAction,
  verdict: { status: VerdictStatus; alerts: readonly AlertCode[] },
): StatusActionRefusal | null {
  if (action === StatusAction.UNDO_DISPENSE) {
    return verdict.status === VerdictStatus.DISPENSED ? null : { kind: 'STATUS_MISMATCH', status: verdict.status };
  }
  const blocking = verdict.alerts.filter((a) => !ALLOWED[action].has(a));
  if (!blocking.length) return null;
  return {
    kind: 'BLOCKED',
    alerts: blocking,
    dispensedAgain: action === StatusAction.DISPENSE && blocking.includes(AlertCode.ALREADY_DISPENSED),
  };
}

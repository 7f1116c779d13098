import fc from 'fast-check';
import { StatusAction, statusActionRefusal } from './status-action';
import { AlertCode, VerdictStatus } from './verdict';

const alerts = fc.uniqueArray(fc.constantFrom(...Object.values(AlertCode)), { maxLength: 5 });
const status = fc.constantFrom(...Object.values(VerdictStatus));
const SELLING = [StatusAction.DISPENSE, StatusAction.EXPORT];
const TAKING_OUT = [StatusAction.DESTROY, StatusAction.MARK_STOLEN, StatusAction.MARK_SAMPLE, StatusAction.LOCK];
const HARMLESS = [AlertCode.ANCHORING_PENDING, AlertCode.NOT_IN_CUSTODY];
const UNSELLABLE = [AlertCode.EXPIRED, AlertCode.RECALLED, AlertCode.WITHDRAWN];

describe('statusActionRefusal', () => {
  it('lets an undo through exactly when the pack is DISPENSED, whatever its alerts', () => {
    fc.assert(
      fc.property(status, alerts, (s, a) => {
        const refusal = statusActionRefusal(StatusAction.UNDO_DISPENSE, { status: s, alerts: a });
        expect(refusal).toEqual(s === VerdictStatus.DISPENSED ? null : { kind: 'STATUS_MISMATCH', status: s });
      }),
    );
  });

  it('blocks selling on any alert but pending anchoring or custody; taking out also on expiry, recall and withdrawal (and quarantine, but sampling)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SELLING, ...TAKING_OUT), status, alerts, (action, s, a) => {
        // A quarantined pack may still be destroyed, reported stolen or locked: never supplied, not even as a sample.
        const allowed = SELLING.includes(action)
          ? HARMLESS
          : action === StatusAction.MARK_SAMPLE
            ? [...HARMLESS, ...UNSELLABLE]
            : [...HARMLESS, ...UNSELLABLE, AlertCode.QUARANTINED];
        const expected = a.filter((x) => !allowed.includes(x));
        const refusal = statusActionRefusal(action, { status: s, alerts: a });
        if (!expected.length) expect(refusal).toBeNull();
        else {
          const dispensedAgain = action === StatusAction.DISPENSE && expected.includes(AlertCode.ALREADY_DISPENSED);
          expect(refusal).toEqual({ kind: 'BLOCKED', alerts: expected, dispensedAgain });
        }
      }),
    );
  });

  it('destroys an expired, recalled pack but neither dispenses nor exports it', () => {
    const verdict = { status: VerdictStatus.ACTIVE, alerts: [AlertCode.EXPIRED, AlertCode.RECALLED] };
    expect(statusActionRefusal(StatusAction.DESTROY, verdict)).toBeNull();
    expect(statusActionRefusal(StatusAction.DISPENSE, verdict)).toMatchObject({ kind: 'BLOCKED', dispensedAgain: false });
    expect(statusActionRefusal(StatusAction.EXPORT, verdict)).toMatchObject({
      kind: 'BLOCKED',
      alerts: [AlertCode.EXPIRED, AlertCode.RECALLED],
    });
    expect(
      statusActionRefusal(StatusAction.DISPENSE, { status: VerdictStatus.DISPENSED, alerts: [AlertCode.ALREADY_DISPENSED] }),
    ).toMatchObject({ dispensedAgain: true });
  });
});

import type { Organization } from '@pharmatrace/domain';
import { Inject, Injectable } from '@nestjs/common';
import {
  AlertCode,
  EXPORTING_BIZSTEP,
  nmvsCodeFor,
  StatusAction,
  statusActionRefusal,
  UNDO_NMVS,
  VerdictStatus,
  ViolationCode,
} from '@pharmatrace/domain';
import { dispensingEvent, epcisDocument, statusChangeEvent, destroyingEvent, decommissioningEvent, Json } from '@pharmatrace/epcis';
import { VerificationRepository } from '@pharmatrace/persistence';
import { CaptureError, CaptureErrorCode } from '../capture/capture.error';
import { CaptureService } from '../capture/capture.service';
import { AuditLogService } from '../audit-log/audit-log.service';
import { CLOCK, Clock } from '../common/clock';
import { VerificationService } from '../verification/verification.service';
import { VerdictType } from '../verification/verification.types';
import { DispensingError, DispensingErrorCode } from './dispensing.error';

type EventMaker = (common: { eventTime: Date; epcs: string[]; bizLocation: string }) => Json;

const EVENTS: Record<StatusAction, EventMaker> = {
  [StatusAction.DISPENSE]: (c) => dispensingEvent(c),
  [StatusAction.UNDO_DISPENSE]: (c) => statusChangeEvent({ ...c, bizStep: 'stocking', disposition: 'active' }),
  [StatusAction.DESTROY]: (c) => destroyingEvent(c),
  [StatusAction.MARK_STOLEN]: (c) => decommissioningEvent({ ...c, disposition: 'stolen' }),
  [StatusAction.MARK_SAMPLE]: (c) => statusChangeEvent({ ...c, bizStep: 'sampling', disposition: 'non_sellable_other' }),
  [StatusAction.EXPORT]: (c) => statusChangeEvent({ ...c, bizStep: EXPORTING_BIZSTEP, disposition: 'non_sellable_other' }),
  [StatusAction.LOCK]: (c) => statusChangeEvent({ ...c, bizStep: 'holding', disposition: 'non_sellable_other' }),
};

const VIOLATION_ERRORS: Partial<Record<ViolationCode, [DispensingErrorCode, string]>> = {
  [ViolationCode.ALREADY_DISPENSED]: [DispensingErrorCode.ALREADY_DISPENSED, UNDO_NMVS.INACTIVE],
  [ViolationCode.PACK_INACTIVE]: [DispensingErrorCode.PACK_INACTIVE, UNDO_NMVS.INACTIVE],
  [ViolationCode.UNDO_WINDOW_EXCEEDED]: [DispensingErrorCode.UNDO_WINDOW_EXCEEDED, UNDO_NMVS.WINDOW_EXCEEDED],
  [ViolationCode.UNDO_BY_OTHER_LOCATION]: [DispensingErrorCode.UNDO_BY_OTHER_LOCATION, UNDO_NMVS.OTHER_LOCATION],
};

function quarantined(epc: string, caseNumber: number | null): DispensingError {
  const which = caseNumber === null ? 'an exception case' : `case ${caseNumber}`;
  return new DispensingError(
    DispensingErrorCode.QUARANTINED,
    `${epc} is quarantined by ${which}: it may not be supplied until the case clears it`,
    {
      epc,
      caseNumber: caseNumber ?? undefined,
      alerts: [AlertCode.QUARANTINED],
    },
  );
}

/**
 * Verify-then-decommission. The check before writing gives the pharmacist a precise refusal; the capture
 * transaction re-checks under a row lock, so of two pharmacies dispensing one pack at once exactly one wins and
 * the other gets ALREADY_DISPENSED (recorded as an alert for the manufacturer and regulators).
 */
@Injectable()
export class DispensingService {
  constructor(
    private readonly verification: VerificationService,
    private readonly capture: CaptureService,
    private readonly alerts: VerificationRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly auditLog: AuditLogService,
  ) {}

  async change(org: Organization, code: string, action: StatusAction): Promise<VerdictType> {
    const before = await this.verification.evaluate(code, org);
    const { verdict, epc } = before;
    if (verdict.status === VerdictStatus.UNKNOWN) {
      throw new DispensingError(DispensingErrorCode.UNKNOWN_PACK, `${epc} is not a known pack`, {
        epc,
        nmvsCode: nmvsCodeFor(verdict.alerts) ?? undefined,
        alerts: verdict.alerts,
      });
    }
    const refusal = statusActionRefusal(action, verdict);
    if (refusal?.kind === 'STATUS_MISMATCH') {
      throw new DispensingError(DispensingErrorCode.UNDO_STATUS_MISMATCH, `${epc} is ${verdict.status}, not DISPENSED: nothing to undo`, {
        epc,
        nmvsCode: UNDO_NMVS.STATUS_MISMATCH,
      });
    }
    if (refusal?.kind === 'BLOCKED' && refusal.alerts.includes(AlertCode.QUARANTINED)) throw quarantined(epc, before.view.quarantineCase);
    if (refusal?.kind === 'BLOCKED') {
      if (refusal.dispensedAgain) await this.recordDoubleDispense(org, before.scan.gtin, epc);
      const [code, nmvs] = refusal.dispensedAgain
        ? [DispensingErrorCode.ALREADY_DISPENSED, UNDO_NMVS.INACTIVE]
        : [DispensingErrorCode.NOT_SALEABLE, nmvsCodeFor(refusal.alerts) ?? undefined];
      throw new DispensingError(code, `${epc} cannot be ${action.toLowerCase().replace('_', ' ')}ed: ${refusal.alerts.join(', ')}`, {
        epc,
        nmvsCode: nmvs,
        alerts: refusal.alerts,
      });
    }
    const event = EVENTS[action]({ eventTime: this.clock(), epcs: [epc], bizLocation: `https://id.gs1.org/414/${org.gln}` });
    try {
      const result = await this.capture.capture(org, epcisDocument([event]));
      // The very same event (same caller, same millisecond) was stored by a concurrent call: that call made the change.
      if (result.capturedCount === 0) {
        if (action === StatusAction.DISPENSE) await this.recordDoubleDispense(org, before.scan.gtin, epc);
        const code = action === StatusAction.DISPENSE ? DispensingErrorCode.ALREADY_DISPENSED : DispensingErrorCode.PACK_INACTIVE;
        throw new DispensingError(code, `${epc} was changed by an identical concurrent request`, { epc, nmvsCode: UNDO_NMVS.ALREADY_SET });
      }
    } catch (e) {
      // A case opened between the verdict and the write: the capture's quarantine rule refused it.
      if (e instanceof CaptureError && e.issues[0].rule === ViolationCode.QUARANTINED) {
        throw quarantined(epc, (await this.verification.evaluate(code, org)).view.quarantineCase);
      }
      if (e instanceof CaptureError && e.code === CaptureErrorCode.CAPTURE_CONFLICT) {
        const [code, nmvsCode] = VIOLATION_ERRORS[e.issues[0].rule as ViolationCode] ?? [
          DispensingErrorCode.PACK_INACTIVE,
          UNDO_NMVS.INACTIVE,
        ];
        throw new DispensingError(code, e.issues[0].message, { epc, nmvsCode });
      }
      throw e;
    }
    const after = await this.verification.verify(epc, org);
    // A lock is an administrative hold, audited like recalls; the other status changes are recorded by their events alone.
    if (action === StatusAction.LOCK) {
      await this.auditLog.record({
        actor: { kind: 'organization', organizationId: org.id },
        action: 'pack.lock',
        subjectType: 'pack',
        subjectId: epc,
        before: { status: verdict.status, alerts: verdict.alerts },
        after: { status: after.status, alerts: after.alerts },
      });
    }
    return after;
  }

  /** A second dispensing attempt is evidence of a duplicate pack in circulation: kept for the manufacturer and regulators. */
  private recordDoubleDispense(org: Organization, gtin: string, epc: string) {
    return this.alerts.recordAlert({
      code: AlertCode.ALREADY_DISPENSED,
      epc,
      gtin,
      actorId: org.id,
      details: { by: org.name, gln: org.gln },
    });
  }
}

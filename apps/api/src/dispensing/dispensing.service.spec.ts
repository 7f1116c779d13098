import type { Organization } from '@pharmatrace/domain';
import { AlertCode, UNDO_NMVS } from '@pharmatrace/domain';
import type { AlertRecord, VerificationRepository } from '@pharmatrace/persistence';
import { AuditLogService } from '../audit-log/audit-log.service';
import { CaptureError, CaptureErrorCode } from '../capture/capture.error';
import { CaptureService } from '../capture/capture.service';
import { VerificationService } from '../verification/verification.service';
import { DispensingErrorCode } from './dispensing.error';
import { StatusAction } from '@pharmatrace/domain';
import { DispensingService } from './dispensing.service';

const GTIN = '00614141123452';
const EPC = `https://id.gs1.org/01/${GTIN}/21/S1`;
const PHARMACY = { id: 'org-pharmacy', name: 'Corner Pharmacy', role: 'DISPENSER', gln: '0614141000029' } as Organization;
const NOW = new Date('2026-03-01T12:00:00.000Z');

/**
 * One pack seen through both collaborators: verification reads its status and alerts, a capture changes its
 * status as the event's step and disposition say (or fails as the capture transaction would).
 */
class PackWorld {
  status = 'ACTIVE';
  alerts: AlertCode[] = [];
  /** What the capture transaction does next instead of storing: a refusal, or an identical event already stored. */
  nextCapture: 'store' | 'duplicate' | CaptureError = 'store';
  readonly captured: Record<string, any>[] = [];

  private verdict() {
    return {
      status: this.status,
      saleable: this.status === 'ACTIVE' && this.alerts.length === 0,
      alerts: [...this.alerts],
      anchored: true,
      checkedOnChain: true,
    };
  }

  readonly verification = {
    evaluate: async (code: string) => ({ scan: { gtin: GTIN, serial: 'S1' }, epc: code, verdict: this.verdict() }),
    verify: async (epc: string) => ({ ...this.verdict(), epc }),
  };

  readonly capture = {
    capture: async (_org: Organization, document: any) => {
      const next = this.nextCapture;
      this.nextCapture = 'store';
      if (next instanceof CaptureError) throw next;
      if (next === 'duplicate') return { capturedCount: 0, duplicateCount: 1, eventHashes: [] };
      const [event] = document.epcisBody.eventList;
      this.captured.push(event);
      const step = String(event.bizStep).replace(/^.*[:/]/, '');
      this.status =
        step === 'dispensing'
          ? 'DISPENSED'
          : step === 'destroying'
            ? 'DESTROYED'
            : step === 'holding'
              ? 'LOCKED'
              : event.disposition === 'stolen'
                ? 'STOLEN'
                : step === 'stocking'
                  ? 'ACTIVE'
                  : step === 'sampling'
                    ? 'SAMPLE'
                    : 'EXPORTED';
      return { capturedCount: 1, duplicateCount: 0, eventHashes: [] };
    },
  };
}

function setup() {
  const world = new PackWorld();
  const alerts: AlertRecord[] = [];
  const audits: Record<string, unknown>[] = [];
  const service = new DispensingService(
    world.verification as unknown as VerificationService,
    world.capture as unknown as CaptureService,
    { recordAlert: async (a: AlertRecord) => void alerts.push(a) } as unknown as VerificationRepository,
    () => NOW,
    { record: async (entry: Record<string, unknown>) => void audits.push(entry) } as unknown as AuditLogService,
  );
  return { service, world, alerts, audits };
}

const conflict = (rule: string) =>
  new CaptureError(CaptureErrorCode.CAPTURE_CONFLICT, [
    { eventIndex: 0, field: '/epcList/0', rule, message: `${EPC}: refused by ${rule}` },
  ]);

describe('dispensing and other status changes', () => {
  it("dispenses a saleable pack with a dispensing event at the pharmacy's location and the server's time", async () => {
    const { service, world } = setup();
    const after = await service.change(PHARMACY, EPC, StatusAction.DISPENSE);
    expect(after).toMatchObject({ status: 'DISPENSED', epc: EPC });
    expect(world.captured).toEqual([
      expect.objectContaining({
        bizStep: 'dispensing',
        disposition: 'dispensed',
        epcList: [EPC],
        eventTime: NOW.toISOString(),
        bizLocation: { id: `https://id.gs1.org/414/${PHARMACY.gln}` },
      }),
    ]);
  });

  it.each([
    [StatusAction.DESTROY, 'DESTROYED'],
    [StatusAction.MARK_STOLEN, 'STOLEN'],
    [StatusAction.MARK_SAMPLE, 'SAMPLE'],
    [StatusAction.EXPORT, 'EXPORTED'],
  ])('%s changes an active pack to %s', async (action, status) => {
    const { service, world } = setup();
    await expect(service.change(PHARMACY, EPC, action)).resolves.toMatchObject({ status });
    expect(world.captured).toHaveLength(1);
  });

  it('refuses an unknown pack before capturing anything', async () => {
    const { service, world } = setup();
    world.status = 'UNKNOWN';
    world.alerts = [AlertCode.UNKNOWN_SERIAL];
    await expect(service.change(PHARMACY, EPC, StatusAction.DISPENSE)).rejects.toMatchObject({
      code: DispensingErrorCode.UNKNOWN_PACK,
      details: { epc: EPC },
    });
    expect(world.captured).toHaveLength(0);
  });

  it('refuses to dispense a pack dispensed already, and records the attempt as evidence of a duplicate', async () => {
    const { service, world, alerts } = setup();
    world.status = 'DISPENSED';
    world.alerts = [AlertCode.ALREADY_DISPENSED];
    await expect(service.change(PHARMACY, EPC, StatusAction.DISPENSE)).rejects.toMatchObject({
      code: DispensingErrorCode.ALREADY_DISPENSED,
      details: { nmvsCode: UNDO_NMVS.INACTIVE },
    });
    expect(alerts).toEqual([expect.objectContaining({ code: AlertCode.ALREADY_DISPENSED, epc: EPC, gtin: GTIN, actorId: PHARMACY.id })]);
    expect(world.captured).toHaveLength(0);
  });

  it('refuses to dispense a recalled or expired pack as not saleable, but lets it be destroyed', async () => {
    const { service, world, alerts } = setup();
    world.alerts = [AlertCode.RECALLED, AlertCode.EXPIRED];
    await expect(service.change(PHARMACY, EPC, StatusAction.DISPENSE)).rejects.toMatchObject({
      code: DispensingErrorCode.NOT_SALEABLE,
      details: { alerts: [AlertCode.RECALLED, AlertCode.EXPIRED] },
    });
    expect(alerts).toHaveLength(0);
    await expect(service.change(PHARMACY, EPC, StatusAction.DESTROY)).resolves.toMatchObject({ status: 'DESTROYED' });
  });

  it('lets a pending anchor or another custodian through, which only warn', async () => {
    const { service, world } = setup();
    world.alerts = [AlertCode.ANCHORING_PENDING, AlertCode.NOT_IN_CUSTODY];
    await expect(service.change(PHARMACY, EPC, StatusAction.DISPENSE)).resolves.toMatchObject({ status: 'DISPENSED' });
  });

  it('undoes a dispense with a stocking event back to active, and refuses an undo of a pack not dispensed', async () => {
    const { service, world } = setup();
    await expect(service.change(PHARMACY, EPC, StatusAction.UNDO_DISPENSE)).rejects.toMatchObject({
      code: DispensingErrorCode.UNDO_STATUS_MISMATCH,
      details: { nmvsCode: UNDO_NMVS.STATUS_MISMATCH },
    });
    world.status = 'DISPENSED';
    world.alerts = [AlertCode.ALREADY_DISPENSED];
    await expect(service.change(PHARMACY, EPC, StatusAction.UNDO_DISPENSE)).resolves.toMatchObject({ status: 'ACTIVE' });
    expect(world.captured[0]).toMatchObject({ bizStep: 'stocking', disposition: 'active' });
  });

  it.each([
    ['UNDO_WINDOW_EXCEEDED', DispensingErrorCode.UNDO_WINDOW_EXCEEDED, UNDO_NMVS.WINDOW_EXCEEDED],
    ['UNDO_BY_OTHER_LOCATION', DispensingErrorCode.UNDO_BY_OTHER_LOCATION, UNDO_NMVS.OTHER_LOCATION],
    ['ALREADY_DISPENSED', DispensingErrorCode.ALREADY_DISPENSED, UNDO_NMVS.INACTIVE],
    ['PACK_INACTIVE', DispensingErrorCode.PACK_INACTIVE, UNDO_NMVS.INACTIVE],
  ])('turns a %s refusal of the capture transaction into %s with its NMVS code', async (rule, code, nmvsCode) => {
    const { service, world } = setup();
    world.status = 'DISPENSED';
    world.alerts = [AlertCode.ALREADY_DISPENSED];
    world.nextCapture = conflict(rule);
    await expect(service.change(PHARMACY, EPC, StatusAction.UNDO_DISPENSE)).rejects.toMatchObject({
      code,
      details: { epc: EPC, nmvsCode },
      message: `${EPC}: refused by ${rule}`,
    });
    expect(world.status).toBe('DISPENSED');
  });

  it('passes on a capture error other than a state conflict unchanged', async () => {
    const { service, world } = setup();
    const forbidden = new CaptureError(CaptureErrorCode.CAPTURE_FORBIDDEN, [
      { eventIndex: 0, field: '/epcList/0', rule: 'NOT_CUSTODIAN', message: 'no' },
    ]);
    world.nextCapture = forbidden;
    await expect(service.change(PHARMACY, EPC, StatusAction.DISPENSE)).rejects.toBe(forbidden);
  });

  it('answers ALREADY_DISPENSED when an identical concurrent request stored the very same event first', async () => {
    const { service, world, alerts } = setup();
    world.nextCapture = 'duplicate';
    await expect(service.change(PHARMACY, EPC, StatusAction.DISPENSE)).rejects.toMatchObject({
      code: DispensingErrorCode.ALREADY_DISPENSED,
      details: { nmvsCode: UNDO_NMVS.ALREADY_SET },
    });
    expect(alerts.map((a) => a.code)).toEqual([AlertCode.ALREADY_DISPENSED]);

    world.nextCapture = 'duplicate';
    await expect(service.change(PHARMACY, EPC, StatusAction.DESTROY)).rejects.toMatchObject({ code: DispensingErrorCode.PACK_INACTIVE });
    expect(alerts).toHaveLength(1);
  });

  it('audits a lock with the status before and after, and only a lock', async () => {
    const { service, audits } = setup();
    await service.change(PHARMACY, EPC, StatusAction.DISPENSE);
    expect(audits).toHaveLength(0);

    const locker = setup();
    await locker.service.change(PHARMACY, EPC, StatusAction.LOCK);
    expect(locker.audits).toEqual([
      {
        actor: { kind: 'organization', organizationId: PHARMACY.id },
        action: 'pack.lock',
        subjectType: 'pack',
        subjectId: EPC,
        before: { status: 'ACTIVE', alerts: [] },
        after: { status: 'LOCKED', alerts: [] },
      },
    ]);
  });
});

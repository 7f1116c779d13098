import { ALERT_MAPPING, nmvsCodeFor, vrsAnswerFor } from './alert-codes';
import { ItemState, PackStatus } from './pack-state';
import { AlertCode, VerdictInput, verdictFor, VerdictStatus } from './verdict';

const state = (over: Partial<ItemState> = {}): ItemState => ({
  epc: 'https://id.gs1.org/01/09506000134352/21/S1',
  kind: 'sgtin',
  gtin: '09506000134352',
  serial: 'S1',
  lot: 'L1',
  expiry: '2027-12-31',
  status: PackStatus.ACTIVE,
  statusChangedAt: new Date(0),
  statusChangedBy: 'maker',
  statusRecordedAt: new Date(0),
  custodianId: 'pharmacy',
  location: null,
  destination: null,
  containerEpc: null,
  commissionedBy: 'maker',
  lastEventId: 1,
  lastEventTime: new Date(0),
  ...over,
});
const done = { eventCount: 3, anchoredCount: 3, finalCount: 3, failedCount: 0 };
const input = (over: Partial<VerdictInput> = {}): VerdictInput => ({
  state: state(),
  productKnown: true,
  productWithdrawn: false,
  lotRecalled: false,
  scanned: {},
  anchoring: done,
  today: '2026-11-25',
  viewer: { organizationId: 'pharmacy', gln: '0614141000036', role: 'DISPENSER' },
  ...over,
});

describe('verdictFor', () => {
  it('finds a genuine active pack saleable, anchored and checked on chain', () => {
    expect(verdictFor(input({ scanned: { lot: 'L1', expiryDate: '2027-12-31' } }))).toEqual({
      status: VerdictStatus.ACTIVE,
      saleable: true,
      alerts: [],
      anchored: true,
      checkedOnChain: true,
    });
  });

  it('tells an unknown product from an unknown serial', () => {
    expect(verdictFor(input({ state: null, productKnown: false }))).toMatchObject({
      status: VerdictStatus.UNKNOWN,
      alerts: [AlertCode.UNKNOWN_PRODUCT],
    });
    expect(verdictFor(input({ state: null }))).toMatchObject({
      status: VerdictStatus.UNKNOWN,
      alerts: [AlertCode.UNKNOWN_SERIAL],
      saleable: false,
    });
  });

  it.each<[string, Partial<VerdictInput>, VerdictStatus, AlertCode]>([
    ['lot mismatch', { scanned: { lot: 'L2' } }, VerdictStatus.ACTIVE, AlertCode.LOT_MISMATCH],
    ['expiry mismatch', { scanned: { expiryDate: '2027-11-30' } }, VerdictStatus.ACTIVE, AlertCode.EXPIRY_MISMATCH],
    ['expired', { state: state({ expiry: '2026-11-24' }) }, VerdictStatus.EXPIRED, AlertCode.EXPIRED],
    ['recalled lot', { lotRecalled: true }, VerdictStatus.RECALLED, AlertCode.RECALLED],
    ['withdrawn product', { productWithdrawn: true }, VerdictStatus.WITHDRAWN, AlertCode.WITHDRAWN],
    ['dispensed', { state: state({ status: PackStatus.DISPENSED }) }, VerdictStatus.DISPENSED, AlertCode.ALREADY_DISPENSED],
    ['destroyed', { state: state({ status: PackStatus.DESTROYED }) }, VerdictStatus.DESTROYED, AlertCode.PACK_INACTIVE],
    ['stolen', { state: state({ status: PackStatus.STOLEN }) }, VerdictStatus.STOLEN, AlertCode.PACK_INACTIVE],
    ['sample', { state: state({ status: PackStatus.SAMPLE }) }, VerdictStatus.SAMPLE, AlertCode.PACK_INACTIVE],
    ['exported', { state: state({ status: PackStatus.EXPORTED }) }, VerdictStatus.EXPORTED, AlertCode.PACK_INACTIVE],
    ['locked', { state: state({ status: PackStatus.LOCKED }) }, VerdictStatus.LOCKED, AlertCode.PACK_INACTIVE],
    ['decommissioned', { state: state({ status: PackStatus.DECOMMISSIONED }) }, VerdictStatus.DECOMMISSIONED, AlertCode.PACK_INACTIVE],
    ['anchoring failed', { anchoring: { ...done, failedCount: 1 } }, VerdictStatus.ACTIVE, AlertCode.ANCHORING_FAILED],
  ])('%s: status %s, alert %s, not saleable', (_, over, status, alert) => {
    const v = verdictFor(input(over));
    expect(v.status).toBe(status);
    expect(v.alerts).toContain(alert);
    expect(v.saleable).toBe(false);
  });

  it('flags, without blocking, a genuine pack never shipped to the scanning dispenser', () => {
    expect(verdictFor(input({ state: state({ custodianId: 'wholesaler' }) }))).toMatchObject({
      saleable: true,
      alerts: [AlertCode.NOT_IN_CUSTODY],
    });
  });

  it('keeps a pack in transit to the scanning dispenser saleable', () => {
    const v = verdictFor(
      input({ state: state({ status: PackStatus.IN_TRANSIT, custodianId: 'wholesaler', destination: '0614141000036' }) }),
    );
    expect(v).toMatchObject({ status: VerdictStatus.IN_TRANSIT, saleable: true, alerts: [] });
  });

  it('keeps a pack saleable while anchoring is pending but says so', () => {
    const v = verdictFor(input({ anchoring: { eventCount: 3, anchoredCount: 2, finalCount: 1, failedCount: 0 } }));
    expect(v).toMatchObject({ saleable: true, anchored: false, checkedOnChain: false, alerts: [AlertCode.ANCHORING_PENDING] });
  });

  it('does not apply the custody rule to distributors or regulators', () => {
    expect(verdictFor(input({ viewer: { organizationId: 'x', gln: '1', role: 'REGULATOR' } })).alerts).toEqual([]);
  });
});

describe('NMVS and VRS mapping', () => {
  it('maps every alert code', () => {
    for (const code of Object.values(AlertCode)) expect(ALERT_MAPPING[code]).toBeDefined();
  });

  it.each<[AlertCode[], VerdictStatus, ReturnType<typeof vrsAnswerFor>, string | null]>([
    [
      [AlertCode.UNKNOWN_SERIAL],
      VerdictStatus.UNKNOWN,
      { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' },
      'NMVS_NC_PC_02',
    ],
    [
      [AlertCode.UNKNOWN_PRODUCT],
      VerdictStatus.UNKNOWN,
      { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' },
      'NMVS_NC_PC_01',
    ],
    [
      [AlertCode.LOT_MISMATCH],
      VerdictStatus.ACTIVE,
      { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' },
      'NMVS_FE_LOT_13',
    ],
    [
      [AlertCode.EXPIRY_MISMATCH],
      VerdictStatus.ACTIVE,
      { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Expiry' },
      'NMVS_FE_LOT_12',
    ],
    [
      [AlertCode.LOT_MISMATCH, AlertCode.EXPIRY_MISMATCH],
      VerdictStatus.ACTIVE,
      { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot_Expiry' },
      'NMVS_FE_LOT_13',
    ],
    [[AlertCode.EXPIRED], VerdictStatus.EXPIRED, { verified: true, additionalInfo: 'Expired' }, 'NMVS_NC_PCK_22'],
    [[AlertCode.RECALLED], VerdictStatus.RECALLED, { verified: true, additionalInfo: 'Recalled' }, 'NMVS_NC_PCK_22'],
    [[AlertCode.ALREADY_DISPENSED], VerdictStatus.DISPENSED, { verified: true, additionalInfo: 'Suspect' }, 'NMVS_NC_PCK_22'],
    [[AlertCode.PACK_INACTIVE], VerdictStatus.STOLEN, { verified: true, additionalInfo: 'Illegitimate' }, 'NMVS_NC_PCK_22'],
    [[AlertCode.ANCHORING_PENDING], VerdictStatus.ACTIVE, { verified: true }, null],
    [[], VerdictStatus.ACTIVE, { verified: true }, null],
  ])('%j (%s) → VRS %j, NMVS %s', (alerts, status, vrs, nmvs) => {
    expect(vrsAnswerFor({ status, alerts })).toEqual(vrs);
    expect(nmvsCodeFor(alerts)).toBe(nmvs);
  });
});

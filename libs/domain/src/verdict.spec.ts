import { ItemState, PackStatus } from './pack-state';
import { AlertCode, verdictFor, VerdictStatus } from './verdict';

const state = (over: Partial<ItemState> = {}): ItemState => ({
  epc: 'https://id.gs1.org/01/09506000134352/21/S1',
  kind: 'sgtin',
  gtin: '09506000134352',
  serial: 'S1',
  lot: 'L1',
  expiry: '2027-12-31',
  status: PackStatus.ACTIVE,
  custodianId: 'pharmacy',
  location: null,
  destination: null,
  containerEpc: null,
  commissionedBy: 'maker',
  lastEventId: 1,
  lastEventTime: new Date(0),
  ...over,
});
const done = { eventCount: 3, anchoredCount: 3, finalCount: 3 };
const today = '2026-11-25';

describe('verdictFor', () => {
  it('answers UNKNOWN for a pack never commissioned', () => {
    expect(verdictFor(null, {}, done, today)).toMatchObject({ status: VerdictStatus.UNKNOWN, saleable: false, alerts: [AlertCode.UNKNOWN_SERIAL] });
  });

  it('finds a genuine active pack saleable, anchored and checked on chain', () => {
    expect(verdictFor(state(), { lot: 'L1', expiryDate: '2027-12-31' }, done, today)).toEqual({
      status: VerdictStatus.ACTIVE,
      saleable: true,
      alerts: [],
      anchored: true,
      checkedOnChain: true,
    });
  });

  it.each([
    [{ lot: 'L2' }, state(), AlertCode.LOT_MISMATCH],
    [{ expiryDate: '2027-11-30' }, state(), AlertCode.EXPIRY_MISMATCH],
    [{}, state({ expiry: '2026-11-24' }), AlertCode.EXPIRED],
    [{}, state({ status: PackStatus.DISPENSED }), AlertCode.ALREADY_DISPENSED],
    [{}, state({ status: PackStatus.DECOMMISSIONED }), AlertCode.DECOMMISSIONED],
  ])('scan %j on a pack raises %s and is not saleable', (scan, s, alert) => {
    const v = verdictFor(s, scan, done, today);
    expect(v.alerts).toContain(alert);
    expect(v.saleable).toBe(false);
  });

  it('keeps a pack saleable while anchoring is pending but says so', () => {
    const v = verdictFor(state(), {}, { eventCount: 3, anchoredCount: 2, finalCount: 1 }, today);
    expect(v).toMatchObject({ saleable: true, anchored: false, checkedOnChain: false, alerts: [AlertCode.ANCHORING_PENDING] });
  });

  it('is not checked on chain until every batch is final', () => {
    expect(verdictFor(state(), {}, { eventCount: 3, anchoredCount: 3, finalCount: 2 }, today)).toMatchObject({ anchored: true, checkedOnChain: false });
  });
});

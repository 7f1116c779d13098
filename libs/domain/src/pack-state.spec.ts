import fc from 'fast-check';
import { applyEvents, EventFacts, EXPORTING_BIZSTEP, ItemIdentity, ItemState, PackStatus, ViolationCode } from './pack-state';
import { cbvShortName } from './vocabulary';

const identify = (epc: string): ItemIdentity =>
  epc.includes('/00/') ? { kind: 'sscc', gtin: null, serial: null } : { kind: 'sgtin', gtin: '09506000134352', serial: epc.split('/').pop()! };

let nextId = 1;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
function event(partial: Partial<EventFacts> & { minute: number }): EventFacts {
  return {
    eventId: nextId++,
    eventType: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: null,
    disposition: null,
    eventTime: at(partial.minute),
    capturedBy: 'maker',
    bizLocation: null,
    epcs: [],
    parent: null,
    children: [],
    lot: null,
    expiry: null,
    destination: null,
    ...partial,
  };
}

const pack = (n: number) => `https://id.gs1.org/01/09506000134352/21/S${n}`;
const CASE = 'https://id.gs1.org/00/106141412345678908';
const PALLET = 'https://id.gs1.org/00/106141410000000019';

function run(initial: ItemState[], events: EventFacts[]) {
  const { states, impliedChildren } = applyEvents(initial, events, identify);
  return { byEpc: new Map(states.map((s) => [s.epc, s])), impliedChildren };
}

describe('cbvShortName', () => {
  it.each([
    ['shipping', 'shipping'],
    ['urn:epcglobal:cbv:bizstep:shipping', 'shipping'],
    ['https://ref.gs1.org/cbv/BizStep-shipping', 'shipping'],
    ['urn:epcglobal:cbv:disp:in_transit', 'in_transit'],
    ['https://ref.gs1.org/cbv/Disp-in_transit', 'in_transit'],
  ])('%s → %s', (input, expected) => expect(cbvShortName(input)).toBe(expected));
});

describe('applyEvents', () => {
  const commission = event({ minute: 1, action: 'ADD', bizStep: 'commissioning', epcs: [pack(1), pack(2)], lot: 'L1', expiry: '2027-12-31', bizLocation: 'urn:epc:id:sgln:0614141.00777.0' });
  const packCase = event({ minute: 2, eventType: 'AggregationEvent', action: 'ADD', bizStep: 'packing', parent: CASE, children: [pack(1), pack(2)] });
  const palletise = event({ minute: 3, eventType: 'AggregationEvent', action: 'ADD', bizStep: 'packing', parent: PALLET, children: [CASE] });
  const ship = event({ minute: 4, bizStep: 'shipping', epcs: [PALLET], destination: 'urn:epc:id:pgln:0614141.00002' });
  const receive = event({ minute: 5, bizStep: 'receiving', epcs: [PALLET], capturedBy: 'wholesaler', bizLocation: 'urn:epc:id:sgln:0614141.00002.0' });

  it('commissions packs with lot, expiry, custodian and location', () => {
    const { byEpc } = run([], [commission]);
    expect(byEpc.get(pack(1))).toMatchObject({ status: PackStatus.ACTIVE, lot: 'L1', expiry: '2027-12-31', custodianId: 'maker', commissionedBy: 'maker', kind: 'sgtin' });
  });

  it('moves every pack inside a shipped pallet and hands custody over on receipt', () => {
    const shipped = run([], [commission, packCase, palletise, ship]).byEpc;
    expect(shipped.get(pack(2))).toMatchObject({ status: PackStatus.IN_TRANSIT, custodianId: 'maker', destination: 'urn:epc:id:pgln:0614141.00002', containerEpc: CASE });
    const received = run([], [commission, packCase, palletise, ship, receive]).byEpc;
    expect(received.get(pack(2))).toMatchObject({ status: PackStatus.ACTIVE, custodianId: 'wholesaler', location: 'urn:epc:id:sgln:0614141.00002.0', destination: null });
    expect(received.get(CASE)?.containerEpc).toBe(PALLET);
  });

  it('unpacks all children when a DELETE names none, and reports them', () => {
    const unpack = event({ minute: 6, eventType: 'AggregationEvent', action: 'DELETE', bizStep: 'unpacking', parent: CASE });
    const { byEpc, impliedChildren } = run([], [commission, packCase, unpack]);
    expect(byEpc.get(pack(1))?.containerEpc).toBeNull();
    expect(impliedChildren.get(unpack.eventId)?.sort()).toEqual([pack(1), pack(2)].sort());
  });

  it('dispenses one pack without touching its siblings', () => {
    const dispense = event({ minute: 7, bizStep: 'dispensing', epcs: [pack(1)] });
    const { byEpc } = run([], [commission, dispense]);
    expect(byEpc.get(pack(1))?.status).toBe(PackStatus.DISPENSED);
    expect(byEpc.get(pack(2))?.status).toBe(PackStatus.ACTIVE);
  });

  it('does not let a late-arriving older event roll state back', () => {
    const dispense = event({ minute: 9, bizStep: 'dispensing', epcs: [pack(1)] });
    const first = run([], [commission, dispense]).byEpc.get(pack(1))!;
    const lateShip = event({ minute: 8, bizStep: 'shipping', epcs: [pack(1)] });
    const { byEpc } = run([first], [lateShip]);
    expect(byEpc.has(pack(1))).toBe(false);
  });

  it('ignores a second commissioning of an existing pack', () => {
    const first = run([], [commission]).byEpc.get(pack(1))!;
    const again = event({ minute: 10, action: 'ADD', bizStep: 'commissioning', epcs: [pack(1)], lot: 'OTHER', capturedBy: 'forger' });
    expect(run([first], [again]).byEpc.size).toBe(0);
  });

  it('gives the same result whatever order the events arrive in (property)', () => {
    const all = [commission, packCase, palletise, ship, receive];
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), (order) => {
        const a = run([], order).byEpc;
        const b = run([], all).byEpc;
        expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
      }),
    );
  });
});

describe('status rules', () => {
  const commission = event({ minute: 1, action: 'ADD', bizStep: 'commissioning', epcs: [pack(1)], lot: 'L1', expiry: '2027-12-31', capturedBy: 'maker' });
  const dispensedAt = (minute: number, by = 'pharmacy') => event({ minute, bizStep: 'dispensing', disposition: 'dispensed', epcs: [pack(1)], capturedBy: by });
  const dispensed = () => run([], [commission, dispensedAt(10)]).byEpc.get(pack(1))!;
  const undo = (minutesAfter: number, by = 'pharmacy') =>
    event({ minute: 10 + minutesAfter, bizStep: 'stocking', disposition: 'active', epcs: [pack(1)], capturedBy: by });

  it('records who set the status and when', () => {
    expect(dispensed()).toMatchObject({ status: PackStatus.DISPENSED, statusChangedBy: 'pharmacy', statusChangedAt: at(10) });
  });

  it('refuses a second dispensing, even one stamped earlier than the first', () => {
    const later = applyEvents([dispensed()], [dispensedAt(11, 'other-pharmacy')], identify);
    expect(later.violations).toEqual([expect.objectContaining({ epc: pack(1), code: ViolationCode.ALREADY_DISPENSED })]);
    expect(later.states).toEqual([]);
    const earlier = applyEvents([dispensed()], [dispensedAt(9, 'other-pharmacy')], identify);
    expect(earlier.violations.map((v) => v.code)).toEqual([ViolationCode.ALREADY_DISPENSED]);
  });

  it('lets the same location undo a dispensing within 10 days, and nobody else or later', () => {
    expect(applyEvents([dispensed()], [undo(60)], identify).states[0]).toMatchObject({ status: PackStatus.ACTIVE });
    expect(applyEvents([dispensed()], [undo(60, 'other')], identify).violations[0].code).toBe(ViolationCode.UNDO_BY_OTHER_LOCATION);
    expect(applyEvents([dispensed()], [undo(11 * 24 * 60)], identify).violations[0].code).toBe(ViolationCode.UNDO_WINDOW_EXCEEDED);
  });

  it.each([
    ['destroying', 'destroyed', PackStatus.DESTROYED],
    ['decommissioning', 'stolen', PackStatus.STOLEN],
    ['sampling', null, PackStatus.SAMPLE],
    [EXPORTING_BIZSTEP, null, PackStatus.EXPORTED],
    ['holding', 'non_sellable_other', PackStatus.LOCKED],
    ['decommissioning', 'inactive', PackStatus.DECOMMISSIONED],
  ])('%s / %s sets %s, after which a shipment is refused', (bizStep, disposition, status) => {
    const first = run([], [commission, event({ minute: 5, bizStep, disposition, epcs: [pack(1)], capturedBy: 'maker' })]).byEpc.get(pack(1))!;
    expect(first.status).toBe(status);
    const ship = applyEvents([first], [event({ minute: 6, bizStep: 'shipping', epcs: [pack(1)], capturedBy: 'maker' })], identify);
    expect(ship.violations[0].code).toBe(ViolationCode.PACK_INACTIVE);
  });

  it('never undoes a destroyed or stolen pack', () => {
    const destroyed = run([], [commission, event({ minute: 5, bizStep: 'destroying', epcs: [pack(1)], capturedBy: 'maker' })]).byEpc.get(pack(1))!;
    const back = applyEvents([destroyed], [event({ minute: 6, bizStep: 'stocking', disposition: 'active', epcs: [pack(1)], capturedBy: 'maker' })], identify);
    expect(back.violations[0].code).toBe(ViolationCode.PACK_INACTIVE);
  });
});

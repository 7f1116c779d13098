import fc from 'fast-check';
import { Actor, AuthorityCode, RecordContext } from './authority';
import {
  applyEvents,
  EventFacts,
  EXPORTING_BIZSTEP,
  HistoryFlagCode,
  ItemIdentity,
  ItemState,
  PackStatus,
  ViolationCode,
} from './pack-state';

const identify = (epc: string): ItemIdentity =>
  epc.includes('/00/')
    ? { kind: 'sscc', gtin: null, serial: null }
    : { kind: 'sgtin', gtin: '09506000134352', serial: epc.split('/').pop()! };

const actor = (id: string, role: Actor['role'], companyPrefixes: string[] = []): Actor => ({ id, role, gln: `gln-${id}`, companyPrefixes });
const ACTORS = new Map(
  [
    actor('maker', 'MANUFACTURER', ['9506000']),
    actor('rival', 'MANUFACTURER', ['0614141']),
    actor('wholesaler', 'DISTRIBUTOR'),
    actor('pharmacy', 'DISPENSER'),
    actor('other-pharmacy', 'DISPENSER'),
    actor('regulator', 'REGULATOR'),
  ].map((a) => [a.id, a]),
);

let nextId = 1;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const DAY = 24 * 60;
/** Recorded a day after the first events unless told otherwise, with the default skew of 5 minutes. */
const context = (recordMinute = DAY): RecordContext => ({
  actorOf: (id) => ACTORS.get(id)!,
  recordTime: at(recordMinute),
  maxFutureSkewMs: 5 * 60_000,
});
const apply = (initial: ItemState[], events: EventFacts[], recordMinute = DAY) =>
  applyEvents(initial, events, identify, context(recordMinute));

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

function run(initial: ItemState[], events: EventFacts[], recordMinute = DAY) {
  const { states, impliedChildren, violations, flags } = apply(initial, events, recordMinute);
  expect(violations).toEqual([]);
  return { byEpc: new Map(states.map((s) => [s.epc, s])), impliedChildren, flags };
}

describe('applyEvents', () => {
  const commission = event({
    minute: 1,
    action: 'ADD',
    bizStep: 'commissioning',
    epcs: [pack(1), pack(2)],
    lot: 'L1',
    expiry: '2027-12-31',
    bizLocation: 'urn:epc:id:sgln:0614141.00777.0',
  });
  const packCase = event({
    minute: 2,
    eventType: 'AggregationEvent',
    action: 'ADD',
    bizStep: 'packing',
    parent: CASE,
    children: [pack(1), pack(2)],
  });
  const palletise = event({
    minute: 3,
    eventType: 'AggregationEvent',
    action: 'ADD',
    bizStep: 'packing',
    parent: PALLET,
    children: [CASE],
  });
  const ship = event({ minute: 4, bizStep: 'shipping', epcs: [PALLET], destination: 'gln-wholesaler' });
  const receive = event({
    minute: 5,
    bizStep: 'receiving',
    epcs: [PALLET],
    capturedBy: 'wholesaler',
    bizLocation: 'urn:epc:id:sgln:0614141.00002.0',
  });

  it('commissions packs with lot, expiry, custodian, location and the record time', () => {
    const { byEpc } = run([], [commission]);
    expect(byEpc.get(pack(1))).toMatchObject({
      status: PackStatus.ACTIVE,
      lot: 'L1',
      expiry: '2027-12-31',
      custodianId: 'maker',
      commissionedBy: 'maker',
      kind: 'sgtin',
      statusRecordedAt: at(DAY),
    });
  });

  it('takes what capture already parsed of an EPC (identities) instead of identifying it again', () => {
    const parsed: ItemIdentity = { kind: 'sgtin', gtin: '09506000134352', serial: 'PARSED' };
    const identities = new Map([[pack(1), parsed]]);
    const seen: string[] = [];
    const counting = (epc: string) => {
      seen.push(epc);
      return identify(epc);
    };
    const { states, violations } = applyEvents([], [{ ...commission, identities }], counting, context());
    expect(violations).toEqual([]);
    expect(seen.every((epc) => epc === pack(2))).toBe(true);
    expect(states.find((s) => s.epc === pack(1))).toMatchObject({ serial: 'PARSED' });
    expect(states.find((s) => s.epc === pack(2))).toMatchObject({ serial: 'S2' });
  });

  it('moves every pack inside a shipped pallet and hands custody over on receipt', () => {
    const shipped = run([], [commission, packCase, palletise, ship]).byEpc;
    expect(shipped.get(pack(2))).toMatchObject({
      status: PackStatus.IN_TRANSIT,
      custodianId: 'maker',
      destination: 'gln-wholesaler',
      containerEpc: CASE,
    });
    const received = run([], [commission, packCase, palletise, ship, receive]).byEpc;
    expect(received.get(pack(2))).toMatchObject({
      status: PackStatus.ACTIVE,
      custodianId: 'wholesaler',
      location: 'urn:epc:id:sgln:0614141.00002.0',
      destination: null,
    });
    expect(received.get(CASE)?.containerEpc).toBe(PALLET);
  });

  it('lets the receiver of a pallet break it down and ship a case on', () => {
    const unpack = event({
      minute: 6,
      eventType: 'AggregationEvent',
      action: 'DELETE',
      bizStep: 'unpacking',
      parent: PALLET,
      capturedBy: 'wholesaler',
    });
    const shipCase = event({ minute: 7, bizStep: 'shipping', epcs: [CASE], destination: 'gln-pharmacy', capturedBy: 'wholesaler' });
    const receiveCase = event({ minute: 8, bizStep: 'receiving', epcs: [CASE], capturedBy: 'pharmacy' });
    const dispense = event({ minute: 9, bizStep: 'dispensing', epcs: [pack(1)], capturedBy: 'pharmacy' });
    const { byEpc } = run([], [commission, packCase, palletise, ship, receive, unpack, shipCase, receiveCase, dispense]);
    expect(byEpc.get(pack(1))).toMatchObject({ status: PackStatus.DISPENSED, custodianId: 'pharmacy' });
    expect(byEpc.get(pack(2))).toMatchObject({ status: PackStatus.ACTIVE, custodianId: 'pharmacy', containerEpc: CASE });
    expect(byEpc.get(PALLET)).toMatchObject({ custodianId: 'wholesaler' });
  });

  it('unpacks all children when a DELETE names none, and reports them', () => {
    const unpack = event({ minute: 6, eventType: 'AggregationEvent', action: 'DELETE', bizStep: 'unpacking', parent: CASE });
    const { byEpc, impliedChildren } = run([], [commission, packCase, unpack]);
    expect(byEpc.get(pack(1))?.containerEpc).toBeNull();
    expect(impliedChildren.get(unpack.eventId)?.sort()).toEqual([pack(1), pack(2)].sort());
  });

  it('keeps an event older than the latest status change as history: it changes nothing and is flagged', () => {
    const lock = event({ minute: 9, bizStep: 'holding', disposition: 'non_sellable_other', epcs: [pack(1)] });
    const first = run([], [commission, lock]).byEpc.get(pack(1))!;
    const lateShip = event({ minute: 8, bizStep: 'shipping', epcs: [pack(1)], capturedBy: 'regulator' });
    const lateObserve = event({
      minute: 8,
      bizStep: 'inspecting',
      epcs: [pack(1)],
      capturedBy: 'regulator',
      bizLocation: 'urn:epc:id:sgln:0614141.00009.0',
    });
    const { byEpc, flags } = run([first], [lateObserve]);
    expect(byEpc.has(pack(1))).toBe(false);
    expect(flags).toEqual([{ eventId: lateObserve.eventId, epc: pack(1), gtin: '09506000134352', code: HistoryFlagCode.LATE_EVENT }]);
    // Who may record the event is judged before whether it is late: the regulator holds nothing to ship.
    expect(apply([first], [lateShip]).violations.map((v) => v.code)).toEqual([AuthorityCode.NOT_CUSTODIAN]);
  });

  it('does not let an observation, however far ahead, make later status changes late', () => {
    const observe = event({ minute: DAY + 4, bizStep: 'inspecting', epcs: [pack(1)] });
    const destroy = event({ minute: DAY - 1, bizStep: 'destroying', epcs: [pack(1)] });
    const observed = run([], [commission, observe]).byEpc.get(pack(1))!;
    expect(run([observed], [destroy]).byEpc.get(pack(1))?.status).toBe(PackStatus.DESTROYED);
  });

  it('refuses an event dated further ahead of the server clock than the skew, naming every item', () => {
    const future = event({ minute: DAY + 6, bizStep: 'inspecting', epcs: [pack(1), pack(2)] });
    const state = run([], [commission]).byEpc;
    const refused = apply([...state.values()], [future]);
    expect(refused.violations).toEqual([
      { eventId: future.eventId, epc: pack(1), code: AuthorityCode.FUTURE_EVENT, status: PackStatus.ACTIVE },
      { eventId: future.eventId, epc: pack(2), code: AuthorityCode.FUTURE_EVENT, status: PackStatus.ACTIVE },
    ]);
    expect(refused.states).toEqual([]);
    expect(apply([...state.values()], [event({ minute: DAY + 5, bizStep: 'inspecting', epcs: [pack(1)] })]).violations).toEqual([]);
    const empty = event({ minute: 2 * DAY, bizStep: 'inspecting' });
    expect(apply([], [empty]).violations).toEqual([{ eventId: empty.eventId, epc: null, code: AuthorityCode.FUTURE_EVENT, status: null }]);
  });

  it('refuses a second commissioning of a serial (SERIAL_EXISTS), in another capture or the same', () => {
    const first = run([], [commission]).byEpc.get(pack(1))!;
    const again = event({ minute: 10, action: 'ADD', bizStep: 'commissioning', epcs: [pack(1)], lot: 'OTHER', expiry: '2030-01-31' });
    expect(apply([first], [again])).toMatchObject({
      states: [],
      violations: [{ epc: pack(1), code: ViolationCode.SERIAL_EXISTS, status: PackStatus.ACTIVE }],
    });
    expect(apply([], [commission, again]).violations.map((v) => v.code)).toEqual([ViolationCode.SERIAL_EXISTS]);
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

describe('authority', () => {
  const commission = event({
    minute: 1,
    action: 'ADD',
    bizStep: 'commissioning',
    epcs: [pack(1)],
    lot: 'L1',
    expiry: '2027-12-31',
    bizLocation: 'urn:epc:id:sgln:9506000.00001.0',
  });
  const held = () => run([], [commission]).byEpc.get(pack(1))!;
  const on = (by: string, partial: Partial<EventFacts>) =>
    apply([held()], [event({ minute: 5, epcs: [pack(1)], capturedBy: by, ...partial })]);

  it.each([
    ['commissioning', 'wholesaler', { action: 'ADD', bizStep: 'commissioning' }, AuthorityCode.NOT_MANUFACTURER],
    ['commissioning (compact IRI)', 'rival', { action: 'ADD', bizStep: 'cbv:BizStep-commissioning' }, AuthorityCode.NOT_MANUFACTURER],
    ['shipping', 'rival', { bizStep: 'shipping', destination: 'gln-rival' }, AuthorityCode.NOT_CUSTODIAN],
    ['receiving', 'wholesaler', { bizStep: 'receiving' }, AuthorityCode.NOT_DESTINATION],
    ['dispensing', 'pharmacy', { bizStep: 'dispensing' }, AuthorityCode.NOT_CUSTODIAN],
    ['destroying', 'wholesaler', { bizStep: 'destroying' }, AuthorityCode.NOT_CUSTODIAN],
    ['stolen', 'other-pharmacy', { bizStep: 'decommissioning', disposition: 'stolen' }, AuthorityCode.NOT_CUSTODIAN],
    ['sampling', 'rival', { bizStep: 'sampling' }, AuthorityCode.NOT_CUSTODIAN],
    ['exporting', 'wholesaler', { bizStep: EXPORTING_BIZSTEP }, AuthorityCode.NOT_CUSTODIAN],
    ['decommissioning', 'regulator', { bizStep: 'decommissioning', disposition: 'inactive' }, AuthorityCode.NOT_CUSTODIAN],
    ['locking', 'wholesaler', { bizStep: 'holding', disposition: 'non_sellable_other' }, AuthorityCode.NOT_MANUFACTURER],
    ['locking', 'rival', { bizStep: 'holding', disposition: 'non_sellable_other' }, AuthorityCode.NOT_MANUFACTURER],
    [
      'packing',
      'wholesaler',
      { eventType: 'AggregationEvent', action: 'ADD', bizStep: 'packing', parent: CASE, children: [pack(1)], epcs: [] },
      AuthorityCode.NOT_CUSTODIAN,
    ],
    ['observing', 'pharmacy', { bizStep: 'inspecting', bizLocation: 'urn:epc:id:sgln:0614141.00009.0' }, AuthorityCode.NOT_CUSTODIAN],
    ['dispensing (URN)', 'maker', { bizStep: 'urn:epcglobal:cbv:bizstep:dispensing' }, AuthorityCode.NOT_AUTHORIZED_ROLE],
  ] as [string, string, Partial<EventFacts>, AuthorityCode][])(
    '%s by %s of a pack the maker holds: refused, nothing changes',
    (_, by, partial, code) => {
      const refused = on(by, partial);
      expect(refused.violations).toEqual([expect.objectContaining({ epc: pack(1), code })]);
      expect(refused.states).toEqual([]);
    },
  );

  it('lets the custodian and the manufacturer or a regulator act as the matrix says', () => {
    expect(on('maker', { bizStep: 'destroying' }).states[0].status).toBe(PackStatus.DESTROYED);
    expect(on('regulator', { bizStep: 'holding', disposition: 'non_sellable_other' }).states[0].status).toBe(PackStatus.LOCKED);
    expect(on('regulator', { bizStep: 'inspecting' }).violations).toEqual([]);
  });

  it('does not move a pack to the place of a manufacturer locking it', () => {
    const shipped = run([held()], [event({ minute: 2, bizStep: 'shipping', epcs: [pack(1)], destination: 'gln-wholesaler' })]).byEpc.get(
      pack(1),
    )!;
    const received = run(
      [shipped],
      [
        event({
          minute: 3,
          bizStep: 'receiving',
          epcs: [pack(1)],
          capturedBy: 'wholesaler',
          bizLocation: 'urn:epc:id:sgln:0614141.00002.0',
        }),
      ],
    ).byEpc.get(pack(1))!;
    const locked = run(
      [received],
      [
        event({
          minute: 4,
          bizStep: 'holding',
          disposition: 'non_sellable_other',
          epcs: [pack(1)],
          bizLocation: 'urn:epc:id:sgln:9506000.00001.0',
        }),
      ],
    ).byEpc.get(pack(1))!;
    expect(locked).toMatchObject({ status: PackStatus.LOCKED, custodianId: 'wholesaler', location: 'urn:epc:id:sgln:0614141.00002.0' });
  });

  it('lets only the addressee receive a shipment, and the shipper report it stolen on the road', () => {
    const shipped = run([held()], [event({ minute: 2, bizStep: 'shipping', epcs: [pack(1)], destination: 'gln-pharmacy' })]).byEpc.get(
      pack(1),
    )!;
    const receiveBy = (by: string) => apply([shipped], [event({ minute: 3, bizStep: 'receiving', epcs: [pack(1)], capturedBy: by })]);
    expect(receiveBy('other-pharmacy').violations.map((v) => v.code)).toEqual([AuthorityCode.NOT_DESTINATION]);
    expect(receiveBy('maker').violations.map((v) => v.code)).toEqual([AuthorityCode.NOT_DESTINATION]);
    expect(receiveBy('pharmacy').states[0]).toMatchObject({ status: PackStatus.ACTIVE, custodianId: 'pharmacy' });
    expect(
      apply([shipped], [event({ minute: 3, bizStep: 'dispensing', epcs: [pack(1)], capturedBy: 'pharmacy' })]).violations.map(
        (v) => v.code,
      ),
    ).toEqual([AuthorityCode.NOT_CUSTODIAN]);
    expect(
      apply([shipped], [event({ minute: 3, bizStep: 'decommissioning', disposition: 'stolen', epcs: [pack(1)] })]).states[0].status,
    ).toBe(PackStatus.STOLEN);
  });
});

describe('status rules', () => {
  const commission = event({
    minute: 1,
    action: 'ADD',
    bizStep: 'commissioning',
    epcs: [pack(1)],
    lot: 'L1',
    expiry: '2027-12-31',
    capturedBy: 'maker',
  });
  const ship = event({ minute: 2, bizStep: 'shipping', epcs: [pack(1)], destination: 'gln-pharmacy' });
  const receive = event({ minute: 3, bizStep: 'receiving', epcs: [pack(1)], capturedBy: 'pharmacy' });
  const dispensedAt = (minute: number, bizStep = 'dispensing') =>
    event({ minute, bizStep, disposition: 'dispensed', epcs: [pack(1)], capturedBy: 'pharmacy' });
  const dispensed = () => run([], [commission, ship, receive, dispensedAt(10)]).byEpc.get(pack(1))!;
  const undo = (minute: number, by = 'pharmacy') =>
    event({ minute, bizStep: 'stocking', disposition: 'active', epcs: [pack(1)], capturedBy: by });

  it('records who set the status, its event time and the server time it was recorded', () => {
    expect(dispensed()).toMatchObject({
      status: PackStatus.DISPENSED,
      statusChangedBy: 'pharmacy',
      statusChangedAt: at(10),
      statusRecordedAt: at(DAY),
    });
  });

  it('refuses a second dispensing, even one stamped earlier than the first or spelled as a compact IRI', () => {
    const later = apply([dispensed()], [dispensedAt(11)]);
    expect(later.violations).toEqual([expect.objectContaining({ epc: pack(1), code: ViolationCode.ALREADY_DISPENSED })]);
    expect(later.states).toEqual([]);
    expect(apply([dispensed()], [dispensedAt(9)]).violations.map((v) => v.code)).toEqual([ViolationCode.ALREADY_DISPENSED]);
    expect(apply([dispensed()], [dispensedAt(11, 'cbv:BizStep-dispensing')]).violations.map((v) => v.code)).toEqual([
      ViolationCode.ALREADY_DISPENSED,
    ]);
  });

  it('lets the same location undo a dispensing within 10 days of recording it, and nobody else or later', () => {
    expect(apply([dispensed()], [undo(60)], DAY + 60).states[0]).toMatchObject({ status: PackStatus.ACTIVE });
    expect(apply([dispensed()], [undo(60, 'regulator')], DAY + 60).violations[0].code).toBe(ViolationCode.UNDO_BY_OTHER_LOCATION);
    expect(apply([dispensed()], [undo(60)], 12 * DAY).violations[0].code).toBe(ViolationCode.UNDO_WINDOW_EXCEEDED);
  });

  it('judges the undo window on record time: a back-dated undo does not reopen it', () => {
    // Dispensed at minute 10, recorded on day 1; undone on day 21 with an eventTime claiming day 2.
    expect(apply([dispensed()], [undo(2 * DAY)], 21 * DAY).violations.map((v) => v.code)).toEqual([ViolationCode.UNDO_WINDOW_EXCEEDED]);
  });

  it.each([
    ['destroying', 'destroyed', PackStatus.DESTROYED],
    ['decommissioning', 'stolen', PackStatus.STOLEN],
    ['sampling', null, PackStatus.SAMPLE],
    [EXPORTING_BIZSTEP, null, PackStatus.EXPORTED],
    ['holding', 'non_sellable_other', PackStatus.LOCKED],
    ['decommissioning', 'inactive', PackStatus.DECOMMISSIONED],
  ])('%s / %s sets %s, after which a shipment is refused', (bizStep, disposition, status) => {
    const first = run([], [commission, event({ minute: 5, bizStep, disposition, epcs: [pack(1)], capturedBy: 'maker' })]).byEpc.get(
      pack(1),
    )!;
    expect(first.status).toBe(status);
    const shipAfter = apply([first], [event({ minute: 6, bizStep: 'shipping', epcs: [pack(1)], capturedBy: 'maker' })]);
    expect(shipAfter.violations[0].code).toBe(ViolationCode.PACK_INACTIVE);
  });

  it('lets a refused event change none of its items, so the events after it are judged as a capture storing them without it would be', () => {
    const two: EventFacts = { ...commission, eventId: nextId++, epcs: [pack(1), pack(2)] };
    const before = run(
      [],
      [
        two,
        event({ minute: 5, bizStep: 'destroying', epcs: [pack(1)], capturedBy: 'maker' }),
        event({ minute: 6, bizStep: 'holding', disposition: 'non_sellable_other', epcs: [pack(2)], capturedBy: 'maker' }),
      ],
    ).byEpc;
    // Reactivating both: the destroyed pack refuses it, so the locked one stays locked, and destroying it is refused too.
    const reactivate = event({ minute: 7, bizStep: 'stocking', disposition: 'active', epcs: [pack(1), pack(2)], capturedBy: 'maker' });
    const destroy = event({ minute: 8, bizStep: 'destroying', epcs: [pack(2)], capturedBy: 'maker' });
    const applied = apply([...before.values()], [reactivate, destroy]);
    expect(applied.violations).toEqual([
      expect.objectContaining({ eventId: reactivate.eventId, epc: pack(1), code: ViolationCode.PACK_INACTIVE }),
      expect.objectContaining({ eventId: destroy.eventId, epc: pack(2), code: ViolationCode.PACK_INACTIVE }),
    ]);
    expect(applied.states).toEqual([]);
  });

  it('never undoes a destroyed or stolen pack', () => {
    const destroyed = run([], [commission, event({ minute: 5, bizStep: 'destroying', epcs: [pack(1)], capturedBy: 'maker' })]).byEpc.get(
      pack(1),
    )!;
    const back = apply(
      [destroyed],
      [event({ minute: 6, bizStep: 'stocking', disposition: 'active', epcs: [pack(1)], capturedBy: 'maker' })],
    );
    expect(back.violations[0].code).toBe(ViolationCode.PACK_INACTIVE);
  });
});

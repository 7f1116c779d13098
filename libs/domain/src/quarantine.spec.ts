import fc from 'fast-check';
import { Act, Actor, RecordContext } from './authority';
import { CaseCategory, QUARANTINE_REFUSED_ACTS, quarantineRefusal, receiptCases, reconcileReceipt } from './exception-case';
import { applyEvents, EventFacts, ItemState, PackStatus, ViolationCode } from './pack-state';
import { StatusAction, statusActionRefusal } from './status-action';
import { AlertCode, verdictFor, VerdictStatus } from './verdict';

const pack = (n: number) => `https://id.gs1.org/01/09506000134352/21/S${n}`;
const CASE = 'https://id.gs1.org/00/106141412345678908';
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const holder: Actor = { id: 'wholesaler', role: 'DISTRIBUTOR', gln: 'gln-wholesaler', companyPrefixes: [] };

const state = (epc: string, over: Partial<ItemState> = {}): ItemState => ({
  epc,
  kind: epc.includes('/00/') ? 'sscc' : 'sgtin',
  gtin: epc.includes('/00/') ? null : '09506000134352',
  serial: null,
  lot: 'L1',
  expiry: '2030-01-31',
  status: PackStatus.ACTIVE,
  statusChangedAt: at(0),
  statusChangedBy: 'maker',
  statusRecordedAt: at(0),
  custodianId: 'wholesaler',
  location: null,
  destination: null,
  containerEpc: null,
  commissionedBy: 'maker',
  lastEventId: 1,
  lastEventTime: at(0),
  ...over,
});

let nextId = 100;
const event = (bizStep: string | null, epcs: string[], disposition: string | null = null): EventFacts => ({
  eventId: nextId++,
  eventType: 'ObjectEvent',
  action: 'OBSERVE',
  bizStep,
  disposition,
  eventTime: at(10),
  capturedBy: 'wholesaler',
  bizLocation: null,
  epcs,
  parent: null,
  children: [],
  lot: null,
  expiry: null,
  destination: bizStep === 'shipping' ? 'gln-pharmacy' : null,
});
const context = (holds: Map<string, string>, role: Actor['role'] = holder.role): RecordContext => ({
  actorOf: () => ({ ...holder, role }),
  recordTime: at(20),
  maxFutureSkewMs: 0,
  quarantined: holds,
});

/** Each event a holder may record on a pack it holds, with the act the authority matrix names it. */
const HOLDER_EVENTS: [Act, () => EventFacts][] = [
  [Act.SHIP, () => event('shipping', [pack(1)], 'in_transit')],
  [Act.DISPENSE, () => event('dispensing', [pack(1)], 'dispensed')],
  [Act.DESTROY, () => event('destroying', [pack(1)], 'destroyed')],
  [Act.MARK_STOLEN, () => event(null, [pack(1)], 'stolen')],
  [Act.SAMPLE, () => event('sampling', [pack(1)], 'non_sellable_other')],
  [Act.EXPORT, () => event('https://pharmatrace.org/voc/BizStep-exporting', [pack(1)], 'non_sellable_other')],
  [Act.DECOMMISSION, () => event('decommissioning', [pack(1)], 'inactive')],
  [Act.OBSERVE, () => event('inspecting', [pack(1)])],
];

describe('quarantine on capture (applyEvents with holds)', () => {
  it('refuses exactly the acts QUARANTINE_REFUSED_ACTS names on a held pack, naming the case; none without the hold', () => {
    for (const [act, make] of HOLDER_EVENTS) {
      // Only a dispenser dispenses; a distributor holds the pack for every other act.
      const role = act === Act.DISPENSE ? 'DISPENSER' : holder.role;
      const held = applyEvents(
        [state(pack(1))],
        [make()],
        () => ({ kind: 'sgtin', gtin: null, serial: null }),
        context(new Map([[pack(1), '7']]), role),
      );
      const free = applyEvents([state(pack(1))], [make()], () => ({ kind: 'sgtin', gtin: null, serial: null }), context(new Map(), role));
      expect(free.violations).toEqual([]);
      if (QUARANTINE_REFUSED_ACTS.has(act)) {
        expect(held.violations).toEqual([
          expect.objectContaining({ code: ViolationCode.QUARANTINED, epc: pack(1), quarantine: { epc: pack(1), caseNumber: '7' } }),
        ]);
        expect(held.states).toEqual([]);
      } else {
        expect(held.violations).toEqual([]);
      }
    }
  });

  it('refuses shipping a case holding a held pack, naming the pack inside; the same pack unpacked in the same capture is still held', () => {
    const initial = [state(CASE), state(pack(1), { containerEpc: CASE }), state(pack(2), { containerEpc: CASE })];
    const holds = new Map([[pack(2), '3']]);
    const shipped = applyEvents(
      initial,
      [event('shipping', [CASE], 'in_transit')],
      () => ({ kind: 'sscc', gtin: null, serial: null }),
      context(holds),
    );
    expect(shipped.violations).toEqual([expect.objectContaining({ epc: CASE, quarantine: { epc: pack(2), caseNumber: '3' } })]);
    const neighbour = applyEvents(
      initial,
      [event('shipping', [pack(1)], 'in_transit')],
      () => ({ kind: 'sgtin', gtin: null, serial: null }),
      context(holds),
    );
    expect(neighbour.violations).toEqual([]);
  });

  it('refuses shipping a held pack nobody commissioned here (product received without data)', () => {
    const refused = applyEvents(
      [],
      [event('shipping', [pack(9)], 'in_transit')],
      () => ({ kind: 'sgtin', gtin: null, serial: null }),
      context(new Map([[pack(9), '1']])),
    );
    expect(refused.violations).toEqual([expect.objectContaining({ code: ViolationCode.QUARANTINED, epc: pack(9), status: null })]);
  });

  it('quarantineRefusal: a hold on the item or anything inside it refuses a refused act, and only then (random holds)', () => {
    const epcs = fc.constantFrom(pack(1), pack(2), pack(3), CASE);
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(Act)),
        epcs,
        fc.uniqueArray(epcs, { maxLength: 3 }),
        fc.dictionary(epcs, fc.integer({ min: 1, max: 99 }).map(String)),
        (act, epc, inside, dict) => {
          const holds = new Map(Object.entries(dict));
          const refusal = quarantineRefusal(act, epc, () => inside, holds);
          const heldAny = [epc, ...inside].some((e) => holds.has(e));
          expect(refusal !== null).toBe(QUARANTINE_REFUSED_ACTS.has(act) && heldAny);
          if (refusal) expect(holds.get(refusal.epc)).toBe(refusal.caseNumber);
          if (refusal && holds.has(epc)) expect(refusal.epc).toBe(epc);
        },
      ),
    );
  });
});

describe('quarantine on verify and on the status actions', () => {
  const input = { productKnown: true, productWithdrawn: false, lotRecalled: false, scanned: {}, today: '2026-11-25' };
  const anchoring = { eventCount: 1, anchoredCount: 1, finalCount: 1, failedCount: 0 };
  const packState = (status: PackStatus) => ({ lot: 'L1', expiry: '2030-01-31', status, custodianId: 'p', destination: null });

  it('a held active pack is QUARANTINED and not saleable, over recall and expiry; a pack out of the chain keeps its status', () => {
    expect(verdictFor({ ...input, anchoring, state: packState(PackStatus.ACTIVE), quarantined: true, lotRecalled: true })).toMatchObject({
      status: VerdictStatus.QUARANTINED,
      saleable: false,
      alerts: [AlertCode.RECALLED, AlertCode.QUARANTINED],
    });
    expect(verdictFor({ ...input, anchoring, state: packState(PackStatus.IN_TRANSIT), quarantined: true }).status).toBe(
      VerdictStatus.QUARANTINED,
    );
    expect(verdictFor({ ...input, anchoring, state: packState(PackStatus.DISPENSED), quarantined: true }).status).toBe(
      PackStatus.DISPENSED,
    );
    expect(verdictFor({ ...input, anchoring, state: packState(PackStatus.ACTIVE) })).toMatchObject({ status: 'ACTIVE', saleable: true });
  });

  it('a status action is refused for a quarantined pack exactly when the capture rule would refuse its act', () => {
    const ACT_OF: Record<Exclude<StatusAction, StatusAction.UNDO_DISPENSE>, Act> = {
      [StatusAction.DISPENSE]: Act.DISPENSE,
      [StatusAction.EXPORT]: Act.EXPORT,
      [StatusAction.MARK_SAMPLE]: Act.SAMPLE,
      [StatusAction.DESTROY]: Act.DESTROY,
      [StatusAction.MARK_STOLEN]: Act.MARK_STOLEN,
      [StatusAction.LOCK]: Act.LOCK,
    };
    for (const [action, act] of Object.entries(ACT_OF) as [StatusAction, Act][]) {
      const refusal = statusActionRefusal(action, { status: VerdictStatus.QUARANTINED, alerts: [AlertCode.QUARANTINED] });
      expect([action, refusal !== null]).toEqual([action, QUARANTINE_REFUSED_ACTS.has(act)]);
    }
  });
});

describe('receiptCases', () => {
  type Quantities = { epcClass: string; quantity: number; uom: string | null }[];
  const contents = (epcs: string[], quantities: Quantities = []) => ({ epcs, quantities });
  const serials = fc.uniqueArray(fc.integer({ min: 1, max: 30 }).map(pack), { maxLength: 12 });
  const quantities: fc.Arbitrary<Quantities> = fc.array(
    fc.record({
      epcClass: fc.constantFrom('lot-a', 'lot-b', 'lot-c'),
      quantity: fc.integer({ min: 1, max: 5 }),
      uom: fc.constantFrom(null, 'KGM'),
    }),
    { maxLength: 6 },
  );

  it('lists every difference once, in the case of its category, and opens none for a clean receipt (random receipts)', () => {
    fc.assert(
      fc.property(fc.option(fc.tuple(serials, quantities), { nil: null }), serials, quantities, (shipped, received, receivedQ) => {
        const cases = receiptCases(shipped && contents(...shipped), contents(received, receivedQ));
        const diff = reconcileReceipt(contents(...(shipped ?? [[], []])), contents(received, receivedQ));
        const listed = cases.flatMap((c) => [
          ...c.items.map((i) => `${c.category} ${i.note} ${i.epc}`),
          ...c.quantities.map((q) => `${c.category} ${q.epcClass} ${q.uom} ${q.shipped} ${q.received}`),
        ]);
        expect(listed.sort()).toEqual(
          [
            ...diff.missing.map((e) => `${CaseCategory.DATA_WITHOUT_PRODUCT} missing ${e}`),
            ...diff.unexpected.map((e) => `${CaseCategory.PRODUCT_WITHOUT_DATA} unexpected ${e}`),
            ...diff.quantities.map(
              (q) =>
                `${q.received < q.shipped ? CaseCategory.DATA_WITHOUT_PRODUCT : CaseCategory.PRODUCT_WITHOUT_DATA} ${q.epcClass} ${q.uom} ${q.shipped} ${q.received}`,
            ),
          ].sort(),
        );
        expect(cases.every((c) => c.items.length + c.quantities.length > 0)).toBe(true);
        if (shipped === null) expect(cases.flatMap((c) => c.items.map((i) => i.epc)).sort()).toEqual([...received].sort());
      }),
    );
  });
});

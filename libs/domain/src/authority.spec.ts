import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Act, Actor, AUTHORITY, authorize, AuthorityCode, relationsOf, Relation } from './authority';
import { applyEvents, EventFacts, HistoryFlagCode, ItemIdentity, ItemState, PackStatus, ViolationCode } from './pack-state';

const GTIN = '09506000134352';
const PACKS = [`https://id.gs1.org/01/${GTIN}/21/A`, `https://id.gs1.org/01/${GTIN}/21/B`];
const CASE = 'https://id.gs1.org/00/195060001000000017';
const identify = (epc: string): ItemIdentity =>
  epc === CASE ? { kind: 'sscc', gtin: null, serial: null } : { kind: 'sgtin', gtin: GTIN, serial: epc.slice(-1) };

const org = (id: string, role: Actor['role'], companyPrefixes: string[] = []): Actor => ({ id, role, gln: `gln-${id}`, companyPrefixes });
const ORGS = [
  org('maker', 'MANUFACTURER', ['9506000']),
  org('rival', 'MANUFACTURER', ['0614141']),
  org('wholesaler', 'DISTRIBUTOR'),
  org('other-wholesaler', 'DISTRIBUTOR'),
  org('pharmacy', 'DISPENSER'),
  org('other-pharmacy', 'DISPENSER'),
  org('regulator', 'REGULATOR'),
];
const ACTORS = new Map(ORGS.map((o) => [o.id, o]));
const SKEW = 5 * 60_000;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('authorize', () => {
  const maker = ACTORS.get('maker')!;
  const pharmacy = ACTORS.get('pharmacy')!;
  const held = (custodianId: string | null, inTransit = false, destination: string | null = null) => ({
    gtin: GTIN,
    custodianId,
    inTransit,
    destination,
  });

  it('reads relations from the item: manufacturer by company prefix, custodian, shipper, addressee, regulator', () => {
    expect(relationsOf(maker, held('maker'))).toEqual(new Set([Relation.MANUFACTURER, Relation.CUSTODIAN]));
    expect(relationsOf(maker, held('maker', true, 'gln-pharmacy'))).toEqual(new Set([Relation.MANUFACTURER, Relation.SHIPPER]));
    expect(relationsOf(pharmacy, held('maker', true, 'gln-pharmacy'))).toEqual(new Set([Relation.DESTINATION]));
    expect(relationsOf(pharmacy, held('maker', false, 'gln-pharmacy'))).toEqual(new Set());
    expect(relationsOf(ACTORS.get('rival')!, held('rival'))).toEqual(new Set([Relation.CUSTODIAN]));
    expect(relationsOf(ACTORS.get('regulator')!, { ...held(null), gtin: null })).toEqual(new Set([Relation.REGULATOR]));
  });

  it('answers the refusal of the act, or NOT_AUTHORIZED_ROLE for the right relation in the wrong trade', () => {
    expect(authorize(pharmacy, Act.DISPENSE, held('maker'))).toBe(AuthorityCode.NOT_CUSTODIAN);
    expect(authorize(maker, Act.DISPENSE, held('maker'))).toBe(AuthorityCode.NOT_AUTHORIZED_ROLE);
    expect(authorize(pharmacy, Act.DISPENSE, held('pharmacy'))).toBeNull();
    expect(authorize(pharmacy, Act.RECEIVE, held('maker'))).toBe(AuthorityCode.NOT_DESTINATION);
    expect(authorize(ACTORS.get('regulator')!, Act.LOCK, held('pharmacy'))).toBeNull();
    expect(authorize(pharmacy, Act.LOCK, held('pharmacy'))).toBe(AuthorityCode.NOT_MANUFACTURER);
  });

  it('is the table docs/authority.md prints', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/authority.md'), 'utf8');
    for (const [act, rule] of Object.entries(AUTHORITY)) {
      const row = `| \`${act}\` | ${rule.relations.map((r) => `\`${r}\``).join(', ')} | ${rule.roles ? rule.roles.map((r) => `\`${r}\``).join(', ') : 'any'} | \`${rule.refusal}\` |`;
      expect(doc).toContain(row);
    }
  });
});

/**
 * The reference model: the authority matrix, the clock rules and the status rules as docs/authority.md states them,
 * written out plainly per command, against which random command sequences from random organizations are checked.
 */
type Kind = 'commission' | 'pack' | 'unpack' | 'ship' | 'receive' | 'dispense' | 'destroy' | 'stolen' | 'lock' | 'undo' | 'observe';
interface Command {
  kind: Kind;
  /** An organization id, or whoever holds the item / is its addressee at that moment. */
  by: string;
  item: number;
  to: string;
  /** Server clock advance before the command, and where its eventTime lies from that clock. */
  advance: number;
  offset: number;
}

interface ModelItem {
  status: PackStatus;
  custodian: string;
  destination: string | null;
  container: string | null;
  changedAt: number;
  changedBy: string;
  recordedAt: number;
}

const INACTIVE = new Set([
  PackStatus.DISPENSED,
  PackStatus.DECOMMISSIONED,
  PackStatus.DESTROYED,
  PackStatus.STOLEN,
  PackStatus.SAMPLE,
  PackStatus.EXPORTED,
  PackStatus.LOCKED,
]);
const NEXT: Partial<Record<Kind, PackStatus>> = {
  ship: PackStatus.IN_TRANSIT,
  receive: PackStatus.ACTIVE,
  dispense: PackStatus.DISPENSED,
  destroy: PackStatus.DESTROYED,
  stolen: PackStatus.STOLEN,
  lock: PackStatus.LOCKED,
  undo: PackStatus.ACTIVE,
};

type Refusal = { epc: string | null; code: string };

class Model {
  items = new Map<string, ModelItem>();

  /** The refusals of a command, or none and the model moves on. */
  step(c: Command, by: Actor, epcs: string[], now: number, eventTime: number): Refusal[] {
    if (eventTime > now + SKEW) return (epcs.length ? epcs : [null]).map((epc) => ({ epc, code: AuthorityCode.FUTURE_EVENT }));
    const refused: Refusal[] = [];
    for (const epc of epcs) {
      const code = this.authority(c.kind, by, epc);
      if (code) refused.push({ epc, code });
    }
    if (refused.length) return refused;

    const late = (epc: string) => eventTime < this.items.get(epc)!.changedAt;
    if (c.kind === 'commission') {
      this.items.set(epcs[0], {
        status: PackStatus.ACTIVE,
        custodian: by.id,
        destination: null,
        container: null,
        changedAt: eventTime,
        changedBy: by.id,
        recordedAt: now,
      });
      return [];
    }
    if (c.kind === 'pack') {
      const [box, ...children] = epcs;
      if (!this.items.has(box)) {
        this.items.set(box, {
          status: PackStatus.ACTIVE,
          custodian: by.id,
          destination: null,
          container: null,
          changedAt: eventTime,
          changedBy: by.id,
          recordedAt: now,
        });
      }
      for (const child of children) if (this.items.has(child) && !late(child)) this.items.get(child)!.container = box;
      return [];
    }
    if (c.kind === 'unpack') {
      for (const [epc, item] of this.items) if (item.container === epcs[0] && !late(epc)) item.container = null;
      return [];
    }
    const next = NEXT[c.kind];
    if (!next || !this.items.has(epcs[0])) return [];
    const affected = [epcs[0], ...this.inside(epcs[0])];
    for (const epc of affected) {
      const code = this.statusRule(this.items.get(epc)!, c.kind, next, by, now, late(epc));
      if (code) refused.push({ epc, code });
    }
    if (refused.length) return refused;
    for (const epc of affected) {
      if (late(epc)) continue;
      const item = this.items.get(epc)!;
      if (item.status !== next) Object.assign(item, { status: next, changedAt: eventTime, changedBy: by.id, recordedAt: now });
      if (c.kind === 'ship') item.destination = `gln-${c.to}`;
      if (c.kind === 'receive') Object.assign(item, { custodian: by.id, destination: null });
    }
    return [];
  }

  private inside(epc: string): string[] {
    const direct = [...this.items].filter(([, item]) => item.container === epc).map(([child]) => child);
    return direct.flatMap((child) => [child, ...this.inside(child)]);
  }

  private authority(kind: Kind, by: Actor, epc: string): string | null {
    const item = this.items.get(epc);
    const maker = by.role === 'MANUFACTURER' && epc !== CASE && by.companyPrefixes.includes('9506000');
    if (kind === 'commission') return !maker ? AuthorityCode.NOT_MANUFACTURER : item ? ViolationCode.SERIAL_EXISTS : null;
    if (!item) return null;
    const holds = item.custodian === by.id && item.status !== PackStatus.IN_TRANSIT;
    const shipper = item.custodian === by.id && item.status === PackStatus.IN_TRANSIT;
    const addressee = item.status === PackStatus.IN_TRANSIT && item.destination === by.gln;
    const regulator = by.role === 'REGULATOR';
    switch (kind) {
      case 'pack':
      case 'unpack':
      case 'ship':
      case 'destroy':
        return holds ? null : AuthorityCode.NOT_CUSTODIAN;
      case 'receive':
        return addressee ? null : AuthorityCode.NOT_DESTINATION;
      case 'dispense':
        return !holds ? AuthorityCode.NOT_CUSTODIAN : by.role !== 'DISPENSER' ? AuthorityCode.NOT_AUTHORIZED_ROLE : null;
      case 'stolen':
        return holds || shipper ? null : AuthorityCode.NOT_CUSTODIAN;
      case 'lock':
        return maker || regulator ? null : AuthorityCode.NOT_MANUFACTURER;
      case 'undo':
        if (INACTIVE.has(item.status)) return holds || maker || regulator ? null : AuthorityCode.NOT_CUSTODIAN;
        return holds || shipper || regulator ? null : AuthorityCode.NOT_CUSTODIAN;
      case 'observe':
        return holds || shipper || regulator ? null : AuthorityCode.NOT_CUSTODIAN;
    }
  }

  private statusRule(item: ModelItem, kind: Kind, next: PackStatus, by: Actor, now: number, late: boolean): string | null {
    if (!INACTIVE.has(item.status)) return null;
    if (INACTIVE.has(next)) {
      if (item.status === PackStatus.DISPENSED) return ViolationCode.ALREADY_DISPENSED;
      return next === item.status ? null : ViolationCode.PACK_INACTIVE;
    }
    if (late) return null;
    if (kind !== 'undo' || item.status === PackStatus.DESTROYED || item.status === PackStatus.STOLEN) return ViolationCode.PACK_INACTIVE;
    if (item.changedBy !== by.id) return ViolationCode.UNDO_BY_OTHER_LOCATION;
    if (item.status !== PackStatus.LOCKED && now - item.recordedAt > 10 * DAY) return ViolationCode.UNDO_WINDOW_EXCEEDED;
    return null;
  }
}

const EVENT: Record<Kind, Partial<EventFacts>> = {
  commission: { action: 'ADD', bizStep: 'commissioning', lot: 'L1', expiry: '2030-01-31' },
  pack: { eventType: 'AggregationEvent', action: 'ADD', bizStep: 'packing' },
  unpack: { eventType: 'AggregationEvent', action: 'DELETE', bizStep: 'unpacking' },
  ship: { bizStep: 'shipping', disposition: 'in_transit' },
  receive: { bizStep: 'receiving', disposition: 'in_progress' },
  dispense: { bizStep: 'dispensing', disposition: 'dispensed' },
  destroy: { bizStep: 'destroying', disposition: 'destroyed' },
  stolen: { bizStep: 'decommissioning', disposition: 'stolen' },
  lock: { bizStep: 'holding', disposition: 'non_sellable_other' },
  undo: { bizStep: 'stocking', disposition: 'active' },
  observe: { bizStep: 'inspecting' },
};

const command: fc.Arbitrary<Command> = fc.record({
  kind: fc.constantFrom<Kind>(
    'commission',
    'pack',
    'unpack',
    'ship',
    'receive',
    'dispense',
    'destroy',
    'stolen',
    'lock',
    'undo',
    'observe',
  ),
  by: fc.constantFrom('holder', 'holder', 'addressee', ...ORGS.map((o) => o.id)),
  item: fc.nat(2),
  to: fc.constantFrom(...ORGS.map((o) => o.id)),
  advance: fc.constantFrom(0, MINUTE, 3 * 60 * MINUTE, 3 * DAY, 6 * DAY),
  offset: fc.constantFrom(0, 0, -MINUTE, -2 * 60 * MINUTE, -20 * DAY, 4 * MINUTE, 6 * MINUTE, 365 * DAY),
});

/** The organization a command comes from: a named one, or whoever holds the item or is its addressee now. */
const actorOf = (c: Command, held: ItemState | undefined): string =>
  c.by === 'holder'
    ? (held?.custodianId ?? 'maker')
    : c.by === 'addressee'
      ? (ORGS.find((o) => o.gln === held?.destination)?.id ?? 'pharmacy')
      : c.by;

describe('applyEvents against the reference model (property)', () => {
  it('never reaches a state the model forbids, and refuses exactly when and why the model does', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 30 }), (commands) => {
        const model = new Model();
        const states = new Map<string, ItemState>();
        let now = Date.UTC(2026, 5, 1);
        let eventId = 0;
        const run = (c: Command) => {
          now += c.advance;
          const eventTime = now + c.offset;
          const items = [...PACKS, CASE];
          const epc =
            c.kind === 'pack' || c.kind === 'unpack'
              ? CASE
              : ['commission', 'ship', 'receive', 'observe'].includes(c.kind)
                ? items[c.item]
                : PACKS[c.item % 2];
          const by = ACTORS.get(actorOf(c, states.get(epc)))!;
          const facts: EventFacts = {
            eventId: ++eventId,
            eventType: 'ObjectEvent',
            action: 'OBSERVE',
            bizStep: null,
            disposition: null,
            eventTime: new Date(eventTime),
            capturedBy: by.id,
            bizLocation: null,
            epcs: c.kind === 'pack' || c.kind === 'unpack' ? [] : [epc],
            parent: c.kind === 'pack' || c.kind === 'unpack' ? CASE : null,
            children: c.kind === 'pack' ? PACKS : [],
            lot: null,
            expiry: null,
            destination: c.kind === 'ship' ? `gln-${c.to}` : null,
            ...EVENT[c.kind],
          };
          const named = c.kind === 'pack' ? [CASE, ...PACKS] : [epc];
          const lateBefore = named.filter((e) => states.has(e) && eventTime < states.get(e)!.statusChangedAt.getTime());
          const applied = applyEvents([...states.values()], [facts], identify, {
            actorOf: (id) => ACTORS.get(id)!,
            recordTime: new Date(now),
            maxFutureSkewMs: SKEW,
          });
          const expected = model.step(c, by, named, now, eventTime);
          const sort = (rs: Refusal[]) => rs.map((r) => `${r.epc} ${r.code}`).sort();
          expect(sort(applied.violations)).toEqual(sort(expected));
          if (applied.violations.length) return;
          for (const s of applied.states) states.set(s.epc, s);
          expect(applied.flags.map((f) => f.epc).sort()).toEqual(lateBefore.sort());
          expect(applied.flags.every((f) => f.code === HistoryFlagCode.LATE_EVENT)).toBe(true);
          expect(new Set(states.keys())).toEqual(new Set(model.items.keys()));
          for (const [key, item] of model.items) {
            const s = states.get(key)!;
            expect({ epc: key, status: s.status, custodian: s.custodianId, destination: s.destination, container: s.containerEpc }).toEqual(
              {
                epc: key,
                status: item.status,
                custodian: item.custodian,
                destination: item.destination,
                container: item.container,
              },
            );
          }
        };
        // Most sequences start from packs their maker commissioned, so the later commands have something to act on.
        for (const item of [0, 1]) run({ kind: 'commission', by: 'maker', item, to: 'maker', advance: MINUTE, offset: 0 });
        commands.forEach(run);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('applyEvents on several events at once (property)', () => {
  it('lets a refused event change nothing: the events kept, applied again without the refused ones, refuse nothing and reach the same states', () => {
    const BOTH_PACKS: Kind[] = ['dispense', 'destroy', 'stolen', 'lock', 'undo', 'ship', 'receive'];
    fc.assert(
      fc.property(fc.array(command, { maxLength: 12 }), fc.array(command, { minLength: 1, maxLength: 12 }), (history, batch) => {
        const states = new Map<string, ItemState>();
        let now = Date.UTC(2026, 5, 1);
        let eventId = 0;
        const factsOf = (c: Command): EventFacts => {
          now += c.advance;
          const aggregation = c.kind === 'pack' || c.kind === 'unpack';
          // Item 2 of a status change names both packs: one of them may refuse the event while the other would not.
          const epcs = aggregation
            ? []
            : c.item === 2 && BOTH_PACKS.includes(c.kind)
              ? PACKS
              : [[...PACKS, CASE][c.kind === 'commission' || c.kind === 'observe' ? c.item : c.item % 2]];
          return {
            eventId: ++eventId,
            eventType: 'ObjectEvent',
            action: 'OBSERVE',
            bizStep: null,
            disposition: null,
            eventTime: new Date(now + c.offset),
            capturedBy: actorOf(c, states.get(epcs[0] ?? CASE)),
            bizLocation: null,
            epcs,
            parent: aggregation ? CASE : null,
            children: c.kind === 'pack' ? PACKS : [],
            lot: null,
            expiry: null,
            destination: c.kind === 'ship' ? `gln-${c.to}` : null,
            ...EVENT[c.kind],
          };
        };
        const apply = (events: EventFacts[]) =>
          applyEvents([...states.values()], events, identify, {
            actorOf: (id) => ACTORS.get(id)!,
            recordTime: new Date(now),
            maxFutureSkewMs: SKEW,
          });
        const commissioned = [0, 1].map((item): Command => ({
          kind: 'commission',
          by: 'maker',
          item,
          to: 'maker',
          advance: MINUTE,
          offset: 0,
        }));
        // States to start from, reached one event at a time.
        for (const c of [...commissioned, ...history]) {
          const applied = apply([factsOf(c)]);
          if (!applied.violations.length) for (const s of applied.states) states.set(s.epc, s);
        }
        const events = batch.map(factsOf);
        const first = apply(events);
        const refused = new Set(first.violations.map((v) => v.eventId));
        const again = apply(events.filter((e) => !refused.has(e.eventId)));
        expect(again.violations).toEqual([]);
        const byEpc = (states: ItemState[]) => new Map(states.map((s) => [s.epc, s]));
        expect(byEpc(again.states)).toEqual(byEpc(first.states));
        expect(again.flags).toEqual(first.flags);
        expect(again.impliedChildren).toEqual(first.impliedChildren);
      }),
      { numRuns: 1500 },
    );
  });
});

import { copyLine, PACK_STATE_COPY, packStateCopyLine } from '@pharmatrace/persistence';
import { createHash, randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { applyEvents, EventFacts, ItemIdentity, ItemState } from '@pharmatrace/domain';
import {
  commissioningEvent,
  dispensingEvent,
  extractEpcs,
  Json,
  packingEvent,
  receivingEvent,
  shippingEvent,
  unpackingEvent,
} from '@pharmatrace/epcis';
import { gs1CheckDigit } from '@pharmatrace/gs1';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { eventFacts, type ValidatedEvent } from '../apps/api/src/capture/event-facts';
import { hashApiKey } from '../apps/api/src/common/api-key';

/**
 * A supply chain of `BENCH_EVENTS` events, one container shipment at a time. Each shipment ("unit") is 4 pallets of
 * 40 cases of 20 packs: every pack commissioned by its own event, packed pack → case → pallet → container at the
 * factory, the container shipped to a distributor and received, unpacked down to cases, each case shipped to a
 * pharmacy, received and unpacked there, and most packs dispensed within two months. A pack's provenance thus walks
 * three aggregation levels. About 6,250 events and 3,200 packs per unit.
 */
const PALLETS_PER_UNIT = 4;
const CASES_PER_PALLET = 40;
const PACKS_PER_CASE = 20;
const CASES_PER_UNIT = PALLETS_PER_UNIT * CASES_PER_PALLET;
const PACKS_PER_PALLET = CASES_PER_PALLET * PACKS_PER_CASE;
export const PACKS_PER_UNIT = CASES_PER_UNIT * PACKS_PER_CASE;
const MANUFACTURERS = 4;
const PRODUCTS_PER_MANUFACTURER = 5;
const DISTRIBUTORS = 8;
const PHARMACIES = 400;
/** Manufacturer 0's first lot: the lot the `lot` query is measured on. */
export const BIG_LOT_PACKS = 100_000;
const LOT_PALLETS = 25;
const DISPENSED_PER_MILLE = 750;
const BATCH_LEAVES = 10_000;
const START = Date.UTC(2025, 0, 1);
const SPAN_MS = 300 * 86_400_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const withCheckDigit = (body: string) => body + gs1CheckDigit(body);

export interface HistoryOrganization {
  id: string;
  role: 'MANUFACTURER' | 'DISTRIBUTOR' | 'DISPENSER' | 'REGULATOR';
  name: string;
  gln: string;
  prefix: string;
  apiKey: string;
}

const organization = (n: number, role: HistoryOrganization['role'], prefix: string): HistoryOrganization => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  role,
  name: `Bench ${role.toLowerCase()} ${n}`,
  gln: withCheckDigit(`${prefix}00000`),
  prefix,
  apiKey: `pt_bench_history_${role.toLowerCase()}_${n}_0123456789abcdef`,
});

const manufacturers = Array.from({ length: MANUFACTURERS }, (_, m) =>
  organization(1 + m, 'MANUFACTURER', `07${String(m).padStart(5, '0')}`),
);
const distributors = Array.from({ length: DISTRIBUTORS }, (_, d) =>
  organization(100 + d, 'DISTRIBUTOR', `08${String(d).padStart(5, '0')}`),
);
const pharmacies = Array.from({ length: PHARMACIES }, (_, p) => organization(1000 + p, 'DISPENSER', `09${String(p).padStart(5, '0')}`));
export const HISTORY_REGULATOR = organization(9999, 'REGULATOR', '0600000');
/** A pharmacy of the history: party to a few hundred of its events, whatever the history's size. */
export const HISTORY_PHARMACY = pharmacies[0];
/** A manufacturer of the history: its products are a quarter of the events. */
export const HISTORY_MANUFACTURER = manufacturers[0];
const ORGANIZATIONS = [...manufacturers, ...distributors, ...pharmacies, HISTORY_REGULATOR];
/** The organizations as the authority matrix sees them, for the reducer. */
const ACTORS = new Map(ORGANIZATIONS.map((o) => [o.id, { id: o.id, role: o.role, gln: o.gln, companyPrefixes: [o.prefix] }]));

const gtinOf = (m: number, product: number) => withCheckDigit(`0${manufacturers[m].prefix}${String(10_000 + product)}`);
const ssccEpc = (m: number, extension: number, ref: number) =>
  `https://id.gs1.org/00/${withCheckDigit(`${extension}${manufacturers[m].prefix}${String(ref).padStart(9, '0')}`)}`;
const sgln = (o: HistoryOrganization) => `https://id.gs1.org/414/${o.gln}`;
const pgln = (o: HistoryOrganization) => `https://id.gs1.org/417/${o.gln}`;

/** A deterministic 32-bit mix, so every pass over a unit makes the same choices without storing them. */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

export interface HistoryPack {
  epc: string;
  gtin: string;
  lot: string;
}

/** Unit u belongs to manufacturer u mod 4; pallets are numbered per manufacturer, and lots cut that numbering. */
function palletLot(u: number, p: number): { m: number; gtin: string; lot: string; expiry: string } {
  const m = u % MANUFACTURERS;
  const q = Math.floor(u / MANUFACTURERS) * PALLETS_PER_UNIT + p;
  const bigLotPallets = BIG_LOT_PACKS / PACKS_PER_PALLET;
  const lotIndex = q < bigLotPallets ? 0 : 1 + Math.floor((q - bigLotPallets) / LOT_PALLETS);
  const expiry = `${2027 + (lotIndex % 3)}-${String(1 + (lotIndex % 12)).padStart(2, '0')}-28`;
  return { m, gtin: gtinOf(m, lotIndex % PRODUCTS_PER_MANUFACTURER), lot: `L${m}${String(lotIndex).padStart(5, '0')}`, expiry };
}

/** Manufacturer 0's first lot, the one `lot` is measured on: 100,000 packs from 4 × 32 units (about 800k events) up. */
export const BIG_LOT = { gtin: gtinOf(0, 0), lot: 'L000000' };

/** Packs in BIG_LOT for a history of `units` units: smaller histories hold only its first pallets. */
export function bigLotPacks(units: number): number {
  const pallets = Math.ceil(units / MANUFACTURERS) * PALLETS_PER_UNIT;
  return Math.min(BIG_LOT_PACKS / PACKS_PER_PALLET, pallets) * PACKS_PER_PALLET;
}

export function historyPack(u: number, k: number): HistoryPack {
  const p = Math.floor(k / PACKS_PER_PALLET);
  const { gtin, lot } = palletLot(u, p);
  return { epc: packEpc(gtin, u * PACKS_PER_UNIT + k), gtin, lot };
}

/** Serials are a bijective scramble of the pack's global number, so neighbouring packs are far apart in the index. */
const packEpc = (gtin: string, i: number) =>
  `https://id.gs1.org/01/${gtin}/21/S${(Math.imul(i, 0x9e3779b1) >>> 0).toString(36).toUpperCase().padStart(7, '0')}`;

const dispensedAt = (u: number, k: number): number | null => {
  const h = mix(u, k);
  return h % 1000 < DISPENSED_PER_MILLE ? 5 * DAY + (h % (55 * DAY)) : null;
};

/** Events of unit u: exact count without building them, to plan ids and batches before streaming. */
function unitEventCount(u: number): number {
  let dispensed = 0;
  for (let k = 0; k < PACKS_PER_UNIT; k++) if (dispensedAt(u, k) !== null) dispensed++;
  return PACKS_PER_UNIT + 4 * CASES_PER_UNIT + 2 * PALLETS_PER_UNIT + 4 + dispensed;
}

export interface GeneratedEvent {
  id: number;
  body: Json;
  eventTime: Date;
  capturedBy: string;
  epcs: { epc: string; role: 'epc' | 'parent' | 'child' | 'input' | 'output' }[];
}

/** Every event of unit u, in capture order, ids from `firstId`. */
export function unitEvents(u: number, firstId: number, units: number): GeneratedEvent[] {
  const t0 = START + Math.floor((u * SPAN_MS) / units);
  const out: GeneratedEvent[] = [];
  const add = (offset: number, by: HistoryOrganization, build: (eventTime: Date) => Json) => {
    const eventTime = new Date(t0 + offset);
    const body = build(eventTime);
    out.push({ id: firstId + out.length, body, eventTime, capturedBy: by.id, epcs: extractEpcs(body as never) as GeneratedEvent['epcs'] });
  };
  const lots = Array.from({ length: PALLETS_PER_UNIT }, (_, p) => palletLot(u, p));
  const maker = manufacturers[lots[0].m];
  const distributor = distributors[mix(u, -1) % DISTRIBUTORS];
  const packs = Array.from({ length: PACKS_PER_UNIT }, (_, k) =>
    packEpc(lots[Math.floor(k / PACKS_PER_PALLET)].gtin, u * PACKS_PER_UNIT + k),
  );
  const cases = Array.from({ length: CASES_PER_UNIT }, (_, c) => ssccEpc(lots[0].m, 1, u * CASES_PER_UNIT + c));
  const pallets = Array.from({ length: PALLETS_PER_UNIT }, (_, p) => ssccEpc(lots[0].m, 2, u * PALLETS_PER_UNIT + p));
  const container = ssccEpc(lots[0].m, 3, u);
  const factory = sgln(maker);

  packs.forEach((epc, k) => {
    const { lot, expiry } = lots[Math.floor(k / PACKS_PER_PALLET)];
    add(k * 100, maker, (eventTime) =>
      commissioningEvent({ eventTime, epcs: [epc], lot, expiry, bizLocation: factory, readPoint: factory }),
    );
  });
  const children = (c: number) => packs.slice(c * PACKS_PER_CASE, (c + 1) * PACKS_PER_CASE);
  const casesOf = (p: number) => cases.slice(p * CASES_PER_PALLET, (p + 1) * CASES_PER_PALLET);
  cases.forEach((sscc, c) =>
    add(HOUR + c * 1000, maker, (eventTime) => packingEvent({ eventTime, parent: sscc, children: children(c), bizLocation: factory })),
  );
  pallets.forEach((sscc, p) =>
    add(2 * HOUR + p * 1000, maker, (eventTime) => packingEvent({ eventTime, parent: sscc, children: casesOf(p), bizLocation: factory })),
  );
  add(3 * HOUR, maker, (eventTime) => packingEvent({ eventTime, parent: container, children: pallets, bizLocation: factory }));
  add(4 * HOUR, maker, (eventTime) =>
    shippingEvent({ eventTime, epcs: [container], from: pgln(maker), to: pgln(distributor), bizLocation: factory }),
  );
  const warehouse = sgln(distributor);
  add(2 * DAY, distributor, (eventTime) =>
    receivingEvent({ eventTime, epcs: [container], from: pgln(maker), to: pgln(distributor), bizLocation: warehouse }),
  );
  add(2 * DAY + HOUR, distributor, (eventTime) =>
    unpackingEvent({ eventTime, parent: container, children: pallets, bizLocation: warehouse }),
  );
  pallets.forEach((sscc, p) =>
    add(2 * DAY + 2 * HOUR + p * 1000, distributor, (eventTime) =>
      unpackingEvent({ eventTime, parent: sscc, children: casesOf(p), bizLocation: warehouse }),
    ),
  );
  const pharmacyOf = (c: number) => pharmacies[mix(u, c) % PHARMACIES];
  cases.forEach((sscc, c) =>
    add(3 * DAY + c * 1000, distributor, (eventTime) =>
      shippingEvent({ eventTime, epcs: [sscc], from: pgln(distributor), to: pgln(pharmacyOf(c)), bizLocation: warehouse }),
    ),
  );
  cases.forEach((sscc, c) =>
    add(4 * DAY + c * 1000, pharmacyOf(c), (eventTime) =>
      receivingEvent({ eventTime, epcs: [sscc], from: pgln(distributor), to: pgln(pharmacyOf(c)), bizLocation: sgln(pharmacyOf(c)) }),
    ),
  );
  cases.forEach((sscc, c) =>
    add(4 * DAY + HOUR + c * 1000, pharmacyOf(c), (eventTime) =>
      unpackingEvent({ eventTime, parent: sscc, children: children(c), bizLocation: sgln(pharmacyOf(c)) }),
    ),
  );
  packs.forEach((epc, k) => {
    const at = dispensedAt(u, k);
    const pharmacy = pharmacyOf(Math.floor(k / PACKS_PER_CASE));
    if (at !== null) add(at + k, pharmacy, (eventTime) => dispensingEvent({ eventTime, epcs: [epc], bizLocation: sgln(pharmacy) }));
  });
  return out;
}

function identify(epc: string): ItemIdentity {
  const sgtin = /^https:\/\/id\.gs1\.org\/01\/(\d{14})\/21\/(.+)$/.exec(epc);
  if (sgtin) return { kind: 'sgtin', gtin: sgtin[1], serial: sgtin[2] };
  return { kind: epc.startsWith('https://id.gs1.org/00/') ? 'sscc' : 'other', gtin: null, serial: null };
}

/** The read model after the unit's events, computed by the capture path's own reducer. */
export function unitStates(events: GeneratedEvent[]): ItemState[] {
  const facts: EventFacts[] = [...events]
    .sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime() || a.id - b.id)
    .map((e) => ({ ...eventFacts(e.body as ValidatedEvent, e.eventTime, e.capturedBy, e.epcs, undefined), eventId: e.id }));
  // Recorded as the last event happens: nothing is in the future, every status as fresh as its event.
  const recordTime = facts.reduce((last, f) => (f.eventTime > last ? f.eventTime : last), new Date(0));
  const applied = applyEvents([], facts, identify, { actorOf: (id) => ACTORS.get(id)!, recordTime, maxFutureSkewMs: 0 });
  if (applied.violations.length) throw new Error(`generated history breaks a status rule: ${JSON.stringify(applied.violations[0])}`);
  if (applied.impliedChildren.size) throw new Error('generated unpacking events must list their children');
  return applied.states;
}

/** Each EPC's first and last record time among a unit's events (its state's span; every EPC lives in one unit). */
function recordSpans(events: GeneratedEvent[]): Map<string, [Date, Date]> {
  const spans = new Map<string, [Date, Date]>();
  for (const e of events) {
    for (const { epc } of e.epcs) {
      const span = spans.get(epc);
      if (!span) spans.set(epc, [e.eventTime, e.eventTime]);
      else if (e.eventTime < span[0]) span[0] = e.eventTime;
      else if (e.eventTime > span[1]) span[1] = e.eventTime;
    }
  }
  return spans;
}

const textOf = (v: unknown) => (typeof v === 'string' ? v : null);
const idOf = (v: unknown) => (v && typeof v === 'object' && typeof (v as Json).id === 'string' ? ((v as Json).id as string) : null);

/** One COPY fed unit by unit, waiting for the socket to drain so memory stays flat. */
async function copyUnits(
  client: Client,
  sql: string,
  plan: Plan,
  emit: (u: number, firstId: number, out: string[]) => void,
): Promise<number> {
  const started = performance.now();
  const stream: Writable = client.query(copyFrom(sql));
  for (let u = 0; u < plan.units; u++) {
    const out: string[] = [];
    emit(u, plan.firstIds[u], out);
    if (!stream.write(out.join(''))) await new Promise((r) => stream.once('drain', r));
    if (u % 100 === 99) process.stdout.write(`\r  ${sql.slice(5, 25).trim()} … unit ${u + 1}/${plan.units}   `);
  }
  stream.end();
  await finished(stream);
  process.stdout.write('\n');
  return (performance.now() - started) / 1000;
}

export interface Plan {
  units: number;
  events: number;
  packs: number;
  firstIds: number[];
}

export function planHistory(targetEvents: number): Plan {
  const perUnit = PACKS_PER_UNIT + 4 * CASES_PER_UNIT + 2 * PALLETS_PER_UNIT + 4 + (PACKS_PER_UNIT * DISPENSED_PER_MILLE) / 1000;
  const units = Math.max(1, Math.round(targetEvents / perUnit));
  const firstIds: number[] = [];
  let next = 1;
  for (let u = 0; u < units; u++) {
    firstIds.push(next);
    next += unitEventCount(u);
  }
  return { units, events: next - 1, packs: units * PACKS_PER_UNIT, firstIds };
}

export interface HistoryLoad {
  loaded: boolean;
  events: number;
  packs: number;
  units: number;
  eventEpcRows: number;
  /** Seconds per table, in load order. */
  tables: Record<string, number>;
  seconds: number;
  databaseBytes: number;
}

/**
 * Loads the history with COPY into the migrated schema with every index, constraint and foreign key in place, in
 * batches of one unit (~6,250 events): the figures are those of a live database growing, not of a bulk restore.
 * Events land in FINAL anchor batches of 10,000 leaves whose node arrays are random bytes (incompressible like real
 * hashes, so proofs read slices of them as they would in production).
 */
export async function loadHistory(url: string, targetEvents: number): Promise<HistoryLoad> {
  const plan = planHistory(targetEvents);
  const client = new Client({ connectionString: url });
  await client.connect();
  const tables: Record<string, number> = {};
  const started = performance.now();
  try {
    const [{ n }] = (await client.query(`SELECT count(*)::int AS n FROM event`)).rows;
    if (n > 0) {
      if (n !== plan.events)
        throw new Error(`the kept bench database holds ${n} events, not the ${plan.events} planned for BENCH_EVENTS=${targetEvents}`);
      const [{ rows, bytes }] = (
        await client.query(`SELECT (SELECT count(*)::int FROM event_epc) AS rows, pg_database_size(current_database())::float8 AS bytes`)
      ).rows;
      return { loaded: false, ...plan, eventEpcRows: rows, tables, seconds: 0, databaseBytes: bytes };
    }
    await client.query(`SET synchronous_commit = off`);
    const timed = async (table: string, work: () => Promise<unknown>) => {
      const t = performance.now();
      await work();
      tables[table] = (performance.now() - t) / 1000;
      console.log(`  ${table}: ${tables[table].toFixed(1)} s`);
    };

    await timed('organization', async () => {
      for (const o of ORGANIZATIONS) {
        const organizationWithKey = `WITH o AS (INSERT INTO organization (id, name, role, gln, company_prefixes) VALUES ($1, $2, $3, $4, $5) RETURNING id)
          INSERT INTO api_key (organization_id, name, hash) SELECT id, 'default', $6 FROM o`;
        await client.query(organizationWithKey, [o.id, o.name, o.role, o.gln, [o.prefix], hashApiKey(o.apiKey)]);
      }
    });
    await timed('product', () =>
      client.query(
        `INSERT INTO product (gtin, name, manufacturer_id) SELECT g, 'Bench product ' || g, m FROM unnest($1::text[], $2::uuid[]) AS u(g, m)`,
        [
          manufacturers.flatMap((_, m) => Array.from({ length: PRODUCTS_PER_MANUFACTURER }, (_, p) => gtinOf(m, p))),
          manufacturers.flatMap((o) => Array.from({ length: PRODUCTS_PER_MANUFACTURER }, () => o.id)),
        ],
      ),
    );
    await timed('lot', async () => {
      const lots = new Map<string, { gtin: string; lot: string; by: string }>();
      for (let u = 0; u < plan.units; u++) {
        for (let p = 0; p < PALLETS_PER_UNIT; p++) {
          const l = palletLot(u, p);
          lots.set(`${l.gtin} ${l.lot}`, { gtin: l.gtin, lot: l.lot, by: manufacturers[l.m].id });
        }
      }
      const all = [...lots.values()];
      await client.query(`INSERT INTO lot (gtin, lot, changed_by) SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[])`, [
        all.map((l) => l.gtin),
        all.map((l) => l.lot),
        all.map((l) => l.by),
      ]);
    });

    // The history is recorded as it happens (record time = event time): its months' partitions, made as the worker would.
    await timed('partitions', () =>
      client.query(`SELECT event_partitions_ensure($1, $2)`, [new Date(START), new Date(START + SPAN_MS + 90 * DAY)]),
    );

    const batches = Math.ceil(plan.events / BATCH_LEAVES);
    const leaves = (b: number) => Math.min(BATCH_LEAVES, plan.events - (b - 1) * BATCH_LEAVES);
    await timed('anchor_batch + batch_anchor', async () => {
      for (let b = 1; b <= batches; b++) {
        const n = leaves(b);
        const tx = `0x${createHash('sha256').update(`tx ${b}`).digest('hex')}`;
        const block = `0x${createHash('sha256').update(`block ${b}`).digest('hex')}`;
        await client.query(
          `WITH b AS (
             INSERT INTO anchor_batch (id, status, root, leaf_count, nodes, chain_id, contract_address, tx_hash, block_number, block_hash,
                                       checked_on_chain, submitted_at, mined_at, final_at)
             OVERRIDING SYSTEM VALUE
             VALUES ($1::bigint, 'FINAL', $2, $3, $4, 31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3', $5, 100 + $1::bigint, $6, true, now(), now(), now())
             RETURNING id)
           INSERT INTO batch_anchor (batch_id, chain_id, contract_address, status, tx_hash, block_number, block_hash, checked_on_chain,
                                     submitted_at, mined_at, final_at)
           SELECT id, 31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3', 'FINAL', $5, 100 + $1::bigint, $6, true, now(), now(), now() FROM b`,
          [b, randomBytes(32), n, randomBytes((2 * n - 1) * 32), tx, block],
        );
      }
      await client.query(`SELECT setval(pg_get_serial_sequence('anchor_batch', 'id'), $1)`, [batches]);
    });

    // OpenZeppelin's node array keeps leaf k of an n-leaf tree at index 2n - 2 - k.
    const leafNode = (id: number) => 2 * leaves(Math.floor((id - 1) / BATCH_LEAVES) + 1) - 2 - ((id - 1) % BATCH_LEAVES);
    const hex = (id: number) => `\\x${createHash('sha256').update(`bench event ${id}`).digest('hex')}`;
    let eventEpcRows = 0;
    await timed('event', async () => {
      await copyUnits(
        client,
        `COPY event (id, event_hash, event_type, action, biz_step, disposition, event_time, record_time, read_point, biz_location, captured_by, body, batch_id, leaf_index) FROM STDIN`,
        plan,
        (u, firstId, out) => {
          for (const e of unitEvents(u, firstId, plan.units)) {
            const b = e.body;
            const at = e.eventTime.toISOString();
            const batch = Math.floor((e.id - 1) / BATCH_LEAVES) + 1;
            out.push(
              copyLine([
                e.id,
                hex(e.id),
                String(b.type),
                textOf(b.action),
                textOf(b.bizStep),
                textOf(b.disposition),
                at,
                at,
                idOf(b.readPoint),
                idOf(b.bizLocation),
                e.capturedBy,
                JSON.stringify(b),
                batch,
                leafNode(e.id),
              ]),
            );
          }
        },
      );
      await client.query(`SELECT setval(pg_get_serial_sequence('event', 'id'), $1)`, [plan.events]);
    });
    await timed('event_key', () =>
      copyUnits(client, `COPY event_key (event_hash, event_id, record_time) FROM STDIN`, plan, (u, firstId, out) => {
        for (const e of unitEvents(u, firstId, plan.units)) out.push(copyLine([hex(e.id), e.id, e.eventTime.toISOString()]));
      }),
    );
    await timed('event_epc', () =>
      copyUnits(client, `COPY event_epc (epc, event_time, event_id, role, record_time) FROM STDIN`, plan, (u, firstId, out) => {
        for (const e of unitEvents(u, firstId, plan.units)) {
          const at = e.eventTime.toISOString();
          for (const x of e.epcs) out.push(`${x.epc}\t${at}\t${e.id}\t${x.role}\t${at}\n`);
          eventEpcRows += e.epcs.length;
        }
      }),
    );
    await timed('pack_state', () =>
      copyUnits(client, PACK_STATE_COPY, plan, (u, firstId, out) => {
        const events = unitEvents(u, firstId, plan.units);
        const span = recordSpans(events);
        for (const s of unitStates(events)) {
          const [first, last] = span.get(s.epc)!;
          out.push(packStateCopyLine(s, first.toISOString(), last.toISOString()));
        }
      }),
    );
    await timed('vacuum analyze', async () => {
      for (const table of [
        'event',
        'event_key',
        'event_epc',
        'pack_state',
        'anchor_batch',
        'batch_anchor',
        'organization',
        'product',
        'lot',
      ])
        await client.query(`VACUUM ANALYZE ${table}`);
    });
    const [{ bytes }] = (await client.query(`SELECT pg_database_size(current_database())::float8 AS bytes`)).rows;
    return { loaded: true, ...plan, eventEpcRows, tables, seconds: (performance.now() - started) / 1000, databaseBytes: bytes };
  } finally {
    await client.end();
  }
}

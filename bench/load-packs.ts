import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { commissioningEvent, packingEvent, unpackingEvent } from '@pharmatrace/epcis';
import { gs1CheckDigit } from '@pharmatrace/gs1';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { hashApiKey } from '../apps/api/src/common/api-key';

const PRODUCTS = 20;
/**
 * Other manufacturers' products and lots beside the bench's own, as a national system holds them (tens of thousands of
 * GTINs, hundreds of thousands of lots, some recalled): a read that finds a product or a recall by anything but its
 * key reads them all, which 20 products and 100 lots hid (issue 18: every verification read the whole catalogue).
 */
const CATALOGUE_PRODUCTS = 50_000;
const CATALOGUE_LOTS = 200_000;
const PACKS_PER_CASE = 100;
const PACKS_PER_LOT = 10_000;
const BATCH_LEAVES = 10_000;
const START = Date.UTC(2026, 0, 5);

export interface BenchOrganization {
  id: string;
  role: 'MANUFACTURER' | 'DISTRIBUTOR' | 'DISPENSER' | 'REGULATOR';
  name: string;
  gln: string;
  /** Fixed so a kept database (BENCH_DB_URL) can be reused without re-issuing keys. */
  apiKey: string;
}

export interface BenchPack {
  gtin: string;
  serial: string;
  lot: string;
  /** ISO date. */
  expiry: string;
  epc: string;
}

const withCheckDigit = (body: string) => body + gs1CheckDigit(body);
const org = (n: number, role: BenchOrganization['role'], name: string): BenchOrganization => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  role,
  name,
  gln: withCheckDigit(`06141410000${n}`),
  apiKey: `pt_bench_${role.toLowerCase()}_key_0123456789abcdef`,
});

export const BENCH_ORGANIZATIONS = {
  manufacturer: org(1, 'MANUFACTURER', 'Bench Pharma'),
  distributor: org(2, 'DISTRIBUTOR', 'Bench Wholesale'),
  pharmacy: org(3, 'DISPENSER', 'Bench Pharmacy'),
  regulator: org(4, 'REGULATOR', 'Bench Agency'),
};

const GTINS = Array.from({ length: PRODUCTS }, (_, p) => withCheckDigit(`00614141${String(10_000 + p)}`));

/**
 * Pack i, computed rather than stored so the load and the load generator agree without a 1M-entry list. Serials are
 * a bijective scramble of i (odd multiplier mod 2^32) so consecutive requests do not hit neighbouring index pages.
 */
export function benchPack(i: number): BenchPack {
  const lotIndex = Math.floor(i / PACKS_PER_LOT);
  const gtin = GTINS[lotIndex % PRODUCTS];
  const serial = `S${(Math.imul(i, 0x9e3779b1) >>> 0).toString(36).toUpperCase().padStart(7, '0')}`;
  const expiry = `${2027 + (lotIndex % 3)}-${String(1 + (lotIndex % 12)).padStart(2, '0')}-28`;
  return { gtin, serial, lot: `B${String(26_000 + lotIndex)}`, expiry, epc: `https://id.gs1.org/01/${gtin}/21/${serial}` };
}

const sscc = (c: number) => withCheckDigit(`00614141${String(c).padStart(9, '0')}`);
const ssccEpc = (c: number) => `https://id.gs1.org/00/${sscc(c)}`;
const hashOf = (s: string) => `\\\\x${createHash('sha256').update(s).digest('hex')}`;
/** COPY text format: only backslash, tab and newline are special; JSON bodies carry none but backslashes may appear. */
const text = (s: string) => s.replace(/\\/g, '\\\\');
const NULL = '\\N';

/** Streams the lines `perCase` emits for every case of 100 packs into one COPY, honouring backpressure. */
async function copy(
  client: Client,
  sql: string,
  packs: number,
  perCase: (c: number, first: number, last: number, emit: (line: string) => void) => void,
) {
  const stream: Writable = client.query(copyFrom(sql));
  const cases = Math.ceil(packs / PACKS_PER_CASE);
  let chunk: string[] = [];
  const emit = (line: string) => void chunk.push(line);
  for (let c = 0; c < cases; c++) {
    perCase(c, c * PACKS_PER_CASE, Math.min(packs, (c + 1) * PACKS_PER_CASE), emit);
    if (c % 20 === 19 || c === cases - 1) {
      const ok = stream.write(chunk.join(''));
      chunk = [];
      if (!ok) await new Promise((r) => stream.once('drain', r));
    }
  }
  stream.end();
  await finished(stream);
}

/**
 * Every case of 100 packs: 100 commissioning events (one pack each), one packing event at the factory and one unpacking
 * event at the pharmacy (each naming the 100 packs as children). So a pack's verdict counts three events over three
 * event_epc rows, all in FINAL batches of 10,000 leaves, like a pack that reached the pharmacy shelf.
 */
function eventIds(c: number) {
  const base = c * (PACKS_PER_CASE + 2) + 1;
  return { commission: (k: number) => base + k, pack: base + PACKS_PER_CASE, unpack: base + PACKS_PER_CASE + 1 };
}

async function alreadyLoaded(client: Client, packs: number): Promise<boolean> {
  const [{ n }] = (await client.query(`SELECT count(*)::int AS n FROM pack_state WHERE kind = 'sgtin'`)).rows;
  if (n === 0) return false;
  if (n !== packs) throw new Error(`the kept bench database holds ${n} packs, not ${packs}: drop it or set BENCH_PACKS=${n}`);
  return true;
}

/** The catalogue beside the bench's products (CATALOGUE_PRODUCTS), once: a kept database made before it gets it too. */
async function loadCatalogue(client: Client): Promise<void> {
  const [{ n }] = (await client.query(`SELECT count(*)::int AS n FROM product WHERE gtin LIKE '9%'`)).rows;
  if (n >= CATALOGUE_PRODUCTS) return;
  // GTINs from 9…: no bench pack's (00614141…); one lot in ten recalled.
  await client.query(
    `INSERT INTO product (gtin, name) SELECT lpad((90000000000000 + g)::text, 14, '0'), 'Catalogue product ' || g
                      FROM generate_series(1, $1::int) g ON CONFLICT DO NOTHING`,
    [CATALOGUE_PRODUCTS],
  );
  await client.query(
    `INSERT INTO lot (gtin, lot, status) SELECT lpad((90000000000000 + 1 + g % $2::int)::text, 14, '0'), 'C' || g,
            CASE WHEN g % 10 = 0 THEN 'RECALLED' ELSE 'ACTIVE' END
     FROM generate_series(1, $1::int) g ON CONFLICT DO NOTHING`,
    [CATALOGUE_LOTS, CATALOGUE_PRODUCTS],
  );
  await client.query(`ANALYZE product`);
  await client.query(`ANALYZE lot`);
}

/**
 * Loads organizations, products, lots, FINAL anchor batches, events, event_epc rows and pack_state rows for `packs`
 * packs in custody of the pharmacy, with COPY, plain indexes dropped during the load and FK triggers off
 * (session_replication_role = replica), then rebuilt and analyzed. Returns false if the database already held them.
 */
export async function loadPacks(
  url: string,
  packs: number,
): Promise<{ loaded: boolean; seconds: number; events: number; eventEpcRows: number }> {
  const started = performance.now();
  const client = new Client({ connectionString: url });
  await client.connect();
  const cases = Math.ceil(packs / PACKS_PER_CASE);
  const events = packs + 2 * cases;
  const eventEpcRows = packs * 3 + 2 * cases;
  try {
    if (await alreadyLoaded(client, packs)) {
      await loadCatalogue(client);
      return { loaded: false, seconds: 0, events, eventEpcRows };
    }
    const { manufacturer, pharmacy } = BENCH_ORGANIZATIONS;
    await client.query(`SET synchronous_commit = off; SET maintenance_work_mem = '512MB'; SET session_replication_role = replica`);
    for (const o of Object.values(BENCH_ORGANIZATIONS)) {
      await client.query(
        `WITH o AS (INSERT INTO organization (id, name, role, gln, company_prefixes) VALUES ($1, $2, $3, $4, $5) RETURNING id)
         INSERT INTO api_key (organization_id, name, hash) SELECT id, 'default', $6 FROM o`,
        [o.id, o.name, o.role, o.gln, o.role === 'MANUFACTURER' ? ['0614141'] : [], hashApiKey(o.apiKey)],
      );
    }
    await client.query(`INSERT INTO product (gtin, name, manufacturer_id) SELECT g, 'Bench product ' || g, $2 FROM unnest($1::text[]) g`, [
      GTINS,
      manufacturer.id,
    ]);
    await loadCatalogue(client);
    const lots = Array.from({ length: Math.ceil(packs / PACKS_PER_LOT) }, (_, l) => benchPack(l * PACKS_PER_LOT));
    await client.query(`INSERT INTO lot (gtin, lot, changed_by) SELECT * , $3::uuid FROM unnest($1::text[], $2::text[])`, [
      lots.map((p) => p.gtin),
      lots.map((p) => p.lot),
      manufacturer.id,
    ]);
    const batches = Math.ceil(events / BATCH_LEAVES);
    await client.query(
      `INSERT INTO anchor_batch (id, status, root, leaf_count, nodes, chain_id, contract_address, tx_hash, block_number, block_hash,
                                 checked_on_chain, submitted_at, mined_at, final_at)
       OVERRIDING SYSTEM VALUE
       SELECT b, 'FINAL', sha256(('root' || b)::bytea), n, decode(repeat('00', (2 * n - 1) * 32), 'hex'), 31337,
              '0x5FbDB2315678afecb367f032d93F642f64180aa3', '0x' || encode(sha256(('tx' || b)::bytea), 'hex'), 100 + b,
              '0x' || encode(sha256(('block' || b)::bytea), 'hex'), true, now(), now(), now()
       FROM generate_series(1, $1::int) b, LATERAL (SELECT least($2::int, $3::int - (b - 1) * $2::int) AS n) s`,
      [batches, BATCH_LEAVES, events],
    );
    await client.query(`SELECT setval(pg_get_serial_sequence('anchor_batch', 'id'), $1)`, [batches]);
    await client.query(
      `INSERT INTO batch_anchor (batch_id, chain_id, contract_address, status, tx_hash, block_number, block_hash, checked_on_chain,
                                 submitted_at, mined_at, final_at)
       SELECT id, chain_id, contract_address, status, tx_hash, block_number, block_hash, checked_on_chain, submitted_at, mined_at, final_at
       FROM anchor_batch`,
    );

    const indexes: { indexname: string; indexdef: string }[] = (
      await client.query(
        `SELECT indexname, indexdef FROM pg_indexes i
         WHERE tablename IN ('event', 'event_epc', 'pack_state')
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
      )
    ).rows;
    for (const i of indexes) await client.query(`DROP INDEX ${i.indexname}`);

    // OpenZeppelin's node array keeps leaf k of an n-leaf tree at index 2n - 2 - k.
    const leafNode = (id: number) => {
      const n = Math.min(BATCH_LEAVES, events - Math.floor((id - 1) / BATCH_LEAVES) * BATCH_LEAVES);
      return 2 * n - 2 - ((id - 1) % BATCH_LEAVES);
    };
    const time = (c: number, offsetMs: number) => new Date(START + c * 1_000 + offsetMs).toISOString();
    // The months the events are recorded in (record time = event time), made as the worker would.
    await client.query(`SELECT event_partitions_ensure($1, $2)`, [time(0, 0), time(cases, 3 * 86_400_000)]);
    const pharmacyLocation = `https://id.gs1.org/414/${pharmacy.gln}`;
    await copy(
      client,
      `COPY event (id, event_hash, event_type, action, biz_step, disposition, event_time, record_time, captured_by, body, batch_id, leaf_index) FROM STDIN`,
      packs,
      (c, first, last, emit) => {
        const ids = eventIds(c);
        const line = (id: number, type: string, action: string, step: string, disposition: string, at: string, body: object, by: string) =>
          emit(
            `${id}\t${hashOf(`event ${id}`)}\t${type}\t${action}\t${step}\t${disposition}\t${at}\t${at}\t${by}\t${text(JSON.stringify(body))}\t${
              Math.floor((id - 1) / BATCH_LEAVES) + 1
            }\t${leafNode(id)}\n`,
          );
        const children: string[] = [];
        for (let i = first; i < last; i++) {
          const p = benchPack(i);
          children.push(p.epc);
          const at = time(c, 0);
          line(
            ids.commission(i - first),
            'ObjectEvent',
            'ADD',
            'commissioning',
            'active',
            at,
            commissioningEvent({ eventTime: new Date(at), epcs: [p.epc], lot: p.lot, expiry: p.expiry }),
            manufacturer.id,
          );
        }
        const packedAt = time(c, 500);
        line(
          ids.pack,
          'AggregationEvent',
          'ADD',
          'packing',
          'in_progress',
          packedAt,
          packingEvent({ eventTime: new Date(packedAt), parent: ssccEpc(c), children }),
          manufacturer.id,
        );
        const unpackedAt = time(c, 3 * 86_400_000);
        line(
          ids.unpack,
          'AggregationEvent',
          'DELETE',
          'unpacking',
          NULL,
          unpackedAt,
          unpackingEvent({ eventTime: new Date(unpackedAt), parent: ssccEpc(c), children }),
          pharmacy.id,
        );
      },
    );
    // Recorded as they happen: every row's record time is its event's time.
    await copy(client, `COPY event_key (event_hash, event_id, record_time) FROM STDIN`, packs, (c, first, last, emit) => {
      const ids = eventIds(c);
      for (let i = first; i < last; i++)
        emit(`${hashOf(`event ${ids.commission(i - first)}`)}\t${ids.commission(i - first)}\t${time(c, 0)}\n`);
      emit(
        `${hashOf(`event ${ids.pack}`)}\t${ids.pack}\t${time(c, 500)}\n${hashOf(`event ${ids.unpack}`)}\t${ids.unpack}\t${time(c, 3 * 86_400_000)}\n`,
      );
    });
    await copy(client, `COPY event_epc (epc, event_time, event_id, role, record_time) FROM STDIN`, packs, (c, first, last, emit) => {
      const ids = eventIds(c);
      const packedAt = time(c, 500);
      const unpackedAt = time(c, 3 * 86_400_000);
      emit(
        `${ssccEpc(c)}\t${packedAt}\t${ids.pack}\tparent\t${packedAt}\n${ssccEpc(c)}\t${unpackedAt}\t${ids.unpack}\tparent\t${unpackedAt}\n`,
      );
      for (let i = first; i < last; i++) {
        const { epc } = benchPack(i);
        const at = time(c, 0);
        emit(
          `${epc}\t${at}\t${ids.commission(i - first)}\tepc\t${at}\n${epc}\t${packedAt}\t${ids.pack}\tchild\t${packedAt}\n` +
            `${epc}\t${unpackedAt}\t${ids.unpack}\tchild\t${unpackedAt}\n`,
        );
      }
    });
    await copy(
      client,
      `COPY pack_state (epc, kind, gtin, serial, lot, expiry, status, custodian_id, location, destination, container_epc, commissioned_by,
                        last_event_id, last_event_time, status_changed_at, status_changed_by, first_record_time, last_record_time) FROM STDIN`,
      packs,
      (c, first, last, emit) => {
        const ids = eventIds(c);
        const unpackedAt = time(c, 3 * 86_400_000);
        // The record-time span of each EPC's index rows: from its first event to the unpacking.
        const tail = (firstRecorded: string) =>
          `ACTIVE\t${pharmacy.id}\t${pharmacyLocation}\t${NULL}\t${NULL}\t${manufacturer.id}\t${ids.unpack}\t${unpackedAt}\t${unpackedAt}\t${pharmacy.id}` +
          `\t${firstRecorded}\t${unpackedAt}\n`;
        emit(`${ssccEpc(c)}\tsscc\t${NULL}\t${NULL}\t${NULL}\t${NULL}\t${tail(time(c, 500))}`);
        for (let i = first; i < last; i++) {
          const p = benchPack(i);
          emit(`${p.epc}\tsgtin\t${p.gtin}\t${p.serial}\t${p.lot}\t${p.expiry}\t${tail(time(c, 0))}`);
        }
      },
    );
    await client.query(`SELECT setval(pg_get_serial_sequence('event', 'id'), $1)`, [events]);
    // A partitioned table's index prints as ON ONLY (its parent alone); made plainly, it is made on every month too.
    for (const i of indexes) await client.query(i.indexdef.replace(' ON ONLY ', ' ON '));
    await client.query(`SET session_replication_role = DEFAULT`);
    for (const table of ['event', 'event_key', 'event_epc', 'pack_state', 'anchor_batch', 'batch_anchor', 'organization', 'product', 'lot'])
      await client.query(`VACUUM ANALYZE ${table}`);
    return { loaded: true, seconds: (performance.now() - started) / 1000, events, eventEpcRows };
  } finally {
    await client.end();
  }
}

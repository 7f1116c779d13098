import { Injectable, Optional } from '@nestjs/common';
import { ReadRouting } from '../replication/read-routing';
import type { AppliedEvents, EventFacts, HistoryFlag, ItemState } from '@pharmatrace/domain';
import { DataSource, EntityManager } from 'typeorm';
import { EpcRole } from '../entities';
import { ConcurrentStatesError, ForeignCorrectionError, uniqueViolationOf } from '../persistence.error';
import { insertAlerts } from './alert.repository';
import { PACK_STATE_COPY, packStateCopyLine, type PackStateRow, STATE_COLUMNS, toItemState } from './pack-state.sql';
import { attachCaptureSignature, NewCaptureSignature } from './signature.repository';
import { copyJson, copyNullable, copyRows, copyText, CopyText, copyTime, preparedRows, queryRows, SqlRunner, textArray } from './sql-query';

export interface NewEvent {
  hash: Buffer;
  eventType: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  eventTime: Date;
  readPoint: string | null;
  bizLocation: string | null;
  body: unknown;
  /** Extension fields left out of the hash, expanded: what recomputing it from `body` needs. */
  ignoreFields: string[];
  epcs: { epc: string; role: EpcRole }[];
  /** Position in the capture document, for errors that name the event. */
  documentIndex: number;
  /** The state-relevant facts of the event; the id is filled in once the row exists. */
  facts: Omit<EventFacts, 'eventId'>;
  /** The event's errorDeclaration, if any: with the hash of a stored event it is a correction of that event. */
  errorDeclaration: ErrorDeclaration | null;
}

export interface ErrorDeclaration {
  declarationTime: Date;
  reason: string | null;
  correctiveEventIds: string[];
}

/** An error declaration stored against the event it corrects (event_correction). */
export interface StoredCorrection {
  id: number;
  eventId: number;
}

export interface StoredEvent {
  id: number;
  hash: Buffer;
}

export interface CaptureOutcome {
  inserted: StoredEvent[];
  /** Error declarations of stored events, new ones only: each counts as captured. */
  corrections: StoredCorrection[];
  duplicates: Buffer[];
}

/** One transaction fed chunk by chunk; see EventRepository.openCaptureSession. */
export interface CaptureSession {
  add(events: NewEvent[]): Promise<CaptureOutcome>;
  /** Other rows of the document (its master data) written in the same transaction. */
  alongside(work: (tx: SqlRunner) => Promise<unknown>): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/**
 * Turns the events newly stored and the states they touch into the states to write. Pure, supplied by the caller.
 * `holds`: by EPC (the EPCs named, all they contain and, for each, what holds a container it sits in), the number of
 * the exception case holding it in quarantine.
 */
export type StateReducer = (
  current: ItemState[],
  facts: EventFacts[],
  documentIndexOf: (eventId: number) => number,
  holds: ReadonlyMap<string, string>,
) => AppliedEvents;

// Rows as node-postgres answers them: bigint ids are strings, turned into numbers where they are read.

interface CorrectedEventRow {
  id: string;
  event_hash: Buffer;
  captured_by: string;
}

interface CorrectionIdRow {
  id: string;
}

interface InsertedKeyRow {
  event_hash: Buffer;
  event_id: string;
  /** As Postgres writes it: the COPY of the events reads back the very instant. */
  record_time: string;
}

/**
 * A capture's record time, taken before its first write so that it is taken with the transaction's id (migration
 * 1765857000000: record times rise with transaction ids, which the visibility horizon relies on).
 */
async function takeRecordTime(tx: EntityManager): Promise<void> {
  await tx.query(`SELECT event_record_time()`);
}

/**
 * The exception cases holding these items in quarantine, directly or through a container they sit in now: by EPC,
 * the lowest case number. Each level of the walk up reads one `pack_state` row by its key (a lateral lookup that no
 * plan can turn into a scan of the container index, see VIEWS_SQL). The array comes through a sub-select, as in
 * LOCK_STATES_SQL, so each connection plans it a few times only (bind 1.5-3.1 ms a capture when planned every time).
 */
export const QUARANTINE_HOLDS_SQL = `WITH RECURSIVE up(item, epc, depth) AS (
   SELECT e, e, 0 FROM unnest((SELECT $1::text[])) AS e
   UNION ALL
   SELECT up.item, p.container_epc, up.depth + 1 FROM up
   CROSS JOIN LATERAL (SELECT container_epc FROM pack_state WHERE epc = up.epc OFFSET 0) p
   WHERE p.container_epc IS NOT NULL AND up.depth < 16
 )
 SELECT up.item AS epc, min(h.case_number)::text AS "caseNumber" FROM up JOIN quarantine_hold h ON h.epc = up.epc GROUP BY up.item`;

/** A receiving event's business step, as capture stores it (its CBV short name). */
const RECEIVING_BIZSTEP = 'receiving';
/** Containment levels the lock walks down: pack, case, pallet, container and more, with room; it ends a cycle. */
const MAX_CONTAINMENT_DEPTH = 16;

/**
 * Locks, in a fixed order so concurrent captures cannot deadlock, the states of the EPCs and all they contain.
 * The walk goes down one containment level a step, each step one statement over the whole level's EPCs (`= ANY`):
 * planned as a join per row, it merged against the whole container index (two scans of 64,000 entries for a chunk
 * of 250 events at 72,000 packs, issue 18), and a lookup per row became a scan per row on a table not yet analyzed.
 * The first level, the chunk's own EPCs, is one key lookup each (a lateral the planner cannot flatten): as `= ANY`
 * over a document's 900 EPCs Postgres costed the index descents above a hashed scan of the whole table near 73,000
 * packs, and read all of them at every capture (10-15 ms a document, growing with the table, against 2.5 ms).
 * The array comes through a sub-select, so no plan depends on its values and each connection settles on the generic
 * plan of the named statement (preparedRows); given the array, Postgres planned small ones anew at every capture.
 */
export const LOCK_STATES_SQL = `WITH RECURSIVE tree(epcs, depth) AS (
   SELECT ARRAY(SELECT p.epc FROM unnest((SELECT $1::text[])) AS u(epc)
                CROSS JOIN LATERAL (SELECT epc FROM pack_state WHERE epc = u.epc OFFSET 0) p), 0
   UNION ALL
   SELECT ARRAY(SELECT p.epc FROM pack_state p WHERE p.container_epc = ANY(t.epcs)), t.depth + 1
   FROM tree t WHERE cardinality(t.epcs) > 0 AND t.depth < ${MAX_CONTAINMENT_DEPTH}
 )
 SELECT ${STATE_COLUMNS} FROM pack_state WHERE epc IN (SELECT unnest(epcs) FROM tree) ORDER BY epc FOR UPDATE`;

/**
 * Widens the record-time spans of the states of `$1` (EPCs a chunk names but leaves unchanged) to the transaction's
 * record time. The EPCs go in as an InitPlan's array, whose length the planner cannot see: given the array itself, it
 * planned 900 EPCs (an observation of a pallet's packs) as a scan of all of pack_state near 73,000 packs.
 */
export const WIDEN_STATE_SPANS_SQL = `WITH t AS (SELECT event_record_time() AS rt)
 UPDATE pack_state SET first_record_time = least(first_record_time, t.rt), last_record_time = greatest(last_record_time, t.rt)
 FROM t WHERE epc = ANY(ARRAY(SELECT unnest($1::text[])))
   AND first_record_time IS NOT NULL AND (first_record_time > t.rt OR last_record_time < t.rt)`;

/** Judgings of one chunk when other captures keep creating its new items first: each retry sees one more of theirs. */
const STATE_ATTEMPTS = 3;

/** A state this chunk would create exists now: another capture created it after this one locked (createStates). */
const createdMeanwhile = (error: unknown) => uniqueViolationOf(error)?.constraint === 'pack_state_pkey';

/** A key this chunk inserted as new is stored already: a re-capture, or a capture of the same event committed first. */
const keyStored = (error: unknown) => uniqueViolationOf(error)?.constraint === 'event_key_pkey';

/** A chunk's keys when none is expected to be stored: a plain INSERT (insertEvents). */
const NEW_KEYS_SQL = `INSERT INTO event_key (event_hash, event_id, record_time)
 SELECT h, nextval('event_id_seq'), (SELECT event_record_time()) FROM unnest((SELECT $1::bytea[])) AS x(h)
 RETURNING event_hash, event_id, record_time::text AS record_time`;

/** A chunk's keys, the stored ones skipped (insertEvents). */
const KEYS_SKIPPING_STORED_SQL = `INSERT INTO event_key (event_hash, event_id, record_time)
 SELECT h, nextval('event_id_seq'), (SELECT event_record_time()) FROM unnest((SELECT $1::bytea[])) AS x(h)
 ON CONFLICT (event_hash) DO NOTHING
 RETURNING event_hash, event_id, record_time::text AS record_time`;

/** The event rows capture writes with COPY (insertEvents), and the capture-ceiling bench's load of the same rows. */
export const EVENT_COPY = `COPY event (id, event_hash, event_type, action, biz_step, disposition, event_time, record_time, read_point,
  biz_location, captured_by, body, ignore_fields) FROM STDIN`;

/**
 * The line of EVENT_COPY for `e`, stored as event `id` at `recordTime` (timestamptz text) by `capturedBy`. Built as one
 * template, as are the other rows capture copies: an array of fields, a pattern test each and a join a row made up a
 * quarter of the API's COPY text work (docs/benchmarks.md). Only text a client sent is escaped; ids, times and this
 * platform's own enumerations cannot hold COPY's separators. `capturedBy` is an organization's id and `recordTime` Postgres's own text.
 */
export function eventCopyLine(e: NewEvent, id: number, recordTime: string, capturedBy: string): string {
  return `${id}\t\\\\x${e.hash.toString('hex')}\t${copyText(e.eventType)}\t${copyNullable(e.action)}\t${copyNullable(e.bizStep)}\t${copyNullable(
    e.disposition,
  )}\t${copyTime(e.eventTime)}\t${recordTime}\t${copyNullable(e.readPoint)}\t${copyNullable(e.bizLocation)}\t${capturedBy}\t${copyJson(
    JSON.stringify(e.body),
  )}\t${copyText(textArray(e.ignoreFields))}\n`;
}

/** The line of EVENT_EPC_COPY: `epc` named by event `eventId` (at `eventTime`) in `role`, recorded at `recordTime`. */
export const eventEpcCopyLine = (epc: string, eventTime: Date, eventId: number, role: EpcRole, recordTime: string): string =>
  `${copyText(epc)}\t${copyTime(eventTime)}\t${eventId}\t${role}\t${recordTime}\n`;

/** The EPC index rows (event_epc) capture writes with COPY, and the bench's load of the same rows. */
export const EVENT_EPC_COPY = `COPY event_epc (epc, event_time, event_id, role, record_time) FROM STDIN`;

/**
 * Events per chunk of a capture stored in one transaction (a whole document here, a stream's chunks in
 * CaptureStreamService): 8-14 ms of synchronous work a 1,000-event chunk (`capture-stages`: statements built and
 * states reduced between round trips; 2.7 ms for a whole document in chunks of 250). Larger than a document's usual span between
 * commissioning a pack and packing it: the reducer then writes the pack's state once, where a chunk boundary between
 * the two made the second chunk lock, read back and rewrite (a non-HOT update, three index entries) what the first had
 * just inserted. At 250, 0.9 updates per captured pack and 163 ms of store a 1,000-event document; at 1,000, 105-110
 * ms, with no longer event-loop stall in `npm run bench hostile` (issue 18).
 */
export const CAPTURE_CHUNK_EVENTS = 1000;

@Injectable()
export class EventRepository {
  constructor(
    private readonly db: DataSource,
    // Optional so a spec can build the repository on a DataSource alone: then nothing reads from replicas.
    @Optional() private readonly reads?: ReadRouting,
  ) {}

  private readonly receiptListeners: (() => Promise<unknown>)[] = [];

  /**
   * Called, and awaited, after every committed capture that queued a receiving event for reconciliation (on every
   * capture path: they all store through this repository). A listener must not throw: the capture is stored.
   */
  onReceiptsQueued(listener: () => Promise<unknown>): void {
    this.receiptListeners.push(listener);
  }

  private async receiptsQueued(events: NewEvent[]): Promise<void> {
    if (!events.some((e) => e.bizStep === RECEIVING_BIZSTEP)) return;
    for (const listener of this.receiptListeners) await listener();
  }

  /**
   * Stores a document's events, their EPC index rows and the read-model states they change in one transaction:
   * one multi-row statement per table for each chunk of CAPTURE_CHUNK_EVENTS. Events whose hash is already stored are
   * skipped, so a re-capture is a no-op, unless they declare that event in error: they are then stored as its
   * correction (storeCorrections). A verified `signature` of the document is stored in the same transaction, and so are
   * the other rows of the document `alongside` writes (its master data).
   */
  async capture(
    capturedBy: string,
    events: NewEvent[],
    reduce: StateReducer,
    signature?: NewCaptureSignature,
    alongside?: (tx: SqlRunner) => Promise<unknown>,
  ): Promise<CaptureOutcome> {
    const outcome = await this.db.transaction(async (tx) => {
      await takeRecordTime(tx);
      // In chunks, as a capture session stores them: building one chunk's statements and states is synchronous
      // work, and 10,000 events at once held the event loop for about 300 ms (issue 13).
      const outcome: CaptureOutcome = { inserted: [], corrections: [], duplicates: [] };
      for (let at = 0; at < events.length; at += CAPTURE_CHUNK_EVENTS) {
        const chunk = await this.storeChunk(tx, capturedBy, events.slice(at, at + CAPTURE_CHUNK_EVENTS), reduce);
        outcome.inserted.push(...chunk.inserted);
        outcome.corrections.push(...chunk.corrections);
        outcome.duplicates.push(...chunk.duplicates);
      }
      if (signature)
        await attachCaptureSignature(
          tx,
          signature,
          outcome.inserted.map((e) => e.id),
        );
      await alongside?.(tx);
      return outcome;
    });
    // Committed: the organization's next routed reads wait for a replica that replayed it (ReadRouting).
    await this.reads?.wrote(capturedBy);
    await this.receiptsQueued(events);
    return outcome;
  }

  /**
   * A capture too large to hold at once: each `add` stores one chunk of events with the same statements as
   * `capture`, and all chunks share one transaction, so the document is stored all or nothing while only the
   * chunk being added is in memory. Later chunks see the states earlier ones wrote. After a failed `add` the
   * session only accepts `rollback`.
   */
  async openCaptureSession(capturedBy: string, reduce: StateReducer): Promise<CaptureSession> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
    } catch (e) {
      await runner.release();
      throw e;
    }
    try {
      await takeRecordTime(runner.manager);
    } catch (e) {
      await runner.rollbackTransaction().finally(() => runner.release());
      throw e;
    }
    let open = true;
    const finish = async (end: () => Promise<void>) => {
      if (!open) return;
      open = false;
      try {
        await end();
      } finally {
        await runner.release();
      }
    };
    let received: NewEvent[] = [];
    return {
      add: (events) => {
        if (!open) return Promise.reject(new Error('capture session is closed'));
        if (!received.length) received = events.filter((e) => e.bizStep === RECEIVING_BIZSTEP);
        return this.storeChunk(runner.manager, capturedBy, events, reduce);
      },
      alongside: async (work) => {
        if (!open) throw new Error('capture session is closed');
        await work(runner.manager);
      },
      commit: async () => {
        await finish(() => runner.commitTransaction());
        await this.reads?.wrote(capturedBy);
        await this.receiptsQueued(received);
      },
      rollback: () => finish(() => runner.rollbackTransaction()),
    };
  }

  private async storeChunk(tx: EntityManager, capturedBy: string, events: NewEvent[], reduce: StateReducer): Promise<CaptureOutcome> {
    // The first of several events with one hash is the one stored; a later one is its duplicate or correction. Each
    // hash is keyed once, a character a byte (latin1 maps bytes one to one).
    const byHash = new Map<string, NewEvent>();
    for (const e of events) {
      const key = e.hash.toString('latin1');
      if (!byHash.has(key)) byHash.set(key, e);
    }
    // A chunk is the whole unit of work, undone to its savepoint and done again when one of two races is lost:
    // - Its keys go in as new with a plain INSERT: chunks are new events far more often than not, and ON CONFLICT's
    //   speculative insertion costs Postgres a WAL record more a key (1,000 keys: 3,040 against 2,040 records; 23-25
    //   against 10 ms in psql on 80,000 keys, 8.1-8.6 against 6.7-7.3 ms a document in capture-stages). A key already
    //   stored (a re-capture, or the same event captured by a transaction that committed first) fails it; the chunk
    //   is then done again skipping the stored keys.
    // - The states are judged on what the lock reads. An item no state exists for cannot be locked, so another capture
    //   may create it meanwhile (the same serial commissioned, the same case made up); writing ours over theirs would
    //   let both stand unjudged. Ours are created with COPY, which then fails on the key, and the chunk is judged
    //   again on the states as they now are, where the rules refuse or allow it.
    let skipStoredKeys = false;
    let attempt = 1;
    for (;;) {
      await tx.query(`SAVEPOINT chunk`);
      try {
        const outcome = await this.storeChunkOnce(tx, capturedBy, events, byHash, reduce, skipStoredKeys);
        await tx.query(`RELEASE SAVEPOINT chunk`);
        return outcome;
      } catch (e) {
        if (keyStored(e) && !skipStoredKeys) skipStoredKeys = true;
        else if (!createdMeanwhile(e)) throw e;
        else if (attempt++ === STATE_ATTEMPTS) throw new ConcurrentStatesError();
        await tx.query(`ROLLBACK TO SAVEPOINT chunk`);
      }
    }
  }

  private async storeChunkOnce(
    tx: EntityManager,
    capturedBy: string,
    events: NewEvent[],
    byHash: ReadonlyMap<string, NewEvent>,
    reduce: StateReducer,
    skipStoredKeys: boolean,
  ): Promise<CaptureOutcome> {
    const { ids, recordTime } = await this.insertEvents(tx, capturedBy, byHash, skipStoredKeys);
    const inserted = [...ids].map(([e, id]) => ({ id, hash: e.hash })).sort((x, y) => x.id - y.id);
    const fresh = [...byHash.values()].filter((e) => ids.has(e));
    const freshSet = new Set(fresh);
    const corrections = await this.storeCorrections(
      tx,
      capturedBy,
      events.filter((e) => e.errorDeclaration && !freshSet.has(e)),
    );
    const corrected = new Set(corrections.map((c) => c.event));
    const duplicates = events.filter((e) => !freshSet.has(e) && !corrected.has(e)).map((e) => e.hash);
    if (fresh.length) {
      // The id before the spread: properties added after one gave each object a hidden class of its own in optimized
      // code (docs/benchmarks.md, "Garbage a GraphQL request left in the old generation").
      const facts = fresh.map((e) => ({ eventId: ids.get(e)!, ...e.facts }));
      await this.storeStates(tx, capturedBy, fresh, facts, reduce, recordTime!);
    }
    return { inserted, corrections: corrections.map((c) => c.stored), duplicates };
  }

  /**
   * The chunk's states, EPC index, spans, flags and receipts, for its newly stored events. `rt`: the transaction's
   * record time as Postgres writes it, so that the rows COPY writes carry the very instant.
   */
  private async storeStates(
    tx: EntityManager,
    capturedBy: string,
    fresh: NewEvent[],
    facts: EventFacts[],
    reduce: StateReducer,
    rt: string,
  ) {
    const touched = [...new Set(fresh.flatMap((e) => e.epcs.map((x) => x.epc)))];
    const current = await this.lockStatesWithContents(tx, touched);
    const indexById = new Map(facts.map((f, i) => [f.eventId, fresh[i].documentIndex]));
    // Commissioning creates packs no case can hold yet: a chunk of commissionings (the bulk of captures) reads no holds.
    const holds = fresh.every((e) => e.bizStep === 'commissioning')
      ? new Map<string, string>()
      : await this.holdsOf(tx, [...new Set([...touched, ...current.map((s) => s.epc)])]);
    const applied = reduce(current, facts, (eventId) => indexById.get(eventId) ?? -1, holds);

    const index: { epc: string; eventTime: Date; eventId: number; role: EpcRole }[] = [];
    for (const [i, e] of fresh.entries()) {
      const eventId = facts[i].eventId;
      for (const x of e.epcs) index.push({ epc: x.epc, eventTime: e.eventTime, eventId, role: x.role });
      for (const child of applied.impliedChildren.get(eventId) ?? []) {
        index.push({ epc: child, eventTime: e.eventTime, eventId, role: 'child' });
      }
    }
    await this.insertEpcIndex(tx, index, rt);
    const existing = new Set(current.map((s) => s.epc));
    await this.createStates(
      tx,
      applied.states.filter((s) => !existing.has(s.epc)),
      rt,
    );
    await this.upsertStates(
      tx,
      applied.states.filter((s) => existing.has(s.epc)),
    );
    await this.recordProducts(tx, applied.states);
    await this.widenSpans(tx, index, current, applied.states);
    await this.insertFlags(tx, capturedBy, applied.flags);
    await this.queueReceipts(tx, capturedBy, facts);
  }

  /**
   * The exception cases holding these items in quarantine, directly or through a container they sit in now (a held
   * pallet holds every case and pack on it): by EPC, the lowest case number. One probe of `quarantine_hold` per item
   * and container level; a capture whose items nobody holds finds nothing.
   */
  private async holdsOf(tx: EntityManager, epcs: string[]): Promise<Map<string, string>> {
    if (!epcs.length) return new Map();
    const rows = await preparedRows<{ epc: string; caseNumber: string }>(tx, 'capture_quarantine_holds', QUARANTINE_HOLDS_SQL, [epcs]);
    return new Map(rows.map((r) => [r.epc, r.caseNumber]));
  }

  /**
   * Every receiving event is queued for reconciliation with its shipment in the transaction that stores it: the
   * comparison (and the cases it opens) runs right after, and a crash in between leaves it queued, never lost.
   */
  private async queueReceipts(tx: EntityManager, capturedBy: string, facts: EventFacts[]) {
    const receipts = facts.filter((f) => f.bizStep === RECEIVING_BIZSTEP);
    if (!receipts.length) return;
    await preparedRows(
      tx,
      'capture_receipts',
      `INSERT INTO receipt_reconciliation (event_id, receiver_id, received_at) SELECT id, $2, t FROM unnest($1::bigint[], $3::timestamptz[]) AS u(id, t)`,
      [receipts.map((f) => f.eventId), capturedBy, receipts.map((f) => f.eventTime.toISOString())],
    );
  }

  /**
   * Error declarations whose hash is a stored event's, kept as its corrections; one already kept (same event and
   * declaration time) is a duplicate. Only the organization that captured an event may declare it in error.
   */
  private async storeCorrections(
    tx: EntityManager,
    declaredBy: string,
    declaring: NewEvent[],
  ): Promise<{ event: NewEvent; stored: StoredCorrection }[]> {
    if (!declaring.length) return [];
    // event_key finds the hash among all months at once; its record time names the one month to read.
    const originals = await queryRows<CorrectedEventRow>(
      tx,
      `SELECT e.id, e.event_hash, e.captured_by FROM event_key k JOIN event e ON e.id = k.event_id AND e.record_time = k.record_time
       WHERE k.event_hash = ANY($1::bytea[])`,
      [declaring.map((e) => e.hash)],
    );
    const byHash = new Map(originals.map((o) => [o.event_hash.toString('hex'), o]));
    const foreign = declaring.filter((e) => byHash.get(e.hash.toString('hex'))?.captured_by !== declaredBy);
    if (foreign.length) throw new ForeignCorrectionError(foreign.map((e) => e.documentIndex));
    const stored: { event: NewEvent; stored: StoredCorrection }[] = [];
    for (const event of declaring) {
      const declaration = event.errorDeclaration!;
      const eventId = Number(byHash.get(event.hash.toString('hex'))!.id);
      const rows = await queryRows<CorrectionIdRow>(
        tx,
        `INSERT INTO event_correction (event_id, declared_by, declaration_time, reason, corrective_event_ids, body)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (event_id, declaration_time) DO NOTHING
         RETURNING id`,
        [
          eventId,
          declaredBy,
          declaration.declarationTime.toISOString(),
          declaration.reason,
          declaration.correctiveEventIds,
          JSON.stringify(event.body),
        ],
      );
      if (rows.length) stored.push({ event, stored: { id: Number(rows[0].id), eventId } });
    }
    return stored;
  }

  /**
   * `unique`: one event per hash. The hash is unique across every month in `event_key` (migration 1766600000000): the
   * keys are inserted first, and the events only where their key was new, as `ON CONFLICT (event_hash) DO NOTHING` on
   * the event itself did before the table was partitioned. A concurrent capture of the same hash waits on the key's
   * unique index; then, with `skipStoredKeys`, skips it, and without, fails the chunk (storeChunk). Ids are drawn
   * with the keys, in document order, so they rise with it. The new events are then written with COPY: no other transaction can hold a row with their ids, and Postgres reads each
   * body as it reads the COPY of a load, where one JSON array of the chunk's bodies and an array per column cost it
   * more (the benchmarks' "Capture's CPU cut on both sides").
   */
  private async insertEvents(
    tx: EntityManager,
    capturedBy: string,
    byHash: ReadonlyMap<string, NewEvent>,
    skipStoredKeys: boolean,
  ): Promise<{ ids: Map<NewEvent, number>; recordTime: string | null }> {
    const ids = new Map<NewEvent, number>();
    if (!byHash.size) return { ids, recordTime: null };
    const keys = await preparedRows<InsertedKeyRow>(
      tx,
      skipStoredKeys ? 'capture_event_keys' : 'capture_new_event_keys',
      skipStoredKeys ? KEYS_SKIPPING_STORED_SQL : NEW_KEYS_SQL,
      [[...byHash.values()].map((e) => e.hash)],
    );
    for (const k of keys) ids.set(byHash.get(k.event_hash.toString('latin1'))!, Number(k.event_id));
    // One transaction, one record time: every key carries it.
    const recordTime = keys[0]?.record_time ?? null;
    const rows = new CopyText();
    for (const e of byHash.values()) {
      const id = ids.get(e);
      if (id !== undefined) rows.add(eventCopyLine(e, id, recordTime!, capturedBy));
    }
    await copyRows(tx, EVENT_COPY, rows);
    return { ids, recordTime };
  }

  /** Locks the states of `epcs` and all they contain (LOCK_STATES_SQL). */
  private async lockStatesWithContents(tx: EntityManager, epcs: string[]): Promise<ItemState[]> {
    if (!epcs.length) return [];
    const rows = await preparedRows<PackStateRow>(tx, 'capture_lock_states', LOCK_STATES_SQL, [epcs]);
    return rows.map(toItemState);
  }

  /**
   * The chunk's EPC index rows, by COPY: their events were inserted by this transaction a statement ago, so no other
   * can hold a row of theirs, and an event naming one EPC twice in one role is written once here (the key's
   * uniqueness is all `ON CONFLICT DO NOTHING` was there for). `rt`: the transaction's record time.
   */
  private async insertEpcIndex(tx: EntityManager, rows: { epc: string; eventTime: Date; eventId: number; role: EpcRole }[], rt: string) {
    const seen = new Set<string>();
    const text = new CopyText();
    for (const r of rows) {
      const key = `${r.eventId}\t${r.role}\t${r.epc}`;
      if (seen.has(key)) continue;
      seen.add(key);
      text.add(eventEpcCopyLine(r.epc, r.eventTime, r.eventId, r.role, rt));
    }
    await copyRows(tx, EVENT_EPC_COPY, text);
  }

  /**
   * Keeps every EPC's record-time span covering its index rows (migration 1766600000000): reads of an EPC's events
   * probe only the months in it. The states this chunk wrote carry theirs (createStates, upsertStates); an EPC named
   * with a state the chunk left unchanged (a late event, an observation) widens its own here, and an EPC named with no
   * state at all is kept in `epc_span`. The chunk's rows carry the transaction's record time. An EPC with a state read as absent
   * (made by a capture that committed after this one locked) lands in `epc_span`: readers take both.
   */
  private async widenSpans(tx: EntityManager, index: { epc: string }[], current: ItemState[], written: ItemState[]): Promise<void> {
    const named = new Set(index.map((r) => r.epc));
    const writtenEpcs = new Set(written.map((s) => s.epc));
    const stated = new Set(current.map((s) => s.epc));
    const unchanged = [...named].filter((epc) => stated.has(epc) && !writtenEpcs.has(epc));
    const stateless = [...named].filter((epc) => !stated.has(epc) && !writtenEpcs.has(epc));
    if (unchanged.length) {
      await preparedRows(tx, 'capture_widen_spans', WIDEN_STATE_SPANS_SQL, [unchanged]);
    }
    if (stateless.length) {
      await preparedRows(
        tx,
        'capture_epc_spans',
        `INSERT INTO epc_span (epc, first_record_time, last_record_time)
         SELECT e, t.rt, t.rt FROM unnest($1::text[]) AS e, (SELECT event_record_time() AS rt) t
         ON CONFLICT (epc) DO UPDATE SET first_record_time = least(epc_span.first_record_time, EXCLUDED.first_record_time),
                                         last_record_time = greatest(epc_span.last_record_time, EXCLUDED.last_record_time)`,
        [stateless],
      );
    }
  }

  /** Flagged events are stored, so their alerts are too, in the same transaction: for the manufacturer and regulators. */
  private async insertFlags(tx: EntityManager, capturedBy: string, flags: HistoryFlag[]) {
    if (!flags.length) return;
    await insertAlerts(
      tx,
      flags.map((f) => ({ code: f.code, epc: f.epc, gtin: f.gtin, actorId: capturedBy, details: { eventId: f.eventId } })),
    );
  }

  private async upsertStates(tx: EntityManager, states: ItemState[]) {
    if (!states.length) return;
    await preparedRows(
      tx,
      'capture_upsert_states',
      `INSERT INTO pack_state (epc, kind, gtin, serial, lot, expiry, status, custodian_id, location, destination,
                               container_epc, commissioned_by, last_event_id, last_event_time, status_changed_at,
                               status_changed_by, status_recorded_at, updated_at, first_record_time, last_record_time)
       SELECT u.*, now(), t.rt, t.rt FROM unnest($1::text[], $2::text[], $3::char(14)[], $4::text[], $5::text[], $6::date[], $7::text[],
                            $8::uuid[], $9::text[], $10::text[], $11::text[], $12::uuid[], $13::bigint[], $14::timestamptz[],
                            $15::timestamptz[], $16::uuid[], $17::timestamptz[]) AS u, (SELECT event_record_time() AS rt) t
       ON CONFLICT (epc) DO UPDATE SET
         kind = EXCLUDED.kind, gtin = EXCLUDED.gtin, serial = EXCLUDED.serial, lot = EXCLUDED.lot, expiry = EXCLUDED.expiry,
         status = EXCLUDED.status, status_changed_at = EXCLUDED.status_changed_at, status_changed_by = EXCLUDED.status_changed_by,
         status_recorded_at = EXCLUDED.status_recorded_at, custodian_id = EXCLUDED.custodian_id, location = EXCLUDED.location,
         destination = EXCLUDED.destination, container_epc = EXCLUDED.container_epc,
         commissioned_by = EXCLUDED.commissioned_by, last_event_id = EXCLUDED.last_event_id,
         last_event_time = EXCLUDED.last_event_time, updated_at = now(),
         -- A state with no span (written without one) keeps none: its reads probe every month.
         first_record_time = CASE WHEN pack_state.first_record_time IS NOT NULL THEN least(pack_state.first_record_time, EXCLUDED.first_record_time) END,
         last_record_time = CASE WHEN pack_state.first_record_time IS NOT NULL THEN greatest(pack_state.last_record_time, EXCLUDED.last_record_time) END`,
      [
        states.map((s) => s.epc),
        states.map((s) => s.kind),
        states.map((s) => s.gtin),
        states.map((s) => s.serial),
        states.map((s) => s.lot),
        states.map((s) => s.expiry),
        states.map((s) => s.status),
        states.map((s) => s.custodianId),
        states.map((s) => s.location),
        states.map((s) => s.destination),
        states.map((s) => s.containerEpc),
        states.map((s) => s.commissionedBy),
        states.map((s) => s.lastEventId),
        states.map((s) => s.lastEventTime.toISOString()),
        states.map((s) => s.statusChangedAt.toISOString()),
        states.map((s) => s.statusChangedBy),
        states.map((s) => s.statusRecordedAt.toISOString()),
      ],
    );
  }

  /**
   * States of items that had none when the chunk locked (commissioned packs, new cases), by COPY: a state another
   * capture created since fails the copy on the key (createdMeanwhile), and storeChunk judges the chunk again.
   */
  private async createStates(tx: EntityManager, states: ItemState[], rt: string) {
    if (!states.length) return;
    const rows = new CopyText();
    for (const s of states) rows.add(packStateCopyLine(s, rt, rt));
    await copyRows(tx, PACK_STATE_COPY, rows);
  }

  /** Each GTIN a state names, with its manufacturer, the first time one is seen. */
  private async recordProducts(tx: EntityManager, states: ItemState[]) {
    const products = [...new Map(states.filter((s) => s.kind === 'sgtin' && s.gtin).map((s) => [s.gtin!, s.commissionedBy])).entries()];
    if (products.length) {
      await preparedRows(
        tx,
        'capture_products',
        `INSERT INTO product (gtin, manufacturer_id) SELECT * FROM unnest($1::char(14)[], $2::uuid[]) ON CONFLICT DO NOTHING`,
        [products.map(([gtin]) => gtin), products.map(([, by]) => by)],
      );
    }
  }
}

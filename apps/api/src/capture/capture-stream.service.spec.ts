import type { Organization } from '@pharmatrace/domain';
import type { AppConfig } from '@pharmatrace/config';
import type { ItemState } from '@pharmatrace/domain';
import {
  commissioningEvent,
  createEpcisValidator,
  decommissioningEvent,
  EPCIS_CONTEXT,
  epcisDocument,
  EpcisValidator,
  eventHashes,
  hashDigest,
  Json,
  MAX_STRING_LENGTH,
  StreamedEpcisEvent,
  streamEpcisJsonEvents,
  streamEpcisXmlEvents,
  writeEpcisXml,
} from '@pharmatrace/epcis';
import {
  AlertRecord,
  CaptureOutcome,
  CaptureSession,
  EventRepository,
  ForeignCorrectionError,
  LicenceRepository,
  NewEvent,
  SqlRunner,
  StateReducer,
  VerificationRepository,
} from '@pharmatrace/persistence';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { Clock } from '../common/clock';
import { TradingPartnerLoader } from '../licences/trading-partner.loader';
import { ApiMetrics } from '../metrics/api.metrics';
import { CaptureError, CaptureErrorCode } from './capture.error';
import { CaptureStreamService, StreamCaptureOptions } from './capture-stream.service';
import { MANUFACTURER, PHARMACY } from '../common/organization.fixtures';
import { fakeMasterData } from '../master-data/master-data.fake';

interface Tables {
  events: Map<string, { id: number; capturedBy: string; event: NewEvent }>;
  states: Map<string, ItemState>;
  corrections: { eventId: number; declaredBy: string; at: string }[];
}

type SessionEnd = 'open' | 'committed' | 'rolled back';

/**
 * EventRepository.openCaptureSession over Maps: each session works on its own copy of the tables, which a commit
 * makes the store's and a rollback drops. Chunks follow storeChunk's rules (the first of several events with one
 * hash is stored, a stored hash is a duplicate unless it declares that event in error, and only its capturer may),
 * and each chunk's reducer sees the states earlier chunks of the same session wrote. As the real session, one whose
 * `add` failed accepts only a rollback.
 */
class FakeEventStore {
  tables: Tables = { events: new Map(), states: new Map(), corrections: [] };
  readonly sessions: { chunks: number[]; end: SessionEnd }[] = [];
  /** Set to make the nth `add` of the next session (from 0) fail as a lost connection would. */
  failAddAt: number | null = null;
  private nextId = 1;

  async openCaptureSession(capturedBy: string, reduce: StateReducer): Promise<CaptureSession> {
    const tx: Tables = {
      events: new Map(this.tables.events),
      states: new Map(this.tables.states),
      corrections: [...this.tables.corrections],
    };
    const record = { chunks: [] as number[], end: 'open' as SessionEnd };
    this.sessions.push(record);
    const failAt = this.failAddAt;
    this.failAddAt = null;
    let broken = false;
    const finish = (end: SessionEnd) => async () => {
      if (record.end !== 'open') return;
      if (end === 'committed' && broken) throw new Error('current transaction is aborted');
      record.end = end;
      if (end === 'committed') this.tables = tx;
    };
    return {
      add: async (events) => {
        if (record.end !== 'open' || broken) throw new Error('capture session is closed');
        record.chunks.push(events.length);
        try {
          if (failAt === record.chunks.length - 1) throw new Error('connection terminated unexpectedly');
          return this.storeChunk(tx, capturedBy, events, reduce);
        } catch (e) {
          broken = true;
          throw e;
        }
      },
      alongside: async (work) => void (await work({} as SqlRunner)),
      commit: finish('committed'),
      rollback: finish('rolled back'),
    };
  }

  private withContents(tx: Tables, epcs: string[]): ItemState[] {
    const found = new Map<string, ItemState>();
    const visit = (epc: string) => {
      const state = tx.states.get(epc);
      if (!state || found.has(epc)) return;
      found.set(epc, structuredClone(state));
      for (const s of tx.states.values()) if (s.containerEpc === epc) visit(s.epc);
    };
    epcs.forEach(visit);
    return [...found.values()];
  }

  private storeChunk(tx: Tables, capturedBy: string, events: NewEvent[], reduce: StateReducer): CaptureOutcome {
    const key = (e: NewEvent) => e.hash.toString('hex');
    const fresh = events.filter((e, i) => !tx.events.has(key(e)) && events.findIndex((o) => key(o) === key(e)) === i);
    const declaring = events.filter((e) => e.errorDeclaration && !fresh.includes(e));
    const foreign = declaring.filter((e) => (tx.events.get(key(e))?.capturedBy ?? capturedBy) !== capturedBy);
    if (foreign.length) throw new ForeignCorrectionError(foreign.map((e) => e.documentIndex));
    const ids = fresh.map(() => this.nextId++);
    fresh.forEach((e, i) => tx.events.set(key(e), { id: ids[i], capturedBy, event: e }));
    const corrections = [];
    for (const e of declaring) {
      const eventId = tx.events.get(key(e))!.id;
      const at = e.errorDeclaration!.declarationTime.toISOString();
      if (tx.corrections.some((c) => c.eventId === eventId && c.at === at)) continue;
      tx.corrections.push({ eventId, declaredBy: capturedBy, at });
      corrections.push({ id: tx.corrections.length, eventId });
    }
    if (fresh.length) {
      const indexOf = new Map(ids.map((id, i) => [id, fresh[i].documentIndex]));
      const current = this.withContents(tx, [...new Set(fresh.flatMap((e) => e.epcs.map((x) => x.epc)))]);
      const applied = reduce(
        current,
        fresh.map((e, i) => ({ ...e.facts, eventId: ids[i] })),
        (id) => indexOf.get(id) ?? -1,
        new Map(),
      );
      for (const s of applied.states) tx.states.set(s.epc, s);
    }
    return { inserted: fresh.map((e, i) => ({ id: ids[i], hash: e.hash })), corrections, duplicates: [] };
  }

  storedHashes(): string[] {
    return [...this.tables.events.keys()];
  }
}

const NOW = new Date('2026-03-01T12:00:00.000Z');
const pack = (serial: string) => `https://id.gs1.org/01/00614141123452/21/${serial}`;
const hex = (hash: string) => Buffer.from(hashDigest(hash)).toString('hex');

let validator: EpcisValidator;
beforeAll(() => {
  // Compiling the EPCIS schema takes a while; one validator serves every spec here, as one serves the whole API.
  validator = createEpcisValidator();
});

function setup({ now = NOW } = {}) {
  const store = new FakeEventStore();
  const alerts: AlertRecord[] = [];
  const counted = { inserted: 0, duplicates: 0 };
  const config = { eventTimeMaxSkewMs: 5 * 60_000, licenceEnforcement: 'refuse' } as AppConfig;
  const metrics = {
    countCapture: (inserted: number, duplicates: number) => {
      counted.inserted += inserted;
      counted.duplicates += duplicates;
    },
  };
  const clock: Clock = () => now;
  const service = new CaptureStreamService(
    validator,
    store as unknown as EventRepository,
    { recordAlert: async (a: AlertRecord) => void alerts.push(a) } as unknown as VerificationRepository,
    metrics as unknown as ApiMetrics,
    config,
    clock,
    new TradingPartnerLoader({ tradingPartners: async () => ({ partners: [], horizon: '1' }) } as unknown as LicenceRepository, config),
    fakeMasterData().service,
  );
  /** Streams `document` through the real JSON reader, as EPCIS REST does from its spooled file. */
  const capture = (org: Organization, document: unknown, options?: StreamCaptureOptions) =>
    service.capture(org, streamEpcisJsonEvents(Readable.from([Buffer.from(JSON.stringify(document))])), options);
  return { service, store, alerts, counted, capture };
}

const commission = (serial: string, over: Partial<{ eventTime: string; lot: string }> = {}) =>
  commissioningEvent({
    eventTime: over.eventTime ?? '2026-03-01T11:00:00.000Z',
    epcs: [pack(serial)],
    lot: over.lot ?? 'LOT42',
    expiry: '2028-01-31',
  });
const serials = (n: number) => Array.from({ length: n }, (_, i) => `S${i + 1}`);

/** The CaptureError a capture refuses with, or a failure naming what happened instead. */
async function refusal(promise: Promise<unknown>): Promise<CaptureError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a CaptureError, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof CaptureError)) throw outcome.error;
  return outcome.error;
}

describe('a streamed capture', () => {
  it('stores every event under its CBV hash in one committed session, and counts them', async () => {
    const { store, counted, capture } = setup();
    const document = epcisDocument(serials(3).map((s) => commission(s)));
    await expect(capture(MANUFACTURER, document)).resolves.toEqual({
      eventCount: 3,
      capturedCount: 3,
      duplicateCount: 0,
      // The hash URIs in document order, as a capture job reports them.
      eventHashes: eventHashes(document).map((h) => h.hash),
    });

    expect(store.storedHashes().sort()).toEqual(
      eventHashes(document)
        .map((h) => hex(h.hash))
        .sort(),
    );
    expect(store.sessions).toEqual([{ chunks: [3], end: 'committed' }]);
    expect(store.tables.states.get(pack('S2'))).toMatchObject({ status: 'ACTIVE', custodianId: MANUFACTURER.id, lot: 'LOT42' });
    expect(counted).toEqual({ inserted: 3, duplicates: 0 });
  });

  it('stores the same events and hashes from the XML reader as from the JSON one', async () => {
    const { store, capture } = setup();
    const document = epcisDocument([commission('S1'), commission('S2')]) as Parameters<typeof writeEpcisXml>[0];
    const xml = setup();
    await capture(MANUFACTURER, document);
    await xml.service.capture(MANUFACTURER, streamEpcisXmlEvents(Readable.from([Buffer.from(writeEpcisXml(document, '2.0'))])));
    expect(xml.store.storedHashes().sort()).toEqual(store.storedHashes().sort());
    expect([...xml.store.tables.states.keys()].sort()).toEqual([pack('S1'), pack('S2')]);
  });

  it('cuts chunks at chunkEvents, and stores the same whatever the chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 8 }), async (n, chunkEvents) => {
        const { store, capture } = setup();
        const document = epcisDocument(serials(n).map((s) => commission(s)));
        await expect(capture(MANUFACTURER, document, { chunkEvents })).resolves.toEqual({
          eventCount: n,
          capturedCount: n,
          duplicateCount: 0,
          eventHashes: eventHashes(document).map((h) => h.hash),
        });
        const [{ chunks, end }] = store.sessions;
        expect(end).toBe('committed');
        expect(chunks.reduce((a, b) => a + b, 0)).toBe(n);
        expect(chunks.slice(0, -1).every((c) => c === chunkEvents)).toBe(true);
        expect(chunks[chunks.length - 1]).toBeGreaterThan(0);
        expect(chunks[chunks.length - 1]).toBeLessThanOrEqual(chunkEvents);
        expect(store.storedHashes().sort()).toEqual(
          eventHashes(document)
            .map((h) => hex(h.hash))
            .sort(),
        );
      }),
      { numRuns: 30 },
    );
  });

  it('also cuts a chunk once its events reach chunkBytes', async () => {
    const { store, capture } = setup();
    const events = serials(5).map((s) => commission(s));
    const oneEvent = JSON.stringify(events[0]).length;
    await capture(MANUFACTURER, epcisDocument(events), { chunkEvents: 100, chunkBytes: 2 * oneEvent });
    expect(store.sessions[0].chunks).toEqual([2, 2, 1]);
  });

  it('lets a later chunk act on what an earlier chunk of the same document stored', async () => {
    const { store, capture } = setup();
    const document = epcisDocument([commission('S1'), decommissioningEvent({ eventTime: '2026-03-01T11:30:00.000Z', epcs: [pack('S1')] })]);
    await capture(MANUFACTURER, document, { chunkEvents: 1 });
    expect(store.sessions[0].chunks).toEqual([1, 1]);
    expect(store.tables.states.get(pack('S1'))?.status).toBe('DECOMMISSIONED');
  });

  it('counts a document sent again, and an event repeated inside one, as duplicates', async () => {
    const { store, counted, capture } = setup();
    const document = epcisDocument([commission('S1'), commission('S2'), commission('S1')]);
    const ids = eventHashes(document).map((h) => h.hash);
    await expect(capture(MANUFACTURER, document, { chunkEvents: 2 })).resolves.toEqual({
      eventCount: 3,
      capturedCount: 2,
      duplicateCount: 1,
      eventHashes: ids,
    });
    await expect(capture(MANUFACTURER, document)).resolves.toEqual({
      eventCount: 3,
      capturedCount: 0,
      duplicateCount: 3,
      eventHashes: ids,
    });
    expect(store.tables.events.size).toBe(2);
    expect(counted).toEqual({ inserted: 2, duplicates: 4 });
  });

  it('captures an empty event list as nothing, committed', async () => {
    const { store, capture } = setup();
    await expect(capture(MANUFACTURER, epcisDocument([]))).resolves.toEqual({
      eventCount: 0,
      capturedCount: 0,
      duplicateCount: 0,
      eventHashes: [],
    });
    expect(store.sessions).toEqual([{ chunks: [], end: 'committed' }]);
  });
});

describe('all or nothing', () => {
  it('refuses a schema-invalid event by its index and rolls back the chunks already added', async () => {
    const { store, counted, capture } = setup();
    const events = [...serials(3).map((s) => commission(s)), { ...commission('S4'), action: 'SOMETIMES' }, commission('S5')];
    const error = await refusal(capture(MANUFACTURER, epcisDocument(events), { chunkEvents: 2 }));
    expect(error.code).toBe(CaptureErrorCode.INVALID_DOCUMENT);
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.issues.every((i) => i.eventIndex === 3)).toBe(true);
    expect(error.issues.map((i) => i.field)).toContain('/action');
    expect(store.sessions).toEqual([{ chunks: [2], end: 'rolled back' }]);
    expect(store.tables.events.size).toBe(0);
    expect(counted).toEqual({ inserted: 0, duplicates: 0 });
  });

  it('names the event and field of a GS1 rule broken past the schema', async () => {
    const { store, capture } = setup();
    const error = await refusal(capture(MANUFACTURER, epcisDocument([commission('S1'), commission('S2', { lot: 'LOT WITH SPACES' })])));
    expect(error.code).toBe(CaptureErrorCode.INVALID_DOCUMENT);
    expect(error.issues).toEqual([expect.objectContaining({ eventIndex: 1, field: '/ilmd/cbvmda:lotNumber' })]);
    expect(store.sessions[0].end).toBe('rolled back');
  });

  it('holds each streamed event to the input limits no pipe applied, pointing into the event', async () => {
    const { store, capture } = setup();
    const long = { ...commission('S2'), 'ex:note': 'x'.repeat(MAX_STRING_LENGTH + 1) };
    const document = { ...epcisDocument([commission('S1'), long]), '@context': [EPCIS_CONTEXT, { ex: 'https://ex.example.com/' }] };
    const error = await refusal(capture(MANUFACTURER, document));
    expect(error.code).toBe(CaptureErrorCode.INVALID_DOCUMENT);
    expect(error.issues).toEqual([expect.objectContaining({ eventIndex: 1, field: '/ex:note', rule: 'max-length' })]);
    expect(store.tables.events.size).toBe(0);
  });

  it('reports a syntax error of the reader as an invalid document, where the reader was, and rolls back what was read before it', async () => {
    const { store, service } = setup();
    const text = JSON.stringify(epcisDocument([commission('S1'), commission('S2')]));
    // Two reads, as from a file: the first event is read, and stored, before the bad bytes arrive.
    const reads = [text.slice(0, text.lastIndexOf('{')), '{"type": ObjectEvent}]}}'].map((part) => Buffer.from(part));
    const error = await refusal(service.capture(MANUFACTURER, streamEpcisJsonEvents(Readable.from(reads)), { chunkEvents: 1 }));
    expect(error.code).toBe(CaptureErrorCode.INVALID_DOCUMENT);
    expect(error.issues).toEqual([expect.objectContaining({ eventIndex: 1, rule: 'json-syntax' })]);
    expect(store.sessions).toEqual([{ chunks: [1], end: 'rolled back' }]);
  });

  it('refuses an eventID that is not the hash of its own event, naming it', async () => {
    const { store, capture } = setup();
    const forged = {
      ...commission('S2'),
      eventID: 'ni:///sha-256;0000000000000000000000000000000000000000000000000000000000000000?ver=CBV2.0',
    };
    const error = await refusal(capture(MANUFACTURER, epcisDocument([commission('S1'), forged])));
    expect(error.code).toBe(CaptureErrorCode.EVENT_ID_MISMATCH);
    expect(error.issues).toEqual([expect.objectContaining({ eventIndex: 1, field: '/eventID' })]);
    expect(store.tables.events.size).toBe(0);
  });

  it('accepts an eventID that is the event’s own hash', async () => {
    const { capture } = setup();
    const event = commission('S1');
    const [{ hash }] = eventHashes(epcisDocument([event]));
    await expect(capture(MANUFACTURER, epcisDocument([{ ...event, eventID: hash }]))).resolves.toMatchObject({ capturedCount: 1 });
  });

  it('refuses what the pack states forbid as a conflict, keeps the attempt as an alert, and stores none of the document', async () => {
    const { store, alerts, capture } = setup();
    await capture(MANUFACTURER, epcisDocument([commission('S1'), commission('S2')]));
    const document = epcisDocument([
      decommissioningEvent({ eventTime: '2026-03-01T11:40:00.000Z', epcs: [pack('S2')] }),
      decommissioningEvent({ eventTime: '2026-03-01T11:41:00.000Z', epcs: [pack('S1')] }),
      decommissioningEvent({ eventTime: '2026-03-01T11:42:00.000Z', epcs: [pack('S1')], disposition: 'stolen' }),
    ]);
    const error = await refusal(capture(MANUFACTURER, document, { chunkEvents: 1 }));
    expect(error.code).toBe(CaptureErrorCode.CAPTURE_CONFLICT);
    expect(error.issues).toEqual([expect.objectContaining({ eventIndex: 2, field: '/epcList/0', rule: 'PACK_INACTIVE' })]);
    expect(store.sessions[1]).toEqual({ chunks: [1, 1, 1], end: 'rolled back' });
    expect(store.tables.states.get(pack('S1'))?.status).toBe('ACTIVE');
    expect(store.tables.states.get(pack('S2'))?.status).toBe('ACTIVE');
    expect(alerts).toEqual([expect.objectContaining({ code: 'PACK_INACTIVE', epc: pack('S1'), actorId: MANUFACTURER.id })]);
  });

  it("refuses a commissioning of another company's GTIN as forbidden", async () => {
    const { store, alerts, capture } = setup();
    const error = await refusal(capture(PHARMACY, epcisDocument([commission('S1')])));
    expect(error.code).toBe(CaptureErrorCode.CAPTURE_FORBIDDEN);
    expect(error.issues[0]).toMatchObject({ eventIndex: 0, rule: 'NOT_MANUFACTURER' });
    expect(alerts.map((a) => [a.code, a.actorId])).toEqual([['NOT_MANUFACTURER', PHARMACY.id]]);
    expect(store.tables.states.size).toBe(0);
  });

  it("judges event times by the server's clock, read once for the whole document", async () => {
    const ahead = new Date(NOW.getTime() + 5 * 60_000 + 1_000).toISOString();
    const early = setup();
    const error = await refusal(early.capture(MANUFACTURER, epcisDocument([commission('S1', { eventTime: ahead })])));
    expect(error.issues[0]).toMatchObject({ eventIndex: 0, field: '/eventTime', rule: 'FUTURE_EVENT' });

    const later = setup({ now: new Date(NOW.getTime() + 60_000) });
    await expect(later.capture(MANUFACTURER, epcisDocument([commission('S1', { eventTime: ahead })]))).resolves.toMatchObject({
      capturedCount: 1,
    });
  });

  it("refuses to declare another organization's event in error, naming the declaring event", async () => {
    const { store, capture } = setup();
    const original = commission('S1');
    await capture(MANUFACTURER, epcisDocument([original]));
    const declared = { ...original, errorDeclaration: { declarationTime: '2026-03-01T11:50:00.000Z' } };
    const error = await refusal(capture(PHARMACY, epcisDocument([declared])));
    expect(error.code).toBe(CaptureErrorCode.CORRECTION_FORBIDDEN);
    expect(error.issues).toEqual([expect.objectContaining({ eventIndex: 0, field: '/errorDeclaration' })]);
    expect(store.tables.corrections).toHaveLength(0);
    expect(store.sessions[1].end).toBe('rolled back');
  });

  it('keeps an error declaration of a stored event by its capturer as a correction, counted as captured', async () => {
    const { store, capture } = setup();
    const original = commission('S1');
    await capture(MANUFACTURER, epcisDocument([original]));
    const declared = { ...original, errorDeclaration: { declarationTime: '2026-03-01T11:50:00.000Z', reason: 'incorrect_data' } };
    await expect(capture(MANUFACTURER, epcisDocument([declared]))).resolves.toMatchObject({
      eventCount: 1,
      capturedCount: 1,
      duplicateCount: 0,
    });
    await expect(capture(MANUFACTURER, epcisDocument([declared]))).resolves.toMatchObject({
      eventCount: 1,
      capturedCount: 0,
      duplicateCount: 1,
    });
    expect(store.tables.corrections).toEqual([expect.objectContaining({ declaredBy: MANUFACTURER.id })]);
  });

  it('rolls back and passes on a failure of the store itself, untouched', async () => {
    const { store, counted, capture } = setup();
    store.failAddAt = 1;
    const error = await capture(MANUFACTURER, epcisDocument(serials(3).map((s) => commission(s))), { chunkEvents: 1 }).catch((e) => e);
    expect(error).not.toBeInstanceOf(CaptureError);
    expect(error.message).toBe('connection terminated unexpectedly');
    expect(store.sessions).toEqual([{ chunks: [1, 1], end: 'rolled back' }]);
    expect(store.tables.events.size).toBe(0);
    expect(counted).toEqual({ inserted: 0, duplicates: 0 });
  });

  it('rolls back when the reader fails for a reason of its own, passing it on', async () => {
    const { store, service } = setup();
    async function* failing(): AsyncGenerator<StreamedEpcisEvent> {
      yield { index: 0, event: commission('S1'), context: [EPCIS_CONTEXT] };
      throw new Error('ENOENT: spooled file gone');
    }
    await expect(service.capture(MANUFACTURER, failing(), { chunkEvents: 1 })).rejects.toThrow('ENOENT: spooled file gone');
    expect(store.sessions).toEqual([{ chunks: [1], end: 'rolled back' }]);
  });
});

describe('ignoreFields declared in the stream', () => {
  const RX = 'https://repository-x.example.com/';
  const declaring = (names: unknown, events: Json[]) => ({
    '@context': [EPCIS_CONTEXT, { rx: RX }],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-01-01T00:00:00Z',
    'rx:ignoreFields': names,
    epcisBody: { eventList: events },
  });
  const bookkept = (serial: string, captureID: string) => ({ ...commission(serial), 'rx:captureID': captureID });

  it('leaves a declared extension field out of the hash, so a copy differing only there is a duplicate', async () => {
    const { store, capture } = setup();
    const first = declaring(['rx:captureID'], [bookkept('S1', 'c-1')]);
    await expect(capture(MANUFACTURER, first)).resolves.toMatchObject({ capturedCount: 1 });
    expect(store.storedHashes()).toEqual(eventHashes(first).map((h) => hex(h.hash)));
    await expect(capture(MANUFACTURER, declaring(['rx:captureID'], [bookkept('S1', 'c-2')]))).resolves.toMatchObject({
      capturedCount: 0,
      duplicateCount: 1,
    });
    // Undeclared, the field is hashed: the same change makes another event.
    await expect(capture(MANUFACTURER, declaring([], [bookkept('S9', 'c-1')]))).resolves.toMatchObject({ capturedCount: 1 });
    await expect(capture(MANUFACTURER, declaring([], [bookkept('S9', 'c-2')]))).rejects.toMatchObject({
      issues: [expect.objectContaining({ rule: 'SERIAL_EXISTS' })],
    });
  });

  it('refuses a declaration naming standard fields, pointing into it, and stores nothing', async () => {
    const { store, capture } = setup();
    const error = await refusal(
      capture(MANUFACTURER, declaring(['epcList', 'disposition'], [{ ...bookkept('S1', 'c-1'), disposition: 'stolen' }])),
    );
    expect(error.code).toBe(CaptureErrorCode.INVALID_IGNORE_FIELDS);
    expect(error.issues).toEqual([
      expect.objectContaining({ field: '/rx:ignoreFields/0', rule: 'ignoreFields:extension' }),
      expect.objectContaining({ field: '/rx:ignoreFields/1', rule: 'ignoreFields:extension' }),
    ]);
    expect(store.tables.events.size).toBe(0);
  });
});

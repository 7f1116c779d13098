import type { Organization } from '@pharmatrace/domain';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '@pharmatrace/config';
import type { ItemState } from '@pharmatrace/domain';
import {
  CAPTURE_EVENT_LIMIT,
  commissioningEvent,
  createEpcisValidator,
  epcisDocument,
  EpcisValidator,
  eventHashes,
  hashDigest,
  StreamedEpcisEvent,
  writeEpcisXml,
} from '@pharmatrace/epcis';
import {
  AlertRecord,
  CaptureJob,
  CaptureJobError,
  CaptureJobOutcome,
  CaptureJobRepository,
  type EventIdPage,
  CaptureOutcome,
  CaptureSession,
  EventRepository,
  LicenceRepository,
  NewEvent,
  SignatureRepository,
  SqlRunner,
  StateReducer,
  VerificationRepository,
} from '@pharmatrace/persistence';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CaptureErrorCode } from '../capture/capture.error';
import { CaptureService } from '../capture/capture.service';
import { CaptureStreamService } from '../capture/capture-stream.service';
import { ProceedCaptureService } from '../capture/proceed-capture.service';
import { Clock } from '../common/clock';
import { TradingPartnerLoader } from '../licences/trading-partner.loader';
import { ApiMetrics } from '../metrics/api.metrics';
import { SignatureService } from '../signatures/signature.service';
import { CAPTURE_JOB_ABANDONED_AFTER_MS, CAPTURE_JOB_HEARTBEAT_MS, captureJobView, CaptureJobService } from './capture-job.service';
import { EpcisRestErrorCode } from './epcis-rest.error';
import { MANUFACTURER, PHARMACY } from '../common/organization.fixtures';
import { fakeMasterData } from '../master-data/master-data.fake';

/** A row as stored: every event id (the repository reads a page of them and their count). */
interface JobRow extends Omit<CaptureJob, 'eventIdCount'> {
  heartbeatAt: number;
}

/**
 * CaptureJobRepository over a Map and a clock of its own (the database's clock_timestamp()), following its SQL: a job
 * starts running with a fresh heartbeat, succeed and fail end it whatever its state, the sweep ends only running jobs
 * whose heartbeat is older than the window, and another organization's job is absent. Rows are handed out as copies.
 * `down` makes every statement fail, as a database that is briefly away.
 */
class FakeCaptureJobs {
  readonly rows = new Map<string, JobRow>();
  now = Date.parse('2026-03-01T12:00:00.000Z');
  down = false;

  private ready() {
    if (this.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    return Promise.resolve();
  }

  /** A row as the SQL reads it: `event_ids[offset + 1 : offset + limit]` and their count. */
  private view({ heartbeatAt: _, ...job }: JobRow, ids: EventIdPage = { offset: 0, limit: 0 }): CaptureJob {
    const eventIds = job.eventIds && job.eventIds.slice(ids.offset, ids.offset + ids.limit);
    return structuredClone({ ...job, eventIds, eventIdCount: job.eventIds?.length ?? 0 });
  }

  seed(organizationId: string, over: Partial<JobRow> = {}): JobRow {
    const row: JobRow = {
      id: randomUUID(),
      organizationId,
      createdAt: new Date(this.now),
      finishedAt: null,
      running: true,
      success: null,
      capturedCount: null,
      duplicateCount: null,
      errors: [],
      captureErrorBehaviour: 'rollback',
      refusedCount: null,
      eventIds: null,
      heartbeatAt: this.now,
      ...over,
    };
    this.rows.set(row.id, row);
    return row;
  }

  async start(organizationId: string, captureErrorBehaviour: 'rollback' | 'proceed' = 'rollback'): Promise<CaptureJob> {
    await this.ready();
    return this.view(this.seed(organizationId, { captureErrorBehaviour }));
  }

  /** Set to make recording an outcome fail while everything else works (a constraint, a lost connection). */
  finishFails = false;

  async finish(id: string, { errors, ...outcome }: CaptureJobOutcome) {
    await this.ready();
    if (this.finishFails) throw new Error('connection terminated');
    const row = this.rows.get(id);
    if (row)
      Object.assign(row, {
        running: false,
        success: !errors.length,
        finishedAt: new Date(this.now),
        errors: structuredClone(errors),
        ...outcome,
      });
  }

  async fail(id: string, errors: CaptureJobError[]) {
    await this.ready();
    const row = this.rows.get(id);
    if (row) Object.assign(row, { running: false, success: false, finishedAt: new Date(this.now), errors: structuredClone(errors) });
  }

  async heartbeat(ids: readonly string[]) {
    await this.ready();
    for (const id of ids) {
      const row = this.rows.get(id);
      if (row?.running) row.heartbeatAt = this.now;
    }
  }

  async failAbandoned(staleAfterMs: number, errors: CaptureJobError[]): Promise<string[]> {
    await this.ready();
    const ended = [...this.rows.values()].filter((r) => r.running && r.heartbeatAt < this.now - staleAfterMs);
    for (const row of ended)
      Object.assign(row, { running: false, success: false, finishedAt: new Date(this.now), errors: structuredClone(errors) });
    return ended.map((r) => r.id);
  }

  async find(id: string, organizationId: string, ids: EventIdPage): Promise<CaptureJob | null> {
    await this.ready();
    const row = this.rows.get(id);
    return row && row.organizationId === organizationId ? this.view(row, ids) : null;
  }

  async list(organizationId: string, limit: number, ids: EventIdPage, beforeId?: string) {
    await this.ready();
    const mine = [...this.rows.values()]
      .filter((r) => r.organizationId === organizationId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
    const after = beforeId === undefined ? 0 : mine.findIndex((r) => r.id === beforeId) + 1;
    const rows = mine.slice(after, after + limit + 1);
    return { jobs: rows.slice(0, limit).map((r) => this.view(r, ids)), hasMore: rows.length > limit };
  }

  get(id: string): JobRow {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no job ${id}`);
    return row;
  }
}

/**
 * The event store both capture paths write to: EventRepository.capture is one capture session added to once and
 * committed. A session works on a copy of the store's events and states that only a commit keeps. `hold()` keeps every
 * capture waiting until released, so a job can be seen while it runs; `broken` makes the store fail as a lost
 * connection would.
 */
class FakeEventStore {
  events = new Map<string, NewEvent>();
  states = new Map<string, ItemState>();
  broken = false;
  private gate: Promise<void> = Promise.resolve();
  private nextId = 1;

  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = Promise.resolve();
      release();
    };
  }

  async openCaptureSession(_capturedBy: string, reduce: StateReducer): Promise<CaptureSession> {
    await this.gate;
    if (this.broken) throw new Error('connection terminated unexpectedly');
    const events = new Map(this.events);
    const states = new Map(this.states);
    let open = true;
    return {
      add: async (chunk) => this.storeChunk(events, states, chunk, reduce),
      alongside: async (work) => void (await work({} as SqlRunner)),
      commit: async () => {
        if (!open) return;
        open = false;
        this.events = events;
        this.states = states;
      },
      rollback: async () => {
        open = false;
      },
    };
  }

  async capture(capturedBy: string, chunk: NewEvent[], reduce: StateReducer): Promise<CaptureOutcome> {
    const session = await this.openCaptureSession(capturedBy, reduce);
    try {
      const outcome = await session.add(chunk);
      await session.commit();
      return outcome;
    } catch (e) {
      await session.rollback();
      throw e;
    }
  }

  private storeChunk(
    events: Map<string, NewEvent>,
    states: Map<string, ItemState>,
    chunk: NewEvent[],
    reduce: StateReducer,
  ): CaptureOutcome {
    const key = (e: NewEvent) => e.hash.toString('hex');
    const fresh = chunk.filter((e, i) => !events.has(key(e)) && chunk.findIndex((o) => key(o) === key(e)) === i);
    const ids = fresh.map(() => this.nextId++);
    fresh.forEach((e) => events.set(key(e), e));
    if (fresh.length) {
      const indexOf = new Map(ids.map((id, i) => [id, fresh[i].documentIndex]));
      const touched = new Set(fresh.flatMap((e) => e.epcs.map((x) => x.epc)));
      const current = [...touched].flatMap((epc) => (states.has(epc) ? [structuredClone(states.get(epc)!)] : []));
      const applied = reduce(
        current,
        fresh.map((e, i) => ({ ...e.facts, eventId: ids[i] })),
        (id) => indexOf.get(id) ?? -1,
        new Map(),
      );
      for (const s of applied.states) states.set(s.epc, s);
    }
    return { inserted: fresh.map((e, i) => ({ id: ids[i], hash: e.hash })), corrections: [], duplicates: [] };
  }
}

const NOW = new Date('2026-03-01T12:00:00.000Z');
const pack = (serial: string) => `https://id.gs1.org/01/00614141123452/21/${serial}`;
const commission = (serial: string) =>
  commissioningEvent({ eventTime: '2026-03-01T11:00:00.000Z', epcs: [pack(serial)], lot: 'LOT42', expiry: '2028-01-31' });

let validator: EpcisValidator;
beforeAll(() => {
  // Compiling the EPCIS schema takes a while; one validator serves every spec here, as one serves the whole API.
  validator = createEpcisValidator();
  // The service logs the failures these specs cause on purpose; what it decides is asserted on the jobs.
  Logger.overrideLogger(false);
});

function setup({ requireSigned = false, streamed }: { requireSigned?: boolean; streamed?: CaptureStreamService } = {}) {
  const store = new FakeEventStore();
  const jobs = new FakeCaptureJobs();
  const alerts: AlertRecord[] = [];
  const config = { eventTimeMaxSkewMs: 5 * 60_000, licenceEnforcement: 'refuse' } as AppConfig;
  const clock: Clock = () => NOW;
  const events = store as unknown as EventRepository;
  const verification = { recordAlert: async (a: AlertRecord) => void alerts.push(a) } as unknown as VerificationRepository;
  const metrics = { countCapture: () => undefined } as unknown as ApiMetrics;
  const partners = new TradingPartnerLoader(
    { tradingPartners: async () => ({ partners: [], horizon: '1' }) } as unknown as LicenceRepository,
    config,
  );
  const signatures = new SignatureService({
    signingKeyOf: async () => ({
      ethAddress: requireSigned ? '0x0000000000000000000000000000000000000001' : null,
      requireSignedCaptures: requireSigned,
    }),
  } as unknown as SignatureRepository);
  const masterData = fakeMasterData().service;
  const capture = new CaptureService(validator, events, verification, signatures, metrics, config, clock, partners, masterData);
  const streamCapture = streamed ?? new CaptureStreamService(validator, events, verification, metrics, config, clock, partners, masterData);
  const proceeding = new ProceedCaptureService(
    new CaptureStreamService(validator, events, verification, metrics, config, clock, partners, masterData),
    events,
    verification,
    metrics,
    config,
    clock,
    partners,
    masterData,
  );
  const service = new CaptureJobService(capture, streamCapture, proceeding, jobs as unknown as CaptureJobRepository);
  // onModuleDestroy waits for every capture already accepted: the way to see a job's outcome.
  const settled = () => service.onModuleDestroy();
  return { service, store, jobs, alerts, settled };
}

const body = (text: string) => Readable.from([Buffer.from(text)]);

/** Spooled files still in the temporary directory holding `marker`: a capture must leave none behind. */
async function spooledWith(marker: string): Promise<string[]> {
  const names = (await readdir(tmpdir())).filter((n) => n.startsWith('pharmatrace-capture-'));
  const holding = await Promise.all(
    names.map(async (n) => ((await readFile(join(tmpdir(), n), 'utf8').catch(() => '')).includes(marker) ? [n] : [])),
  );
  return holding.flat();
}

describe('a capture job for a document read whole', () => {
  it('refuses a document the capture would refuse before any job exists', async () => {
    const { service, jobs } = setup();
    const invalid = epcisDocument([{ ...commission('S1'), action: 'SOMETIMES' }]);
    await expect(service.start(MANUFACTURER, invalid)).rejects.toMatchObject({ code: CaptureErrorCode.INVALID_DOCUMENT });
    expect(jobs.rows.size).toBe(0);
  });

  it('answers a running job at once, and ends it as a success with what was captured', async () => {
    const { service, store, jobs, settled } = setup();
    const release = store.hold();
    const job = await service.start(MANUFACTURER, epcisDocument([commission('S1'), commission('S2'), commission('S1')]));
    expect(captureJobView(job)).toMatchObject({ running: true, success: true, errors: [] });
    expect(captureJobView(job)).not.toHaveProperty('finishedAt');
    expect(jobs.get(job.id).running).toBe(true);

    release();
    await settled();
    expect(jobs.get(job.id)).toMatchObject({ running: false, success: true, capturedCount: 2, duplicateCount: 1, errors: [] });
    expect([...store.states.keys()].sort()).toEqual([pack('S1'), pack('S2')]);
  });

  it('ends a job refused by the state rules after the 202 as failed, one EPCIS problem per issue, with nothing stored', async () => {
    const { service, store, jobs, alerts, settled } = setup();
    const job = await service.start(PHARMACY, epcisDocument([commission('S1'), commission('S2')]));
    await settled();
    const row = jobs.get(job.id);
    expect(row).toMatchObject({ running: false, success: false, capturedCount: null });
    expect(row.errors).toEqual(
      [0, 1].map((eventIndex) => ({
        type: 'epcisException:SecurityException',
        title: 'Capture of these events forbidden',
        status: 403,
        code: CaptureErrorCode.CAPTURE_FORBIDDEN,
        detail: expect.stringContaining('manufacturer'),
        eventIndex,
        field: '/epcList/0',
        rule: 'NOT_MANUFACTURER',
      })),
    );
    expect(store.events.size).toBe(0);
    expect(alerts).toHaveLength(2);
  });

  it('reports any other typed refusal with its code and details', async () => {
    const { service, jobs, store, settled } = setup({ requireSigned: true });
    const job = await service.start(MANUFACTURER, epcisDocument([commission('S1')]));
    await settled();
    expect(jobs.get(job.id).errors).toEqual([
      expect.objectContaining({
        status: 401,
        code: 'INVALID_SIGNATURE',
        field: 'signature',
        rule: 'SIGNATURE_REQUIRED',
        type: 'epcisException:SecurityException',
      }),
    ]);
    expect(store.events.size).toBe(0);
  });

  it('reports an untyped failure as an internal error, without its internals', async () => {
    const { service, store, jobs, settled } = setup();
    store.broken = true;
    const job = await service.start(MANUFACTURER, epcisDocument([commission('S1')]));
    await settled();
    const [problem] = jobs.get(job.id).errors;
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL_SERVER_ERROR', type: 'epcisException:ImplementationException' });
    expect(JSON.stringify(jobs.get(job.id).errors)).not.toContain('connection terminated');
  });
});

describe('a capture job for a streamed body', () => {
  it('spools the body, answers a running job, then captures it event by event and removes the file', async () => {
    const { service, store, jobs, settled } = setup();
    const marker = `SP${randomUUID().slice(0, 8)}`;
    const release = store.hold();
    const job = await service.startStream(MANUFACTURER, body(JSON.stringify(epcisDocument([commission(marker), commission('S2')]))), {
      format: 'json',
    });
    expect(jobs.get(job.id).running).toBe(true);
    expect(await spooledWith(marker)).toHaveLength(1);

    release();
    await settled();
    expect(jobs.get(job.id)).toMatchObject({ running: false, success: true, capturedCount: 2, duplicateCount: 0 });
    expect(store.states.has(pack(marker))).toBe(true);
    expect(await spooledWith(marker)).toEqual([]);
  });

  it('reads an XML body with the XML reader', async () => {
    const { service, store, jobs, settled } = setup();
    const xml = writeEpcisXml(epcisDocument([commission('X1')]) as Parameters<typeof writeEpcisXml>[0], '2.0');
    const job = await service.startStream(MANUFACTURER, body(xml), { format: 'xml', charset: 'utf-8' });
    await settled();
    expect(jobs.get(job.id)).toMatchObject({ success: true, capturedCount: 1 });
    expect(store.states.has(pack('X1'))).toBe(true);
  });

  it('accepts any streamed body, and reports its problems, syntax included, in the job', async () => {
    const { service, store, jobs, settled } = setup();
    const invalid = await service.startStream(
      MANUFACTURER,
      body(JSON.stringify(epcisDocument([commission('S1'), { ...commission('S2'), action: 'SOMETIMES' }]))),
      {
        format: 'json',
      },
    );
    const malformed = await service.startStream(MANUFACTURER, body('{"type": "EPCISDocument", "epcisBody": {"eventList": [{"type": Obj'), {
      format: 'json',
    });
    await settled();
    expect(jobs.get(invalid.id)).toMatchObject({ success: false });
    expect(jobs.get(invalid.id).errors.length).toBeGreaterThan(0);
    expect(
      jobs.get(invalid.id).errors.every((p) => p.code === CaptureErrorCode.INVALID_DOCUMENT && p.eventIndex === 1 && p.status === 400),
    ).toBe(true);
    expect(jobs.get(malformed.id)).toMatchObject({
      success: false,
      errors: [expect.objectContaining({ code: CaptureErrorCode.INVALID_DOCUMENT, rule: 'json-syntax' })],
    });
    expect(store.events.size).toBe(0);
  });

  it('starts no job for a body the client abandoned, and removes what was spooled', async () => {
    const { service, jobs } = setup();
    const marker = `ABANDONED-${randomUUID()}`;
    const aborted = new Readable({ read() {} });
    aborted.push(Buffer.from(`{"type": "EPCISDocument", "note": "${marker}"`));
    setImmediate(() => aborted.destroy());
    await expect(service.startStream(MANUFACTURER, aborted, { format: 'json' })).rejects.toThrow('closed the connection');
    expect(jobs.rows.size).toBe(0);
    expect(await spooledWith(marker)).toEqual([]);
  });

  it('starts no job when the job cannot be recorded, and removes the spooled file', async () => {
    const { service, jobs } = setup();
    const marker = `NJ${randomUUID().slice(0, 8)}`;
    jobs.down = true;
    await expect(
      service.startStream(MANUFACTURER, body(JSON.stringify(epcisDocument([commission(marker)]))), { format: 'json' }),
    ).rejects.toThrow('ECONNREFUSED');
    expect(await spooledWith(marker)).toEqual([]);
  });

  it('fails the capture at the first event past GS1-EPCIS-Capture-Limit, before reading the rest', async () => {
    // A stand-in for the streamed capture that only reads: the limit is the job's, and 10,001 real captures are slow.
    let read = 0;
    const reader = {
      capture: async (_org: Organization, events: AsyncIterable<StreamedEpcisEvent>) => {
        for await (const _ of events) read++;
        return { eventCount: read, capturedCount: read, duplicateCount: 0, eventHashes: [] };
      },
    } as unknown as CaptureStreamService;
    const { service, jobs, settled } = setup({ streamed: reader });
    const events = Array.from({ length: CAPTURE_EVENT_LIMIT + 5 }, () => ({ type: 'ObjectEvent' }));
    const job = await service.startStream(MANUFACTURER, body(JSON.stringify({ type: 'EPCISDocument', epcisBody: { eventList: events } })), {
      format: 'json',
    });
    await settled();
    expect(read).toBe(CAPTURE_EVENT_LIMIT);
    expect(jobs.get(job.id)).toMatchObject({
      success: false,
      errors: [
        expect.objectContaining({
          status: 413,
          code: EpcisRestErrorCode.CAPTURE_LIMIT_EXCEEDED,
          rule: 'capture-limit',
          limit: CAPTURE_EVENT_LIMIT,
        }),
      ],
    });
  });

  it('lets a body of exactly GS1-EPCIS-Capture-Limit events through', async () => {
    let read = 0;
    const reader = {
      capture: async (_org: Organization, events: AsyncIterable<StreamedEpcisEvent>) => {
        for await (const _ of events) read++;
        return { eventCount: read, capturedCount: read, duplicateCount: 0, eventHashes: [] };
      },
    } as unknown as CaptureStreamService;
    const { service, jobs, settled } = setup({ streamed: reader });
    const events = Array.from({ length: CAPTURE_EVENT_LIMIT }, () => ({ type: 'ObjectEvent' }));
    const job = await service.startStream(MANUFACTURER, body(JSON.stringify({ type: 'EPCISDocument', epcisBody: { eventList: events } })), {
      format: 'json',
    });
    await settled();
    expect(jobs.get(job.id)).toMatchObject({ success: true, capturedCount: CAPTURE_EVENT_LIMIT });
  });
});

describe('heartbeats and abandoned jobs', () => {
  const INTERRUPTED = expect.objectContaining({
    status: 503,
    code: EpcisRestErrorCode.CAPTURE_INTERRUPTED,
    type: 'epcisException:ImplementationException',
  });

  it("keeps this process's running jobs alive and ends those whose process stopped as CAPTURE_INTERRUPTED", async () => {
    const { service, store, jobs, settled } = setup();
    const dead = jobs.seed(MANUFACTURER.id);
    const release = store.hold();
    const live = await service.start(MANUFACTURER, epcisDocument([commission('S1')]));

    jobs.now += CAPTURE_JOB_ABANDONED_AFTER_MS + 1;
    await expect(service.keepAlive()).resolves.toEqual([dead.id]);
    expect(jobs.get(dead.id)).toMatchObject({ running: false, success: false, errors: [INTERRUPTED] });
    expect(jobs.get(live.id)).toMatchObject({ running: true, heartbeatAt: jobs.now });

    // Still alive a whole window after it started, because this process vouched for it.
    jobs.now += CAPTURE_JOB_ABANDONED_AFTER_MS;
    await expect(service.keepAlive()).resolves.toEqual([]);
    release();
    await settled();
    expect(jobs.get(live.id)).toMatchObject({ running: false, success: true, capturedCount: 1 });
  });

  it('ends only jobs whose heartbeat is older than the window', async () => {
    const { service, jobs } = setup();
    const edge = jobs.seed('org-elsewhere', { heartbeatAt: jobs.now - 1_000 });
    const stale = jobs.seed('org-elsewhere', { heartbeatAt: jobs.now - 1_001 });
    const finished = jobs.seed('org-elsewhere', { heartbeatAt: jobs.now - 10_000, running: false, success: true });
    await expect(service.keepAlive(1_000)).resolves.toEqual([stale.id]);
    expect(jobs.get(edge.id).running).toBe(true);
    expect(jobs.get(finished.id)).toMatchObject({ success: true, errors: [] });
  });

  it('survives a database that is away, and sweeps again once it is back', async () => {
    const { service, jobs } = setup();
    const dead = jobs.seed(MANUFACTURER.id, { heartbeatAt: jobs.now - CAPTURE_JOB_ABANDONED_AFTER_MS - 1 });
    jobs.down = true;
    await expect(service.keepAlive()).resolves.toEqual([]);
    jobs.down = false;
    await expect(service.keepAlive()).resolves.toEqual([dead.id]);
  });

  it('stops vouching for a job whose outcome could not be recorded, so the sweep ends it', async () => {
    const { service, store, jobs, settled } = setup();
    const release = store.hold();
    const job = await service.start(MANUFACTURER, epcisDocument([commission('S1')]));
    jobs.down = true;
    release();
    await settled();
    jobs.down = false;
    expect(jobs.get(job.id).running).toBe(true);

    jobs.now += CAPTURE_JOB_ABANDONED_AFTER_MS + 1;
    await expect(service.keepAlive()).resolves.toEqual([job.id]);
    expect(jobs.get(job.id)).toMatchObject({ running: false, success: false, errors: [INTERRUPTED] });
  });

  it('never reports a stored capture as failed when only recording its success fails', async () => {
    const { service, store, jobs, settled } = setup();
    jobs.finishFails = true;
    const job = await service.start(MANUFACTURER, epcisDocument([commission('S1')]));
    await settled();
    expect([...store.states.keys()]).toEqual([pack('S1')]);
    expect(jobs.get(job.id)).toMatchObject({ running: true, success: null });

    jobs.now += CAPTURE_JOB_ABANDONED_AFTER_MS + 1;
    await expect(service.keepAlive()).resolves.toEqual([job.id]);
    expect(jobs.get(job.id)).toMatchObject({ running: false, success: false, errors: [INTERRUPTED] });
  });

  it('sweeps at start-up and on every heartbeat tick until the module is destroyed', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask', 'performance'] });
    try {
      const { service, jobs } = setup();
      const old = -CAPTURE_JOB_ABANDONED_AFTER_MS - 1;
      const first = jobs.seed('org-elsewhere', { heartbeatAt: jobs.now + old });
      service.onModuleInit();
      await jest.advanceTimersByTimeAsync(0);
      expect(jobs.get(first.id).running).toBe(false);

      const second = jobs.seed('org-elsewhere', { heartbeatAt: jobs.now + old });
      await jest.advanceTimersByTimeAsync(CAPTURE_JOB_HEARTBEAT_MS);
      expect(jobs.get(second.id).running).toBe(false);

      await service.onModuleDestroy();
      const third = jobs.seed('org-elsewhere', { heartbeatAt: jobs.now + old });
      await jest.advanceTimersByTimeAsync(3 * CAPTURE_JOB_HEARTBEAT_MS);
      expect(jobs.get(third.id).running).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('lets captures already accepted finish before the module is destroyed', async () => {
    const { service, store, jobs } = setup();
    const release = store.hold();
    const job = await service.start(MANUFACTURER, epcisDocument([commission('S1')]));
    let destroyed = false;
    const destroying = service.onModuleDestroy().then(() => (destroyed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(destroyed).toBe(false);
    release();
    await destroying;
    expect(jobs.get(job.id)).toMatchObject({ running: false, success: true });
  });
});

describe('reading jobs', () => {
  it("finds an organization's own job, and answers another organization's as absent", async () => {
    const { service, jobs } = setup();
    const mine = jobs.seed(MANUFACTURER.id);
    await expect(service.find(mine.id, MANUFACTURER)).resolves.toMatchObject({ id: mine.id });
    for (const id of [mine.id, randomUUID()]) {
      await expect(service.find(id, PHARMACY)).rejects.toMatchObject({
        code: EpcisRestErrorCode.CAPTURE_JOB_NOT_FOUND,
        details: { captureID: id },
      });
    }
  });

  it("lists an organization's jobs newest first, page by page", async () => {
    const { service, jobs } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(jobs.seed(MANUFACTURER.id).id);
      jobs.seed(PHARMACY.id);
      jobs.now += 1_000;
    }
    const first = await service.list(MANUFACTURER, 2);
    const second = await service.list(MANUFACTURER, 2, first.jobs[1].id);
    const last = await service.list(MANUFACTURER, 2, second.jobs[1].id);
    expect([first, second, last].map((p) => p.hasMore)).toEqual([true, true, false]);
    expect([...first.jobs, ...second.jobs, ...last.jobs].map((j) => j.id)).toEqual([...ids].reverse());
  });

  it('shows a job in the binding’s terms', () => {
    const job: CaptureJob = {
      id: 'a3b5c7d9-0000-4000-8000-000000000001',
      organizationId: MANUFACTURER.id,
      createdAt: new Date('2026-03-01T12:00:00.000Z'),
      finishedAt: new Date('2026-03-01T12:00:01.500Z'),
      running: false,
      success: false,
      capturedCount: null,
      duplicateCount: null,
      errors: [{ type: 'epcisException:ValidationException', title: 't', status: 400, detail: 'd' }],
      captureErrorBehaviour: 'rollback',
      refusedCount: null,
      eventIds: null,
      eventIdCount: 0,
    };
    expect(captureJobView(job)).toEqual({
      captureID: job.id,
      createdAt: '2026-03-01T12:00:00.000Z',
      finishedAt: '2026-03-01T12:00:01.500Z',
      running: false,
      success: false,
      captureErrorBehaviour: 'rollback',
      errors: job.errors,
      capturedCount: null,
      duplicateCount: null,
      refusedCount: null,
      eventIDs: [],
      eventIDCount: 0,
    });
    // Running: no finishedAt at all (the binding types it as a date-time), and success means no error so far.
    expect(captureJobView({ ...job, finishedAt: null, running: true, success: null })).not.toHaveProperty('finishedAt');
    expect(captureJobView({ ...job, finishedAt: null, running: true, success: null, errors: [] }).success).toBe(true);
    expect(captureJobView({ ...job, success: true, errors: [], capturedCount: 3, duplicateCount: 1 })).toMatchObject({
      capturedCount: 3,
      duplicateCount: 1,
    });
  });
});

describe('a capture job with GS1-Capture-Error-Behaviour: proceed', () => {
  /** Two good events, one the schema refuses (1), one the state rules refuse (3: S1 commissioned again), one duplicate (4). */
  const mixed = () =>
    epcisDocument([
      commission('S1'),
      { ...commission('S2'), action: 'SOMETIMES' },
      commission('S3'),
      { ...commission('S1'), eventTime: '2026-03-01T11:30:00.000Z' },
      commission('S3'),
    ]);

  const expectMixedOutcome = (store: FakeEventStore, row: JobRow, document: unknown) => {
    const hashes = eventHashes(document).map((h) => h.hash);
    expect(row).toMatchObject({
      running: false,
      success: false,
      captureErrorBehaviour: 'proceed',
      capturedCount: 2,
      duplicateCount: 1,
      refusedCount: 2,
      eventIds: [hashes[0], hashes[2], hashes[4]],
    });
    expect(row.errors).toEqual([
      expect.objectContaining({ code: CaptureErrorCode.INVALID_DOCUMENT, eventIndex: 1, field: '/action', status: 400 }),
      expect.objectContaining({ code: CaptureErrorCode.CAPTURE_CONFLICT, eventIndex: 3, field: '/epcList/0', rule: 'SERIAL_EXISTS' }),
    ]);
    // Nothing refused is stored, everything reported stored is.
    expect([...store.events.keys()].sort()).toEqual([hashes[0], hashes[2]].map((h) => Buffer.from(hashDigest(h)).toString('hex')).sort());
    expect([...store.states.keys()].sort()).toEqual([pack('S1'), pack('S3')]);
  };

  it('stores the valid events of a document read whole and reports each refused one with its index, field and rule', async () => {
    const { service, store, jobs, settled } = setup();
    const document = mixed();
    const job = await service.start(MANUFACTURER, document, undefined, 'proceed');
    expect(job.captureErrorBehaviour).toBe('proceed');
    await settled();
    expectMixedOutcome(store, jobs.get(job.id), document);
  });

  it('does the same for a streamed document', async () => {
    const { service, store, jobs, settled } = setup();
    const document = mixed();
    const job = await service.startStream(MANUFACTURER, body(JSON.stringify(document)), { format: 'json' }, 'proceed');
    await settled();
    expectMixedOutcome(store, jobs.get(job.id), document);
  });

  it('succeeds when nothing is refused, and refuses before the 202 only what concerns the whole document', async () => {
    const { service, jobs, settled } = setup();
    const job = await service.start(MANUFACTURER, epcisDocument([commission('S1'), commission('S2')]), undefined, 'proceed');
    await settled();
    expect(jobs.get(job.id)).toMatchObject({ success: true, capturedCount: 2, refusedCount: 0, errors: [] });
    await expect(service.start(MANUFACTURER, { type: 'EPCISDocument', epcisBody: {} }, undefined, 'proceed')).rejects.toMatchObject({
      code: CaptureErrorCode.INVALID_DOCUMENT,
    });
  });
});

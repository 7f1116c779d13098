import type { Organization } from '@pharmatrace/domain';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  type DocumentHeaderSink,
  eventCountOf,
  EpcisValidationError,
  eventsOf,
  ignoreFieldsIssues,
  StreamedEpcisEvent,
  streamEpcisJsonEvents,
  streamEpcisXmlEvents,
} from '@pharmatrace/epcis';
import { CaptureJob, CaptureJobError, CaptureJobOutcome, CaptureJobRepository } from '@pharmatrace/persistence';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CaptureError, CaptureErrorCode } from '../capture/capture.error';
import { documentEvents, ProceedCaptureResult, ProceedCaptureService } from '../capture/proceed-capture.service';
import { CaptureService } from '../capture/capture.service';
import { CaptureStreamService } from '../capture/capture-stream.service';
import { AppError } from '../common/app.error';
import { CAPTURE_EVENT_LIMIT, CAPTURE_FILE_SIZE_LIMIT, type CaptureErrorBehaviour } from './epcis-binding';
import { epcisProblem } from './epcis-problem';
import { EpcisRestError, EpcisRestErrorCode, tooManyEvents } from './epcis-rest.error';
import type { StreamedBody } from './epcis-request.middleware';

export interface CaptureJobView {
  captureID: string;
  createdAt: string;
  /** Absent while the job runs (the binding types it as a date-time, never null). */
  finishedAt?: string;
  running: boolean;
  /** The binding's meaning: no error so far. A running job has none yet (errors are recorded when it ends). */
  success: boolean;
  captureErrorBehaviour: CaptureErrorBehaviour;
  errors: CaptureJobError[];
  /**
   * Beyond the binding's fields, once the job has finished (null before, and for a job that failed whole): events newly
   * stored, events already stored (a no-op), events refused (by a `proceed` capture; each is in `errors`).
   */
  capturedCount: number | null;
  duplicateCount: number | null;
  refusedCount: number | null;
  /** CBV 2.0 hash URIs of the stored and already stored events, in document order: EVENT_IDS_PER_ANSWER from `eventIDsOffset`. */
  eventIDs: string[];
  /** How many ids the job has in all; more than `eventIDs` holds when it was cut (a `Link: rel="next"` pages on). */
  eventIDCount: number;
}

/** Event ids in one capture job answer; `GET /epcis/capture/{id}?eventIDsOffset=N` pages through the rest. */
export const EVENT_IDS_PER_ANSWER = 1000;

/** `job` as read with the page of its ids that the answer holds (`EVENT_IDS_PER_ANSWER` of them from an offset). */
export function captureJobView(job: CaptureJob): CaptureJobView {
  return {
    captureID: job.id,
    createdAt: job.createdAt.toISOString(),
    ...(job.finishedAt ? { finishedAt: job.finishedAt.toISOString() } : {}),
    running: job.running,
    success: job.success ?? job.errors.length === 0,
    captureErrorBehaviour: job.captureErrorBehaviour,
    errors: job.errors,
    capturedCount: job.capturedCount,
    duplicateCount: job.duplicateCount,
    refusedCount: job.refusedCount,
    eventIDs: job.eventIds ?? [],
    eventIDCount: job.eventIdCount,
  };
}

/** How often this process says its running jobs are alive, and looks for jobs whose process died. */
export const CAPTURE_JOB_HEARTBEAT_MS = 10_000;
/** A running job whose heartbeat is this old belongs to a process that stopped (six heartbeats missed). */
export const CAPTURE_JOB_ABANDONED_AFTER_MS = 60_000;

const INTERRUPTED = [
  epcisProblem(
    EpcisRestErrorCode.CAPTURE_INTERRUPTED,
    'the server capturing this document stopped before it reported the outcome; the capture was all or nothing and capturing is idempotent, so send the document again',
  ),
];

/** Fails the capture at the first event past GS1-EPCIS-Capture-Limit, before reading the rest. */
async function* withinEventLimit(events: AsyncIterable<StreamedEpcisEvent>): AsyncGenerator<StreamedEpcisEvent> {
  for await (const item of events) {
    if (item.index >= CAPTURE_EVENT_LIMIT) throw tooManyEvents(item.index + 1);
    yield item;
  }
}

/**
 * Copies a request body to a file, failing past `limit` bytes. The rest of an oversized body is read and
 * dropped rather than the connection reset, so the client receives the 413.
 */
function spool(body: Readable, file: string, limit: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    let size = 0;
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      body.unpipe(out);
      out.destroy();
      body.resume();
      reject(e);
    };
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        fail(
          new EpcisRestError(
            EpcisRestErrorCode.CAPTURE_LIMIT_EXCEEDED,
            `the body has ${size} bytes or more; GS1-EPCIS-Capture-File-Size-Limit is ${limit}`,
            {
              rule: 'file-size-limit',
              limit,
            },
          ),
        );
      }
    });
    body.on('error', fail);
    body.on('close', () => {
      if (!body.readableEnded) fail(new Error('the client closed the connection before the body ended'));
    });
    out.on('error', fail);
    out.on('finish', () => {
      if (!failed) resolve(size);
    });
    body.pipe(out);
  });
}

/**
 * EPCIS capture jobs. A body read into memory has its size and schema checked before the 202, so a malformed
 * document is refused at once; storing runs after the 202, all or nothing, and its outcome is kept in
 * capture_job. A streamed body is spooled to a temporary file first (memory stays flat whatever its size), then
 * the 202 is sent and the file is read event by event by CaptureStreamService: for those, every problem,
 * syntax included, is reported in the job.
 */
@Injectable()
export class CaptureJobService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CaptureJobService.name);
  private readonly inFlight = new Set<Promise<void>>();
  private readonly runningJobs = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly capture: CaptureService,
    private readonly streamed: CaptureStreamService,
    private readonly proceeding: ProceedCaptureService,
    private readonly jobs: CaptureJobRepository,
  ) {}

  /** `signature`: the document's EIP-712 signature (header X-Pharmatrace-Signature), checked and stored by the capture. */
  async start(
    org: Organization,
    document: unknown,
    signature?: string,
    behaviour: CaptureErrorBehaviour = 'rollback',
  ): Promise<CaptureJob> {
    if (behaviour === 'proceed') return this.startProceeding(org, document);
    // Refused before the 202 as the capture itself would refuse it, by every rule that needs no stored state.
    const hashes = await this.capture.check(document);
    const prepared = await this.capture.prepare(org, document, hashes);
    const job = await this.jobs.start(org.id);
    this.track(
      this.run(job.id, async () => {
        const result = await this.capture.capture(org, document, signature, { hashes, prepared });
        return { ...result, refusedCount: 0, eventIds: result.eventHashes, errors: [] };
      }),
    );
    return job;
  }

  /**
   * A `proceed` capture of a document read whole: only what concerns the document as a whole (the event limit, its
   * shape, its ignoreFields declarations) is refused before the 202; each event is judged in the job.
   */
  private async startProceeding(org: Organization, document: unknown): Promise<CaptureJob> {
    const count = eventCountOf(document);
    if (count > CAPTURE_EVENT_LIMIT) throw tooManyEvents(count);
    try {
      eventsOf(document);
    } catch (e) {
      if (e instanceof EpcisValidationError) throw new CaptureError(CaptureErrorCode.INVALID_DOCUMENT, e.issues);
      throw e;
    }
    const declarationIssues = ignoreFieldsIssues(document);
    if (declarationIssues.length) throw new CaptureError(CaptureErrorCode.INVALID_IGNORE_FIELDS, declarationIssues);
    const job = await this.jobs.start(org.id, 'proceed');
    this.track(this.run(job.id, async () => this.proceedOutcome(await this.proceeding.capture(org, documentEvents(document)))));
    return job;
  }

  private proceedOutcome(result: ProceedCaptureResult): CaptureJobOutcome {
    const errors = result.refused.flatMap(({ code, issues }) => issues.map(({ message, ...where }) => epcisProblem(code, message, where)));
    return { ...result, errors };
  }

  /** Starts the capture of a body left unread by EpcisRequestMiddleware; resolves once the body is received. */
  async startStream(
    org: Organization,
    body: Readable,
    { format, charset }: StreamedBody,
    behaviour: CaptureErrorBehaviour = 'rollback',
  ): Promise<CaptureJob> {
    const file = join(tmpdir(), `pharmatrace-capture-${randomUUID()}.${format}`);
    const removeFile = () => unlink(file).catch(() => undefined);
    let job: CaptureJob;
    try {
      await spool(body, file, CAPTURE_FILE_SIZE_LIMIT);
      job = await this.jobs.start(org.id, behaviour);
    } catch (e) {
      await removeFile();
      throw e;
    }
    const header: DocumentHeaderSink = {};
    const read = () =>
      format === 'xml'
        ? streamEpcisXmlEvents(createReadStream(file), charset, header)
        : streamEpcisJsonEvents(createReadStream(file), header);
    const run = this.run(job.id, async () => {
      if (behaviour === 'proceed') return this.proceedOutcome(await this.proceeding.capture(org, withinEventLimit(read()), { header }));
      const result = await this.streamed.capture(org, withinEventLimit(read()), { header });
      return { ...result, refusedCount: 0, eventIds: result.eventHashes, errors: [] };
    });
    this.track(run.finally(removeFile));
    return job;
  }

  /** The job with EVENT_IDS_PER_ANSWER of its event ids from `eventIdsOffset`. */
  async find(id: string, org: Organization, eventIdsOffset = 0): Promise<CaptureJob> {
    const job = await this.jobs.find(id, org.id, { offset: eventIdsOffset, limit: EVENT_IDS_PER_ANSWER });
    if (!job) throw new EpcisRestError(EpcisRestErrorCode.CAPTURE_JOB_NOT_FOUND, `no capture job ${id} of ${org.name}`, { captureID: id });
    return job;
  }

  list(org: Organization, limit: number, beforeId?: string) {
    return this.jobs.list(org.id, limit, { offset: 0, limit: EVENT_IDS_PER_ANSWER }, beforeId);
  }

  onModuleInit() {
    // Tracked like captures: a server stopped right after it started closed the pool under the first sweep.
    const beat = () => this.track(this.keepAlive().then(() => undefined));
    this.timer = setInterval(beat, CAPTURE_JOB_HEARTBEAT_MS).unref();
    beat();
  }

  /** Lets captures already accepted, and a heartbeat under way, finish before the database connection closes. */
  async onModuleDestroy() {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Heartbeats this process's running jobs, then ends those of processes that died (every API instance sweeps: the
   * update is one statement, so two sweeps never report a job twice). Returns the ids ended.
   */
  async keepAlive(abandonedAfterMs = CAPTURE_JOB_ABANDONED_AFTER_MS): Promise<string[]> {
    try {
      await this.jobs.heartbeat([...this.runningJobs]);
      const ended = await this.jobs.failAbandoned(abandonedAfterMs, INTERRUPTED);
      if (ended.length)
        this.logger.warn(`capture jobs ${ended.join(', ')}: their server stopped before reporting; ended as CAPTURE_INTERRUPTED`);
      return ended;
    } catch (e) {
      // A database that is briefly away must not stop the timer; the next tick tries again.
      this.logger.error(`capture job heartbeat: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    }
  }

  private track(run: Promise<void>) {
    const tracked = run.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async run(jobId: string, capture: () => Promise<CaptureJobOutcome>): Promise<void> {
    this.runningJobs.add(jobId);
    try {
      let result: CaptureJobOutcome;
      try {
        result = await capture();
      } catch (e) {
        await this.jobs.fail(jobId, this.errorsOf(e)).catch((failure) => this.logger.error(`capture job ${jobId}: ${failure}`));
        return;
      }
      // The events are stored: a job must never say otherwise. If its success cannot be written, it stops being
      // heartbeated and the sweep ends it as CAPTURE_INTERRUPTED, whose answer is to resend (capture is idempotent).
      await this.jobs
        .finish(jobId, result)
        .catch((failure) => this.logger.error(`capture job ${jobId}: captured, but its success was not recorded: ${failure}`));
    } finally {
      this.runningJobs.delete(jobId);
    }
  }

  private errorsOf(e: unknown): CaptureJobError[] {
    if (e instanceof CaptureError) {
      return e.issues.map(({ message, ...where }) => epcisProblem(e.code, message, where));
    }
    if (e instanceof AppError) return [epcisProblem(e.code, e.message, e.details)];
    this.logger.error(e instanceof Error ? e.stack : String(e));
    return [epcisProblem('INTERNAL_SERVER_ERROR', 'the capture failed inside the server; it has been logged')];
  }
}

import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EpcisValidator } from '@pharmatrace/epcis';
import { CaptureJob, CaptureJobError, CaptureJobRepository, OrganizationEntity } from '@pharmatrace/persistence';
import { CaptureError, CaptureErrorCode } from '../capture/capture.error';
import { CaptureService, EPCIS_VALIDATOR } from '../capture/capture.service';
import { CAPTURE_EVENT_LIMIT } from './epcis-binding';
import { epcisProblem } from './epcis-problem';
import { EpcisRestError, EpcisRestErrorCode } from './epcis-rest.error';

export interface CaptureJobView {
  captureID: string;
  createdAt: string;
  finishedAt: string | null;
  running: boolean;
  success: boolean | null;
  captureErrorBehaviour: 'rollback';
  errors: CaptureJobError[];
}

export function captureJobView(job: CaptureJob): CaptureJobView {
  return {
    captureID: job.id,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    running: job.running,
    success: job.success,
    captureErrorBehaviour: 'rollback',
    errors: job.errors,
  };
}

/**
 * EPCIS capture jobs: the document's size and schema are checked before answering, so a malformed document is
 * refused at once; storing runs after the 202, all or nothing, and its outcome is kept in capture_job.
 */
@Injectable()
export class CaptureJobService implements OnModuleDestroy {
  private readonly logger = new Logger(CaptureJobService.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly capture: CaptureService,
    private readonly jobs: CaptureJobRepository,
    @Inject(EPCIS_VALIDATOR) private readonly validator: EpcisValidator,
  ) {}

  async start(org: OrganizationEntity, document: unknown): Promise<CaptureJob> {
    const list = (document as { epcisBody?: { eventList?: unknown } } | null)?.epcisBody?.eventList;
    if (Array.isArray(list) && list.length > CAPTURE_EVENT_LIMIT) {
      throw new EpcisRestError(
        EpcisRestErrorCode.CAPTURE_LIMIT_EXCEEDED,
        `the document has ${list.length} events; GS1-EPCIS-Capture-Limit is ${CAPTURE_EVENT_LIMIT}`,
        { rule: 'capture-limit', limit: CAPTURE_EVENT_LIMIT },
      );
    }
    const issues = this.validator.validateDocument(document);
    if (issues.length) throw new CaptureError(CaptureErrorCode.INVALID_DOCUMENT, issues);
    const job = await this.jobs.start(org.id);
    const run = this.run(job.id, org, document).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return job;
  }

  async find(id: string, org: OrganizationEntity): Promise<CaptureJob> {
    const job = await this.jobs.find(id, org.id);
    if (!job) throw new EpcisRestError(EpcisRestErrorCode.CAPTURE_JOB_NOT_FOUND, `no capture job ${id} of ${org.name}`, { captureID: id });
    return job;
  }

  list(org: OrganizationEntity, limit: number, beforeId?: string) {
    return this.jobs.list(org.id, limit, beforeId);
  }

  /** Lets captures already accepted finish before the database connection closes. */
  async onModuleDestroy() {
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(jobId: string, org: OrganizationEntity, document: unknown): Promise<void> {
    try {
      const result = await this.capture.capture(org, document);
      await this.jobs.succeed(jobId, result.capturedCount, result.duplicateCount);
    } catch (e) {
      await this.jobs.fail(jobId, this.errorsOf(e)).catch((failure) => this.logger.error(`capture job ${jobId}: ${failure}`));
    }
  }

  private errorsOf(e: unknown): CaptureJobError[] {
    if (e instanceof CaptureError) {
      return e.issues.map((issue) => epcisProblem(e.code, issue.message, { eventIndex: issue.eventIndex, field: issue.field, rule: issue.rule }));
    }
    this.logger.error(e instanceof Error ? e.stack : String(e));
    return [epcisProblem('INTERNAL_SERVER_ERROR', 'the capture failed inside the server; it has been logged')];
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { AnchoringService } from './anchoring.service';

export const ANCHORING_QUEUE = 'anchoring';
/** The scheduler id is fixed, so every worker process upserts the same repeatable job rather than adding its own. */
export const TICK_SCHEDULER_ID = 'anchoring-tick';

/** Ticks missed in a row before the process stops waiting for BullMQ and ticks by itself. */
const STALE_TICKS = 3;

export interface TickJob {
  reason: 'schedule' | 'wake';
}

/**
 * BullMQ only wakes the anchoring loop: the tick job carries no state, so a lost or duplicated job changes
 * nothing, and Postgres alone says what is left to do.
 */
@Injectable()
export class AnchoringQueue implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AnchoringQueue.name);
  private connection?: IORedis;
  private queue?: Queue<TickJob>;
  private worker?: Worker<TickJob>;
  private reschedule?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private lastTickAt = Date.now();
  private fallbackRunning = false;

  constructor(
    private readonly anchoring: AnchoringService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap() {
    this.connection = new IORedis(this.config.redisUrl, { maxRetriesPerRequest: null });
    const prefix = this.config.queuePrefix;
    this.queue = new Queue<TickJob>(ANCHORING_QUEUE, { connection: this.connection, prefix });
    await this.schedule();
    // A wiped Redis loses the scheduler; re-upserting it is idempotent, so every worker simply keeps doing so.
    this.reschedule = setInterval(() => this.schedule().catch((e) => this.logger.warn(`scheduler: ${e.message}`)), 30_000);
    this.worker = new Worker<TickJob>(ANCHORING_QUEUE, (job) => this.handle(job), {
      connection: this.connection,
      prefix,
      concurrency: 1,
    });
    this.worker.on('failed', (job, error) => this.logger.warn(`tick ${job?.id} failed: ${error.message}`));
    // A wiped Redis makes BullMQ report jobs whose keys vanished; the watchdog below covers for them.
    this.worker.on('error', (error) => this.logger.warn(`queue: ${error.message}`));
    // A wiped Redis (or one that is down) stops the ticks until the scheduler is re-upserted; meanwhile the
    // process ticks by itself. The Postgres lease still keeps it to one anchorer, and a tick is idempotent.
    const stale = this.config.batching.tickMs * STALE_TICKS;
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastTickAt < stale || this.fallbackRunning) return;
      this.fallbackRunning = true;
      this.schedule().catch((e) => this.logger.warn(`scheduler: ${e.message}`));
      this.anchoring
        .tick()
        .then(() => (this.lastTickAt = Date.now()))
        .catch((e) => this.logger.warn(`fallback tick failed: ${e.message}`))
        .finally(() => (this.fallbackRunning = false));
    }, this.config.batching.tickMs);
  }

  private schedule() {
    return this.queue!.upsertJobScheduler(
      TICK_SCHEDULER_ID,
      { every: this.config.batching.tickMs },
      { name: 'tick', data: { reason: 'schedule' }, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
  }

  private async handle(job: Job<TickJob>) {
    const report = await this.anchoring.tick();
    this.lastTickAt = Date.now();
    if (report.sealed || (report.leased && report.advanced)) this.logger.debug(`tick ${job.id}: ${JSON.stringify(report)}`);
    return report;
  }

  async onModuleDestroy() {
    clearInterval(this.reschedule);
    clearInterval(this.watchdog);
    await this.worker?.close();
    await this.queue?.close();
    this.connection?.disconnect();
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { Job, Queue, Worker } from 'bullmq';
import { createRedis, type RedisConnection } from '@pharmatrace/persistence';
import { AnchoringService, type TickReport } from './anchoring.service';

export const ANCHORING_QUEUE = 'anchoring';
/** The scheduler id is fixed, so every worker process upserts the same repeatable job rather than adding its own. */
export const TICK_SCHEDULER_ID = 'anchoring-tick';

/** How long closing BullMQ may wait for a Redis that is down before the connection is simply dropped. */
const CLOSE_GRACE_MS = 2_000;

export interface TickJob {
  reason: 'schedule' | 'wake';
}

/**
 * The worker anchors on its own clock: Postgres says what is left to do, and a tick every WORKER_TICK_MS needs
 * nothing else, so a Redis that is down (at start or later) never stops sealing or anchoring. BullMQ only wakes
 * the loop early; its tick job carries no state, so a lost or duplicated job changes nothing. When Redis returns,
 * ioredis reconnects on its own and the scheduler is upserted again.
 */
@Injectable()
export class AnchoringQueue implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AnchoringQueue.name);
  private connection?: RedisConnection;
  private queue?: Queue<TickJob>;
  private worker?: Worker<TickJob>;
  private reschedule?: NodeJS.Timeout;
  private clock?: NodeJS.Timeout;
  private lastTickStartedAt = 0;
  private ticking?: Promise<TickReport>;
  private scheduling = false;
  private redisDown = false;
  private lastQueueError?: string;

  constructor(
    private readonly anchoring: AnchoringService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    const { tickMs } = this.config.batching;
    // Started before anything touches Redis: nothing below may hold it up. A queue tick that just started makes
    // the clock's redundant, so with Redis up the pace stays about one tick a period.
    this.clock = setInterval(() => {
      if (Date.now() - this.lastTickStartedAt >= tickMs / 2) this.tick().catch((e: Error) => this.logger.warn(`tick failed: ${e.message}`));
    }, tickMs);

    // On a Redis Cluster the prefix is brace-tagged (`{pharmatrace}`): each queue's keys hash to one slot, as BullMQ's scripts need.
    this.connection = createRedis(this.config, { maxRetriesPerRequest: null });
    this.connection.on('error', (error) => {
      if (this.redisDown) return;
      this.redisDown = true;
      this.logger.warn(
        `Redis at ${this.config.redisUrl} unreachable (${error.message}): anchoring on the worker's own clock until it returns`,
      );
    });
    this.connection.on('ready', () => {
      if (this.redisDown) this.logger.log('Redis is back: queue wake-ups resume');
      this.redisDown = false;
      this.lastQueueError = undefined;
      this.schedule();
    });
    const prefix = this.config.queuePrefix;
    this.queue = new Queue<TickJob>(ANCHORING_QUEUE, { connection: this.connection, prefix });
    this.queue.on('error', (error) => this.queueError(error));
    // A wiped Redis loses the scheduler; re-upserting it is idempotent, so every worker simply keeps doing so.
    this.reschedule = setInterval(() => this.schedule(), 30_000);
    this.worker = new Worker<TickJob>(ANCHORING_QUEUE, (job) => this.handle(job), { connection: this.connection, prefix, concurrency: 1 });
    this.worker.on('failed', (job, error) => this.logger.warn(`tick ${job?.id} failed: ${error.message}`));
    // A wiped Redis makes BullMQ report jobs whose keys vanished; the clock covers for them.
    this.worker.on('error', (error) => this.queueError(error));
  }

  /** Only while Redis answers: a command sent to one that is down would wait in ioredis's queue until it returns. */
  private schedule(): void {
    if (this.redisDown || this.scheduling || !this.queue) return;
    this.scheduling = true;
    this.queue
      .upsertJobScheduler(
        TICK_SCHEDULER_ID,
        { every: this.config.batching.tickMs },
        { name: 'tick', data: { reason: 'schedule' }, opts: { removeOnComplete: true, removeOnFail: 100 } },
      )
      .catch((e: Error) => this.logger.warn(`scheduler: ${e.message}`))
      .finally(() => (this.scheduling = false));
  }

  /** One warning per distinct error: a Redis that is down repeats the same one on every reconnect attempt. */
  private queueError(error: Error): void {
    if (this.redisDown || error.message === this.lastQueueError) return;
    this.lastQueueError = error.message;
    this.logger.warn(`queue: ${error.message}`);
  }

  /** One tick at a time in this process, whoever asks; the Postgres lease keeps it to one anchorer across processes. */
  private tick(): Promise<TickReport> {
    if (!this.ticking) {
      this.lastTickStartedAt = Date.now();
      this.ticking = this.anchoring.tick().finally(() => (this.ticking = undefined));
    }
    return this.ticking;
  }

  private async handle(job: Job<TickJob>) {
    const report = await this.tick();
    if (report.sealed || (report.leased && report.advanced)) this.logger.debug(`tick ${job.id}: ${JSON.stringify(report)}`);
    return report;
  }

  async onModuleDestroy() {
    clearInterval(this.reschedule);
    clearInterval(this.clock);
    const closed = Promise.all([this.worker?.close(), this.queue?.close()]).catch((e: Error) =>
      this.logger.warn(`closing the queue: ${e.message}`),
    );
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
    await this.ticking?.catch(() => undefined);
    this.connection?.disconnect();
  }
}

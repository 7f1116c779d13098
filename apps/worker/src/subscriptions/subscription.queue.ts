import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { Queue, Worker } from 'bullmq';
import { CaseNotificationDeliveryService } from './case-notification-delivery.service';
import { createRedis, type RedisConnection } from '@pharmatrace/persistence';
import { DeliveryTickReport, SubscriptionDeliveryService } from './subscription-delivery.service';

export const SUBSCRIPTIONS_QUEUE = 'subscriptions';
/** Fixed, so every worker process upserts the same repeatable job rather than adding its own. */
export const SUBSCRIPTIONS_SCHEDULER_ID = 'subscriptions-tick';
const CLOSE_GRACE_MS = 2_000;

/**
 * Delivery runs on the worker's own clock (every SUBSCRIPTION_TICK_MS), as anchoring does: Postgres says what is due,
 * so a Redis that is down never stops deliveries. BullMQ only wakes the loop: its jobs carry no state, so a lost or
 * repeated job changes nothing.
 */
@Injectable()
export class SubscriptionQueue implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SubscriptionQueue.name);
  private connection?: RedisConnection;
  private queue?: Queue;
  private worker?: Worker;
  private clock?: NodeJS.Timeout;
  private ticking?: Promise<DeliveryTickReport>;
  private redisDown = false;

  constructor(
    private readonly delivery: SubscriptionDeliveryService,
    private readonly caseNotifications: CaseNotificationDeliveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    const { tickMs } = this.config.subscriptions;
    this.clock = setInterval(() => void this.tick(), tickMs);
    // On a Redis Cluster the prefix is brace-tagged (`{pharmatrace}`): each queue's keys hash to one slot, as BullMQ's scripts need.
    this.connection = createRedis(this.config, { maxRetriesPerRequest: null });
    this.connection.on('error', (error) => {
      if (!this.redisDown) this.logger.warn(`Redis unreachable (${error.message}): delivering on the worker's own clock`);
      this.redisDown = true;
    });
    this.connection.on('ready', () => {
      this.redisDown = false;
      this.queue
        ?.upsertJobScheduler(
          SUBSCRIPTIONS_SCHEDULER_ID,
          { every: tickMs },
          { name: 'tick', opts: { removeOnComplete: true, removeOnFail: 100 } },
        )
        .catch((e: Error) => this.logger.warn(`scheduler: ${e.message}`));
    });
    const prefix = this.config.queuePrefix;
    this.queue = new Queue(SUBSCRIPTIONS_QUEUE, { connection: this.connection, prefix });
    this.queue.on('error', () => undefined);
    this.worker = new Worker(SUBSCRIPTIONS_QUEUE, () => this.tick(), { connection: this.connection, prefix, concurrency: 1 });
    this.worker.on('error', () => undefined);
  }

  /** One tick at a time in this process, whoever asks; leases keep a subscription to one worker across processes. */
  private tick(): Promise<DeliveryTickReport> {
    this.ticking ??= this.run().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /** Subscriptions, then case notifications to partners: one failing does not hold the other back. */
  private async run(): Promise<DeliveryTickReport> {
    const report = await this.delivery.tick().catch((e: Error) => {
      this.logger.warn(`delivery tick failed: ${e.message}`);
      return { delivered: 0, failed: 0 };
    });
    await this.caseNotifications.tick().catch((e: Error) => this.logger.warn(`case notification tick failed: ${e.message}`));
    return report;
  }

  async onModuleDestroy() {
    clearInterval(this.clock);
    this.delivery.stop();
    this.caseNotifications.stop();
    const closed = Promise.all([this.worker?.close(), this.queue?.close()]).catch(() => undefined);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
    // The delivery in flight is recorded before the process lets go of its connections.
    await this.ticking;
    this.connection?.disconnect();
  }
}

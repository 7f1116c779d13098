import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { PartitionRepository } from '@pharmatrace/persistence';

/** The worker's clock for partitions: injected, so a test moves time months ahead. */
export const PARTITION_CLOCK = Symbol('PARTITION_CLOCK');
export type PartitionClock = () => Date;

/** Hourly: months are made PARTITION_MONTHS_AHEAD ahead, so an hour (or a worker down for weeks) costs nothing. */
export const PARTITION_TICK_MS = 3_600_000;

export interface PartitionTickReport {
  made: number;
  archived: string[];
}

/** The first instant of the UTC month `months` away from `at`'s. */
export function monthStart(at: Date, months: number): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

/**
 * Keeps the monthly partitions of the event record (docs/scaling.md): at start and every hour, makes the months from
 * the current one to PARTITION_MONTHS_AHEAD ahead, and, with EVENT_ARCHIVE_AFTER_MONTHS set, detaches into schema
 * `archive` the whole months older than that whose events are all anchored FINAL. Postgres keeps both idempotent and
 * serialized, so several workers tick safely.
 */
@Injectable()
export class PartitionMaintenanceService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PartitionMaintenanceService.name);
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<PartitionTickReport>;

  constructor(
    private readonly partitions: PartitionRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PARTITION_CLOCK) private readonly clock: PartitionClock,
  ) {}

  onApplicationBootstrap() {
    void this.guardedTick();
    this.timer = setInterval(() => void this.guardedTick(), PARTITION_TICK_MS);
    this.timer.unref();
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    await this.ticking;
  }

  async tick(): Promise<PartitionTickReport> {
    const now = this.clock();
    const { monthsAhead, archiveAfterMonths } = this.config.partitions;
    const made = await this.partitions.ensure(monthStart(now, 0), monthStart(now, monthsAhead));
    const archived = archiveAfterMonths === null ? [] : await this.partitions.archive(monthStart(now, -archiveAfterMonths));
    if (made) this.logger.log(`made ${made} month(s) of event partitions`);
    if (archived.length) this.logger.log(`archived event partitions of ${archived.join(', ')}`);
    return { made, archived };
  }

  private guardedTick(): Promise<PartitionTickReport> {
    this.ticking ??= this.tick()
      .catch((e: Error) => {
        this.logger.warn(`partition maintenance failed: ${e.message}`);
        return { made: 0, archived: [] };
      })
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }
}

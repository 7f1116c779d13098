import { receiptRules } from '@pharmatrace/domain';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { ExceptionCaseRepository, ReceiptReconciliationRepository } from '@pharmatrace/persistence';

/** The worker's clock for cases: injected, so a test moves time past a grace period. */
export const CASE_CLOCK = Symbol('CASE_CLOCK');
export type CaseClock = () => Date;

/** Once a minute: grace periods are counted in business days, and a receipt missed by the API waits at most this. */
export const CASE_TICK_MS = 60_000;
const RECEIPTS_PER_TICK = 200;

export interface CaseTickReport {
  graceAlerts: number;
  receiptsReconciled: number;
}

/**
 * Exception cases on the worker's clock (issue 17): the grace-period alert of every unresolved case whose grace period
 * ran out (once per case: raiseGraceAlerts keys it by the case), and the receipts a capture queued that the API did
 * not reconcile right after it (a crash in between, a failure there). Postgres says what is due, so ticks from several
 * worker processes, or repeated ones, change nothing twice.
 */
@Injectable()
export class CaseTickService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CaseTickService.name);
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<CaseTickReport>;

  constructor(
    private readonly cases: ExceptionCaseRepository,
    private readonly receipts: ReceiptReconciliationRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CASE_CLOCK) private readonly clock: CaseClock,
  ) {}

  onApplicationBootstrap() {
    this.timer = setInterval(() => void this.guardedTick(), CASE_TICK_MS);
    this.timer.unref();
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    await this.ticking;
  }

  async tick(): Promise<CaseTickReport> {
    const now = this.clock();
    const raised = await this.cases.raiseGraceAlerts(now);
    const reconciled = await this.receipts.drain(RECEIPTS_PER_TICK, now, receiptRules(this.config.caseGraceBusinessDays));
    return { graceAlerts: raised.length, receiptsReconciled: reconciled.length };
  }

  private guardedTick(): Promise<CaseTickReport> {
    this.ticking ??= this.tick()
      .catch((e: Error) => {
        this.logger.warn(`case tick failed: ${e.message}`);
        return { graceAlerts: 0, receiptsReconciled: 0 };
      })
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }
}

import { receiptRules } from '@pharmatrace/domain';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { EventRepository, ReceiptReconciliationRepository, ReconciledReceipt } from '@pharmatrace/persistence';
import { Clock, CLOCK } from '../common/clock';

/** Receipts reconciled after one capture; more wait for the next capture or the worker's tick. */
const PER_CAPTURE = 50;

/**
 * Receiving reconciliation (issue 17): every receiving event was queued in its capture's transaction; right after the
 * capture this compares it with the shipment it answers and opens a case for every difference. A failure here never
 * fails the capture (the event is true; the receipt stays queued for the worker's tick).
 */
@Injectable()
export class ReceiptReconciliationService implements OnModuleInit {
  private readonly logger = new Logger(ReceiptReconciliationService.name);

  constructor(
    private readonly receipts: ReceiptReconciliationRepository,
    private readonly events: EventRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.events.onReceiptsQueued(() => this.afterCapture());
  }

  async afterCapture(): Promise<ReconciledReceipt[]> {
    try {
      return await this.receipts.drain(PER_CAPTURE, this.clock(), receiptRules(this.config.caseGraceBusinessDays));
    } catch (e) {
      this.logger.error({ err: e }, 'receiving reconciliation failed; the receipts stay queued');
      return [];
    }
  }
}

import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { CaseNotificationRepository } from '@pharmatrace/persistence';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { retryDelay, SIGNATURE_HEADER, signatureOf, SUBSCRIPTION_CLOCK } from './subscription-delivery.service';
import { WebhookClient } from './webhook.client';

/** Jobs looked at per tick; the rest wait for the next one. */
const DUE_PER_TICK = 50;
/** Tells a receiver this POST is a case notification, not an EPCISQueryDocument (the same endpoint may get both). */
export const NOTIFICATION_HEADER = 'PharmaTrace-Notification';

export interface CaseNotificationTickReport {
  delivered: number;
  failed: number;
}

/**
 * Tells trading partners of an illegitimate determination (docs/cases.md): each job written with the case's resolution
 * is POSTed to the partner's webhook subscription, signed like a subscription delivery (GS1-Signature, the
 * subscription's token), retried with the subscriptions' backoff, given up after SUBSCRIPTION_MAX_FAILURES. Every step
 * is a row appended to case_notification: a worker claims an attempt by inserting it (one wins), so two workers never
 * send the same attempt, and no transaction stays open across the HTTP call. A worker that dies after claiming leaves
 * the attempt to be claimed again once its lease lapses: the receiver may then get the notification twice, with the same
 * `notificationId`.
 */
@Injectable()
export class CaseNotificationDeliveryService {
  private readonly logger = new Logger(CaseNotificationDeliveryService.name);
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID()}`;
  private stopping = false;

  constructor(
    private readonly notifications: CaseNotificationRepository,
    private readonly webhook: WebhookClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(SUBSCRIPTION_CLOCK) private readonly clock: () => Date = () => new Date(),
  ) {}

  stop(): void {
    this.stopping = true;
  }

  async tick(): Promise<CaseNotificationTickReport> {
    const { deliveryTimeoutMs, retryBaseMs, retryMaxMs, maxFailures } = this.config.subscriptions;
    const report = { delivered: 0, failed: 0 };
    const now = this.clock();
    // Longer than any delivery can take, so a claim is only taken over when its worker died.
    const staleBefore = new Date(now.getTime() - (deliveryTimeoutMs * 2 + 60_000));
    for (const job of await this.notifications.due(now, staleBefore, DUE_PER_TICK)) {
      if (this.stopping) break;
      const claimed = await this.notifications.claim(job, this.workerId, this.clock());
      if (!claimed) continue;
      let httpStatus: number | null = null;
      let error: string | null = null;
      if (claimed.dest === null) {
        error = 'the webhook subscription was deleted';
      } else {
        const body = JSON.stringify(claimed.payload);
        const headers: Record<string, string> = { 'Content-Type': 'application/json', [NOTIFICATION_HEADER]: 'case.illegitimate' };
        if (claimed.signatureToken !== null) headers[SIGNATURE_HEADER] = signatureOf(claimed.signatureToken, body);
        try {
          httpStatus = (await this.webhook.post(claimed.dest, body, headers, deliveryTimeoutMs)).status;
          if (httpStatus < 200 || httpStatus >= 300) error = `the partner answered HTTP ${httpStatus}`;
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
      }
      const at = this.clock();
      const retry = error !== null && claimed.dest !== null && claimed.attempt < maxFailures;
      await this.notifications.finish(
        claimed,
        {
          status: error === null ? 'delivered' : 'failed',
          at,
          httpStatus,
          error,
          nextAttemptAt: retry ? new Date(at.getTime() + retryDelay(claimed.attempt, retryBaseMs, retryMaxMs)) : null,
        },
        this.workerId,
      );
      if (error === null) report.delivered++;
      else {
        report.failed++;
        this.logger.warn(`case notification ${claimed.jobId}, attempt ${claimed.attempt}: ${error}${retry ? '' : '; given up'}`);
      }
    }
    return report;
  }
}

import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { eventVisibility } from '@pharmatrace/domain';
import { compileSchedule, nextRun, servedQueryDocument } from '@pharmatrace/epcis';
import {
  DeliveryOutcome,
  EventQueryRepository,
  LeasedSubscription,
  QueriedEvent,
  ReadGrantRepository,
  SubscriptionRepository,
} from '@pharmatrace/persistence';
import { createHmac, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { WebhookClient } from './webhook.client';

/** The header carrying a delivery's signature, as the binding names it. */
export const SIGNATURE_HEADER = 'GS1-Signature';
/** Subscriptions looked at per tick; the rest wait for the next one. */
const DUE_PER_TICK = 100;
/** Clock of the delivery service (the server's own unless a spec stands elsewhere). */
export const SUBSCRIPTION_CLOCK = Symbol('SUBSCRIPTION_CLOCK');

/** `sha256=` and the lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the subscription's signatureToken. */
export function signatureOf(token: string, body: string): string {
  return `sha256=${createHmac('sha256', token).update(body, 'utf8').digest('hex')}`;
}

/** The wait after the n-th consecutive failure: base × 2^(n-1), at most max. */
export function retryDelay(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
}

export interface DeliveryTickReport {
  delivered: number;
  failed: number;
}

/**
 * Delivers query subscriptions to their webhooks. Postgres is the truth: each subscription's position is stored
 * there and moves only when the subscriber answered 2xx, in the same transaction as the delivery log's entry, so a
 * worker stopped (or another started) resumes where the last recorded delivery ended. Events are taken below the
 * visibility horizon in (transaction id, event id) order, so none that commits later can fall behind the position.
 * A subscription is leased to one worker per delivery; no transaction stays open across the HTTP call.
 */
@Injectable()
export class SubscriptionDeliveryService {
  private readonly logger = new Logger(SubscriptionDeliveryService.name);
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID()}`;
  private stopping = false;

  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly events: EventQueryRepository,
    private readonly grants: ReadGrantRepository,
    private readonly webhook: WebhookClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(SUBSCRIPTION_CLOCK) private readonly clock: () => Date = () => new Date(),
  ) {}

  /** No further subscription is started; the one in flight finishes and is recorded. */
  stop(): void {
    this.stopping = true;
  }

  async tick(): Promise<DeliveryTickReport> {
    const report = { delivered: 0, failed: 0 };
    for (const id of await this.subscriptions.due(DUE_PER_TICK)) {
      if (this.stopping) break;
      const outcome = await this.deliver(id);
      if (outcome === 'delivered') report.delivered++;
      if (outcome === 'failed') report.failed++;
    }
    return report;
  }

  /** One delivery of one subscription, if it is still due and no other worker holds it. */
  async deliver(id: string): Promise<DeliveryOutcome['kind'] | 'skipped'> {
    const { deliveryTimeoutMs } = this.config.subscriptions;
    // Longer than any delivery can take, so a lease only lapses when its worker died.
    const leased = await this.subscriptions.lease(id, this.workerId, deliveryTimeoutMs * 2 + 60_000);
    if (!leased) return 'skipped';
    const outcome = await this.attempt(leased);
    await this.subscriptions.finish(leased, this.workerId, outcome);
    if (outcome.kind === 'failed') {
      this.logger.warn(`subscription ${id}: ${outcome.attempt.error}${outcome.pause ? '; paused' : ''}`);
    }
    return outcome.kind;
  }

  private async attempt(s: LeasedSubscription): Promise<DeliveryOutcome> {
    const { batchEvents, deliveryTimeoutMs } = this.config.subscriptions;
    const now = this.clock();
    const reader = { organizationId: s.owner.id, role: s.owner.role, gln: s.owner.gln };
    const visibleTo = eventVisibility(reader, await this.grants.liveFor(s.owner.id, now), now);
    const from =
      s.criteria.recordTimeFrom && s.criteria.recordTimeFrom > s.initialRecordTime ? s.criteria.recordTimeFrom : s.initialRecordTime;
    const { events, resumeAt } = await this.events.afterPosition(
      { ...s.criteria, recordTimeFrom: from, visibleTo },
      s.position,
      batchEvents,
    );
    // A scheduled run that filled a document keeps its time, still due, until the run's events are all sent.
    const nextRunAt = s.schedule && events.length < batchEvents ? nextRun(compileSchedule(s.schedule), now) : s.nextRunAt;
    if (!events.length && (s.stream || !s.reportIfEmpty)) return { kind: 'idle', position: resumeAt, nextRunAt };

    const body = JSON.stringify(servedQueryDocument(events.map(forServing), s.queryName, now));
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'GS1-EPCIS-Version': '2.0.0',
      'GS1-CBV-Version': '2.0.0',
    };
    if (s.signatureToken !== null) headers[SIGNATURE_HEADER] = signatureOf(s.signatureToken, body);
    const started = Date.now();
    const attempt = { attemptedAt: now, eventCount: events.length };
    let httpStatus: number | null = null;
    let error: string;
    try {
      httpStatus = (await this.webhook.post(s.dest, body, headers, deliveryTimeoutMs)).status;
      if (httpStatus >= 200 && httpStatus < 300) {
        return {
          kind: 'delivered',
          attempt: { ...attempt, status: 'delivered', httpStatus, error: null, durationMs: Date.now() - started },
          position: resumeAt,
          nextRunAt,
        };
      }
      error = `the subscriber answered HTTP ${httpStatus}`;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const failures = s.consecutiveFailures + 1;
    const { retryBaseMs, retryMaxMs, maxFailures } = this.config.subscriptions;
    return {
      kind: 'failed',
      attempt: { ...attempt, status: 'failed', httpStatus, error, durationMs: Date.now() - started },
      nextAttemptAt: new Date(now.getTime() + retryDelay(failures, retryBaseMs, retryMaxMs)),
      pause: failures >= maxFailures,
    };
  }
}

/** A stored event as served: without its ignored fields, with its latest error declaration (as GET /epcis/events serves it). */
const forServing = (e: QueriedEvent) => ({
  body: e.body,
  ignoreFields: e.ignoreFields,
  errorDeclaration: e.corrections.at(-1)?.errorDeclaration,
  recordTime: e.recordTime,
});

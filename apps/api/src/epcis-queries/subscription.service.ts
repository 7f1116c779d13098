import type { Organization } from '@pharmatrace/domain';
import { internalHost } from '@pharmatrace/domain';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { Inject, Injectable } from '@nestjs/common';
import { nextRun } from '@pharmatrace/epcis';
import { DeliveryAttempt, Subscription, SubscriptionRepository } from '@pharmatrace/persistence';
import { Clock, CLOCK } from '../common/clock';
import { EventQueryError, EventQueryErrorCode } from '../events/event-query.error';
import { NamedQueryService } from './named-query.service';
import { invalidSubscription, readControls } from './subscription.controls';
import { SubscriptionError, SubscriptionErrorCode } from './subscription.error';

const FIELDS = ['dest', 'signatureToken', 'stream', 'schedule', 'reportIfEmpty', 'initialRecordTime'];
const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_URL = 2048;
const MAX_TOKEN = 1024;

/** A subscription as the binding serves it (AbstractQuerySubscriptionResponse), never with its secret, plus its health. */
export interface SubscriptionView {
  subscriptionID: string;
  queryName: string;
  dest: string;
  createdAt: string;
  lastNotifiedAt?: string;
  initialRecordTime: string;
  /** The smallest record time the next delivery may carry: the last delivery's time, else initialRecordTime. */
  minRecordTime: string;
  stream?: true;
  schedule?: Record<string, string>;
  reportIfEmpty?: boolean;
  /** Beyond the binding: `paused` after SUBSCRIPTION_MAX_FAILURES consecutive failed deliveries. */
  status: 'active' | 'paused';
  consecutiveFailures: number;
  /** Whether deliveries carry GS1-Signature (a signatureToken was given). */
  signed: boolean;
}

export function subscriptionView(s: Subscription): SubscriptionView {
  return {
    subscriptionID: s.id,
    queryName: s.queryName,
    dest: s.dest,
    createdAt: s.createdAt.toISOString(),
    ...(s.lastNotifiedAt ? { lastNotifiedAt: s.lastNotifiedAt.toISOString() } : {}),
    initialRecordTime: s.initialRecordTime.toISOString(),
    minRecordTime: (s.lastNotifiedAt ?? s.initialRecordTime).toISOString(),
    ...(s.stream ? { stream: true as const } : { schedule: s.schedule!, reportIfEmpty: s.reportIfEmpty }),
    status: s.status,
    consecutiveFailures: s.consecutiveFailures,
    signed: s.signatureToken !== null,
  };
}

export const deliveryView = (d: DeliveryAttempt) => ({
  attemptedAt: d.attemptedAt.toISOString(),
  status: d.status,
  httpStatus: d.httpStatus,
  error: d.error,
  eventCount: d.eventCount,
  durationMs: d.durationMs,
});

const badToken = () =>
  new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, 'nextPageToken: not a token this server issued', {
    parameter: 'nextPageToken',
    rule: 'page-token',
  });

/**
 * Webhook subscriptions to a named query: created, listed, read and deleted by the query's owner only (the query
 * answers QUERY_NOT_FOUND to anyone else). The worker delivers them (apps/worker/src/subscriptions).
 */
@Injectable()
export class SubscriptionService {
  constructor(
    private readonly queries: NamedQueryService,
    private readonly repository: SubscriptionRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(org: Organization, queryName: string, body: unknown): Promise<Subscription> {
    const query = await this.queries.find(org, queryName);
    const at = (field: string) => `/${field}`;
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw invalidSubscription('/', 'type:object', 'the body must be a JSON object');
    const fields = body as Record<string, unknown>;
    const extra = Object.keys(fields).find((k) => !FIELDS.includes(k));
    if (extra !== undefined)
      throw invalidSubscription(at(extra), 'additionalProperties', `is not a subscription field (${FIELDS.join(', ')})`);
    const { dest, signatureToken } = fields;
    let url: URL | null;
    try {
      url = typeof dest === 'string' && dest.length <= MAX_URL ? new URL(dest) : null;
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw invalidSubscription('/dest', 'format:uri', `must be an http or https URL of at most ${MAX_URL} characters`);
    }
    // A name is checked again by the worker once resolved, on every delivery (docs/subscriptions.md).
    const internal = this.config.subscriptions.allowPrivateDestinations ? null : internalHost(url.hostname);
    if (internal) throw invalidSubscription('/dest', 'public-destination', `${internal}: webhooks go to public addresses only`);
    if (signatureToken !== undefined && (typeof signatureToken !== 'string' || !signatureToken || signatureToken.length > MAX_TOKEN)) {
      throw invalidSubscription('/signatureToken', 'type:string', `must be a string of 1 to ${MAX_TOKEN} characters`);
    }
    const controls = readControls(fields, at);
    return this.repository.create({
      queryId: query.id,
      ownerId: org.id,
      dest: url.toString(),
      signatureToken: signatureToken ?? null,
      stream: controls.stream,
      schedule: controls.schedule,
      reportIfEmpty: controls.reportIfEmpty,
      initialRecordTime: controls.initialRecordTime,
      nextRunAt: controls.compiled ? nextRun(controls.compiled, this.clock()) : null,
    });
  }

  async list(org: Organization, queryName: string, perPage: number, token: string | undefined) {
    const query = await this.queries.find(org, queryName);
    if (token !== undefined && !SUBSCRIPTION_ID.test(token)) throw badToken();
    const { subscriptions, hasMore } = await this.repository.list(query.id, perPage, token);
    return { subscriptions, nextPageToken: hasMore ? subscriptions[subscriptions.length - 1].id : null };
  }

  async find(org: Organization, queryName: string, id: string): Promise<Subscription> {
    const query = await this.queries.find(org, queryName);
    const found = SUBSCRIPTION_ID.test(id) ? await this.repository.byId(query.id, id) : null;
    if (!found) {
      throw new SubscriptionError(SubscriptionErrorCode.SUBSCRIPTION_NOT_FOUND, `query ${queryName} has no subscription ${id}`, {
        subscriptionID: id,
      });
    }
    return found;
  }

  async delete(org: Organization, queryName: string, id: string): Promise<void> {
    const subscription = await this.find(org, queryName, id);
    await this.repository.delete(subscription.queryId, subscription.id);
  }

  /** The delivery log, newest first (an extension of the binding). */
  async deliveries(org: Organization, queryName: string, id: string, perPage: number, token: string | undefined) {
    const subscription = await this.find(org, queryName, id);
    let after: number | undefined;
    if (token !== undefined) {
      const match = /^delivery:(\d{1,18})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
      if (!match) throw badToken();
      after = Number(match[1]);
    }
    const page = await this.repository.deliveries(subscription.id, perPage, after);
    const next = page.hasMore && page.lastId !== null ? Buffer.from(`delivery:${page.lastId}`).toString('base64url') : null;
    return { deliveries: page.deliveries, nextPageToken: next };
  }
}

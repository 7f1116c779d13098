import { loadConfig } from '@pharmatrace/config';
import type {
  DeliveryAttempt,
  DeliveryOutcome,
  EventCriteria,
  EventPosition,
  EventQueryRepository,
  LeasedSubscription,
  QueriedEvent,
  ReadGrantRepository,
  SubscriptionRepository,
} from '@pharmatrace/persistence';
import { createHmac } from 'node:crypto';
import { retryDelay, SIGNATURE_HEADER, signatureOf, SubscriptionDeliveryService } from './subscription-delivery.service';
import type { WebhookClient } from './webhook.client';

const OWNER = { id: '00000000-0000-4000-8000-000000000001', role: 'MANUFACTURER' as const, gln: '0614141000012' };
const T0 = new Date('2026-05-01T08:00:00Z');

/** SubscriptionRepository in memory with its rules: due (active, out of backoff, schedule reached), lease, finish. */
class FakeSubscriptions {
  readonly log: DeliveryAttempt[] = [];
  constructor(
    readonly s: LeasedSubscription,
    private readonly now: () => Date,
  ) {}

  private isDue() {
    const s = this.s;
    return s.status === 'active' && s.nextAttemptAt <= this.now() && (s.stream || (s.nextRunAt !== null && s.nextRunAt <= this.now()));
  }

  async due() {
    return this.isDue() ? [this.s.id] : [];
  }

  async lease() {
    return this.isDue() ? structuredClone(this.s) : null;
  }

  async finish(_: LeasedSubscription, __: string, outcome: DeliveryOutcome) {
    if (outcome.kind !== 'idle') this.log.push(outcome.attempt);
    if (outcome.kind !== 'failed') this.s.position = outcome.position;
    if (outcome.kind === 'delivered') {
      Object.assign(this.s, {
        position: outcome.position,
        consecutiveFailures: 0,
        nextRunAt: outcome.nextRunAt,
        lastNotifiedAt: outcome.attempt.attemptedAt,
      });
    } else if (outcome.kind === 'failed') {
      this.s.consecutiveFailures++;
      this.s.nextAttemptAt = outcome.nextAttemptAt;
      if (outcome.pause) this.s.status = 'paused';
    } else if (outcome.nextRunAt) {
      this.s.nextRunAt = outcome.nextRunAt;
    }
  }
}

/** Events in (xid, id) order, all below the horizon; the criteria's record-time floor applies. */
class FakeEvents {
  readonly rows: (QueriedEvent & { position: EventPosition })[] = [];
  readonly asked: EventCriteria[] = [];

  add(n: number) {
    for (let i = 0; i < n; i++) {
      const id = this.rows.length + 1;
      this.rows.push({
        id,
        hash: Buffer.alloc(32, id),
        eventTime: new Date(T0.getTime() + id * 1000),
        recordTime: new Date(T0.getTime() + id * 1000),
        body: {
          type: 'ObjectEvent',
          eventTime: new Date(T0.getTime() + id * 1000).toISOString(),
          eventTimeZoneOffset: '+00:00',
          action: 'OBSERVE',
          epcList: [`urn:x:${id}`],
        },
        ignoreFields: [],
        corrections: [],
        position: { xid: String(1000 + id), eventId: id },
      });
    }
  }

  async afterPosition(criteria: EventCriteria, after: EventPosition, limit: number) {
    this.asked.push(criteria);
    const events = this.rows
      .filter((r) => BigInt(r.position.xid) > BigInt(after.xid) || (r.position.xid === after.xid && r.id > after.eventId))
      .filter((r) => !criteria.recordTimeFrom || r.recordTime >= criteria.recordTimeFrom)
      .slice(0, limit);
    return { events, resumeAt: events.at(-1)?.position ?? after };
  }
}

class FakeWebhook {
  readonly received: { url: string; body: string; headers: Record<string, string>; timeoutMs: number }[] = [];
  /** Answers in turn: a status, or an Error thrown; the last one repeats. */
  answers: (number | Error)[] = [200];

  async post(url: string, body: string, headers: Record<string, string>, timeoutMs: number) {
    this.received.push({ url, body, headers, timeoutMs });
    const next = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
    if (next instanceof Error) throw next;
    return { status: next };
  }
}

function setup(fields: Partial<LeasedSubscription> = {}, env: Record<string, string> = {}) {
  let now = T0;
  const subscription: LeasedSubscription = {
    id: 'sub-1',
    queryId: 1,
    queryName: 'shipments',
    ownerId: OWNER.id,
    dest: 'https://client.example.com/hook',
    signatureToken: 'client-secret',
    stream: true,
    schedule: null,
    reportIfEmpty: false,
    initialRecordTime: new Date(0),
    position: { xid: '0', eventId: 0 },
    createdAt: T0,
    lastNotifiedAt: null,
    nextRunAt: null,
    nextAttemptAt: T0,
    consecutiveFailures: 0,
    status: 'active',
    criteria: {},
    owner: OWNER,
    ...fields,
  };
  const subscriptions = new FakeSubscriptions(subscription, () => now);
  const events = new FakeEvents();
  const webhook = new FakeWebhook();
  const grants = { liveFor: async () => [] };
  const config = loadConfig({
    SUBSCRIPTION_RETRY_BASE_MS: '1000',
    SUBSCRIPTION_RETRY_MAX_MS: '5000',
    SUBSCRIPTION_MAX_FAILURES: '4',
    SUBSCRIPTION_BATCH_EVENTS: '3',
    SUBSCRIPTION_DELIVERY_TIMEOUT_MS: '2500',
    ...env,
  });
  const service = new SubscriptionDeliveryService(
    subscriptions as unknown as SubscriptionRepository,
    events as unknown as EventQueryRepository,
    grants as unknown as ReadGrantRepository,
    webhook as unknown as WebhookClient,
    config,
    () => now,
  );
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  const delivered = () =>
    webhook.received.map((r) =>
      JSON.parse(r.body).epcisBody.queryResults.resultsBody.eventList.map((e: { epcList: string[] }) => e.epcList[0]),
    );
  return { service, subscriptions, events, webhook, advance, delivered, at: () => now };
}

describe('SubscriptionDeliveryService', () => {
  it('delivers new events once, in documents of at most SUBSCRIPTION_BATCH_EVENTS, and then nothing', async () => {
    const { service, events, webhook, subscriptions, delivered } = setup();
    events.add(5);
    expect(await service.tick()).toEqual({ delivered: 1, failed: 0 });
    expect(await service.tick()).toEqual({ delivered: 1, failed: 0 });
    expect(await service.tick()).toEqual({ delivered: 0, failed: 0 });
    expect(delivered()).toEqual([
      ['urn:x:1', 'urn:x:2', 'urn:x:3'],
      ['urn:x:4', 'urn:x:5'],
    ]);
    expect(subscriptions.s.position).toEqual({ xid: '1005', eventId: 5 });
    expect(webhook.received[0]).toMatchObject({ url: 'https://client.example.com/hook', timeoutMs: 2500 });
    const doc = JSON.parse(webhook.received[0].body);
    expect(doc).toMatchObject({ type: 'EPCISQueryDocument', epcisBody: { queryResults: { queryName: 'shipments' } } });
    expect(subscriptions.log.map((a) => [a.status, a.httpStatus, a.eventCount])).toEqual([
      ['delivered', 200, 3],
      ['delivered', 200, 2],
    ]);
    events.add(1);
    await service.tick();
    expect(delivered().at(-1)).toEqual(['urn:x:6']);
  });

  it('signs the exact body with HMAC-SHA256 under the signatureToken, in GS1-Signature', async () => {
    const { service, events, webhook } = setup();
    events.add(1);
    await service.tick();
    const { body, headers } = webhook.received[0];
    const expected = `sha256=${createHmac('sha256', 'client-secret').update(Buffer.from(body, 'utf8')).digest('hex')}`;
    expect(headers[SIGNATURE_HEADER]).toBe(expected);
    expect(signatureOf('client-secret', body)).toBe(expected);
    expect(signatureOf('another-secret', body)).not.toBe(expected);
    expect(headers['Content-Type']).toBe('application/json');
  });

  it('sends no signature without a signatureToken', async () => {
    const { service, events, webhook } = setup({ signatureToken: null });
    events.add(1);
    await service.tick();
    expect(webhook.received[0].headers[SIGNATURE_HEADER]).toBeUndefined();
  });

  it('keeps the position on a failure, retries after an exponential backoff and sends the same events again', async () => {
    const { service, events, webhook, subscriptions, advance, delivered, at } = setup();
    events.add(2);
    webhook.answers = [500, new Error('connect ECONNREFUSED 127.0.0.1:9'), 200];
    expect(await service.tick()).toEqual({ delivered: 0, failed: 1 });
    expect(subscriptions.s.position).toEqual({ xid: '0', eventId: 0 });
    expect(subscriptions.s.nextAttemptAt).toEqual(new Date(at().getTime() + 1000));
    // Not before the backoff has passed.
    advance(999);
    expect(await service.tick()).toEqual({ delivered: 0, failed: 0 });
    advance(1);
    expect(await service.tick()).toEqual({ delivered: 0, failed: 1 });
    expect(subscriptions.s.nextAttemptAt).toEqual(new Date(at().getTime() + 2000));
    advance(2000);
    expect(await service.tick()).toEqual({ delivered: 1, failed: 0 });
    expect(delivered()).toEqual([
      ['urn:x:1', 'urn:x:2'],
      ['urn:x:1', 'urn:x:2'],
      ['urn:x:1', 'urn:x:2'],
    ]);
    expect(subscriptions.s.consecutiveFailures).toBe(0);
    expect(subscriptions.log.map((a) => [a.status, a.httpStatus, a.error])).toEqual([
      ['failed', 500, 'the subscriber answered HTTP 500'],
      ['failed', null, 'connect ECONNREFUSED 127.0.0.1:9'],
      ['delivered', 200, null],
    ]);
  });

  it('doubles the wait up to SUBSCRIPTION_RETRY_MAX_MS', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, 1000, 5000))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('pauses the subscription after SUBSCRIPTION_MAX_FAILURES consecutive failures, and then sends nothing', async () => {
    const { service, events, webhook, subscriptions, advance } = setup();
    events.add(1);
    webhook.answers = [503];
    for (let i = 0; i < 4; i++) {
      await service.tick();
      advance(10_000);
    }
    expect(subscriptions.s.status).toBe('paused');
    expect(subscriptions.log).toHaveLength(4);
    await service.tick();
    expect(webhook.received).toHaveLength(4);
  });

  it('runs a scheduled subscription only when its schedule comes, and reports an empty run only with reportIfEmpty', async () => {
    const schedule = { second: '0', minute: '[0-59]' };
    const quiet = setup({ stream: false, schedule, nextRunAt: new Date('2026-05-01T08:01:00Z') });
    expect(await quiet.service.tick()).toEqual({ delivered: 0, failed: 0 });
    quiet.advance(60_000);
    // Due, but nothing to say: no call, and the next run is the next minute.
    expect(await quiet.service.tick()).toEqual({ delivered: 0, failed: 0 });
    expect(quiet.webhook.received).toEqual([]);
    expect(quiet.subscriptions.s.nextRunAt).toEqual(new Date('2026-05-01T08:02:00Z'));

    const loud = setup({ stream: false, schedule, reportIfEmpty: true, nextRunAt: new Date('2026-05-01T08:00:00Z') });
    expect(await loud.service.tick()).toEqual({ delivered: 1, failed: 0 });
    expect(loud.delivered()).toEqual([[]]);
    loud.events.add(1);
    expect(await loud.service.tick()).toEqual({ delivered: 0, failed: 0 });
    loud.advance(60_000);
    expect(await loud.service.tick()).toEqual({ delivered: 1, failed: 0 });
    expect(loud.delivered()).toEqual([[], ['urn:x:1']]);
  });

  it('delivers from initialRecordTime, or the query’s own GE_recordTime when that is later', async () => {
    const { service, events } = setup({ initialRecordTime: new Date(T0.getTime() + 2500), criteria: { eventTypes: ['ObjectEvent'] } });
    events.add(4);
    await service.tick();
    expect(events.asked[0]).toMatchObject({ eventTypes: ['ObjectEvent'], recordTimeFrom: new Date(T0.getTime() + 2500) });
    const later = setup({ initialRecordTime: new Date(0), criteria: { recordTimeFrom: new Date(T0.getTime() + 4000) } });
    later.events.add(4);
    await later.service.tick();
    expect(later.delivered()).toEqual([['urn:x:4']]);
  });

  it('applies the owner’s read policy to what it delivers', async () => {
    const { service, events } = setup();
    events.add(1);
    await service.tick();
    expect(events.asked[0].visibleTo).toMatchObject({ organizationId: OWNER.id, ownGtins: true });
  });
});

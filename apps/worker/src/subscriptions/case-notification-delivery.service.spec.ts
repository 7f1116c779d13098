import { loadConfig } from '@pharmatrace/config';
import type { CaseNotificationRepository, CaseNotificationRow, ClaimedNotification } from '@pharmatrace/persistence';
import { CaseNotificationDeliveryService, NOTIFICATION_HEADER } from './case-notification-delivery.service';
import { SIGNATURE_HEADER, signatureOf } from './subscription-delivery.service';
import type { WebhookClient } from './webhook.client';

const T0 = new Date('2026-12-01T08:00:00Z');

/** case_notification in memory with its rules: a job's state is its latest step; one claim per attempt. */
class FakeNotifications {
  readonly steps: {
    status: string;
    attempt: number;
    at: Date;
    nextAttemptAt: Date | null;
    httpStatus: number | null;
    error: string | null;
  }[] = [{ status: 'pending', attempt: 0, at: T0, nextAttemptAt: null, httpStatus: null, error: null }];
  dest: string | null = 'https://partner.example.com/hook';
  /** Another worker claims every attempt first. */
  outraced = false;
  private latest() {
    return this.steps.at(-1)!;
  }
  async due(now: Date, staleBefore: Date): Promise<CaseNotificationRow[]> {
    const l = this.latest();
    const due =
      l.status === 'pending' ||
      (l.status === 'failed' && l.nextAttemptAt !== null && l.nextAttemptAt <= now) ||
      (l.status === 'sending' && l.at < staleBefore);
    return due
      ? [
          {
            jobId: 'job-1',
            caseId: 'c',
            organizationId: 'o',
            channel: 'webhook',
            subscriptionId: 's',
            createdAt: T0,
            ...l,
          } as CaseNotificationRow,
        ]
      : [];
  }
  async claim(job: CaseNotificationRow, _: string, now: Date): Promise<ClaimedNotification | null> {
    if (this.outraced) return null;
    this.steps.push({ status: 'sending', attempt: job.attempt + 1, at: now, nextAttemptAt: null, httpStatus: null, error: null });
    return {
      jobId: 'job-1',
      caseId: 'c',
      organizationId: 'o',
      subscriptionId: 's',
      attempt: job.attempt + 1,
      payload: { type: 'pharmatrace.case.illegitimate', notificationId: 'job-1' },
      dest: this.dest,
      signatureToken: 'secret',
    };
  }
  async finish(
    job: ClaimedNotification,
    outcome: { status: string; at: Date; httpStatus: number | null; error: string | null; nextAttemptAt: Date | null },
  ) {
    this.steps.push({ ...outcome, attempt: job.attempt });
  }
}

function setup(answers: (number | Error)[]) {
  let now = T0;
  const notifications = new FakeNotifications();
  const sent: { url: string; body: string; headers: Record<string, string> }[] = [];
  const webhook = {
    async post(url: string, body: string, headers: Record<string, string>) {
      sent.push({ url, body, headers });
      const next = answers.length > 1 ? answers.shift()! : answers[0];
      if (next instanceof Error) throw next;
      return { status: next };
    },
  };
  const config = loadConfig({ SUBSCRIPTION_RETRY_BASE_MS: '1000', SUBSCRIPTION_RETRY_MAX_MS: '5000', SUBSCRIPTION_MAX_FAILURES: '3' });
  const service = new CaseNotificationDeliveryService(
    notifications as unknown as CaseNotificationRepository,
    webhook as unknown as WebhookClient,
    config,
    () => now,
  );
  return { service, notifications, sent, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('CaseNotificationDeliveryService', () => {
  it('sends the job’s payload signed with the subscription’s token, marked as a case notification, once', async () => {
    const { service, notifications, sent } = setup([200]);
    expect(await service.tick()).toEqual({ delivered: 1, failed: 0 });
    expect(sent[0].headers[NOTIFICATION_HEADER]).toBe('case.illegitimate');
    expect(sent[0].headers[SIGNATURE_HEADER]).toBe(signatureOf('secret', sent[0].body));
    expect(JSON.parse(sent[0].body)).toEqual({ type: 'pharmatrace.case.illegitimate', notificationId: 'job-1' });
    expect(notifications.steps.map((s) => [s.status, s.attempt])).toEqual([
      ['pending', 0],
      ['sending', 1],
      ['delivered', 1],
    ]);
    expect(await service.tick()).toEqual({ delivered: 0, failed: 0 });
    expect(sent).toHaveLength(1);
  });

  it('retries with backoff and gives up after SUBSCRIPTION_MAX_FAILURES attempts', async () => {
    const { service, notifications, sent, advance } = setup([503, new Error('connect ECONNREFUSED'), 500]);
    expect(await service.tick()).toEqual({ delivered: 0, failed: 1 });
    expect(notifications.steps.at(-1)).toMatchObject({ status: 'failed', httpStatus: 503, nextAttemptAt: new Date(T0.getTime() + 1000) });
    advance(999);
    expect(await service.tick()).toEqual({ delivered: 0, failed: 0 });
    advance(1);
    expect(await service.tick()).toEqual({ delivered: 0, failed: 1 });
    expect(notifications.steps.at(-1)).toMatchObject({ error: 'connect ECONNREFUSED', nextAttemptAt: new Date(T0.getTime() + 3000) });
    advance(2000);
    await service.tick();
    // The third failure is the last: no next attempt, nothing more sent.
    expect(notifications.steps.at(-1)).toMatchObject({ status: 'failed', attempt: 3, httpStatus: 500, nextAttemptAt: null });
    advance(60_000);
    expect(await service.tick()).toEqual({ delivered: 0, failed: 0 });
    expect(sent).toHaveLength(3);
  });

  it('records a deleted subscription as a failure without retrying, and sends nothing for an attempt another worker claimed', async () => {
    const gone = setup([200]);
    gone.notifications.dest = null;
    expect(await gone.service.tick()).toEqual({ delivered: 0, failed: 1 });
    expect(gone.notifications.steps.at(-1)).toMatchObject({
      status: 'failed',
      error: 'the webhook subscription was deleted',
      nextAttemptAt: null,
    });
    expect(gone.sent).toEqual([]);
    const raced = setup([200]);
    raced.notifications.outraced = true;
    expect(await raced.service.tick()).toEqual({ delivered: 0, failed: 0 });
    expect(raced.sent).toEqual([]);
  });

  it('takes over an attempt whose worker died (claimed, no outcome past the lease)', async () => {
    const { service, notifications, sent, advance } = setup([200]);
    notifications.steps.push({ status: 'sending', attempt: 1, at: T0, nextAttemptAt: null, httpStatus: null, error: null });
    expect(await service.tick()).toEqual({ delivered: 0, failed: 0 });
    advance(10_000 * 2 + 60_001);
    expect(await service.tick()).toEqual({ delivered: 1, failed: 0 });
    expect(notifications.steps.at(-1)).toMatchObject({ status: 'delivered', attempt: 2 });
    expect(sent).toHaveLength(1);
  });
});

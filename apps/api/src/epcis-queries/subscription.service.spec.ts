import type { EventQueryService } from '../events/event-query.service';
import type { AppConfig } from '@pharmatrace/config';
import { organization } from '../organizations/organization.fake';
import type { NamedQueryRepository, NewSubscription, Subscription, SubscriptionRepository } from '@pharmatrace/persistence';
import { NamedQueryErrorCode } from './named-query.error';
import { FakeNamedQueryRepository } from './named-query.fake';
import { NamedQueryService } from './named-query.service';
import { SubscriptionErrorCode } from './subscription.error';
import { SubscriptionService, subscriptionView } from './subscription.service';

const maker = organization({ name: 'Maker', role: 'MANUFACTURER' });
const other = organization({ name: 'Other', role: 'DISTRIBUTOR' });
const NOW = new Date('2026-05-01T08:00:30Z');

class FakeSubscriptions {
  readonly rows: Subscription[] = [];
  async create(s: NewSubscription): Promise<Subscription> {
    const row: Subscription = {
      ...s,
      id: `0000000${this.rows.length + 1}-0000-4000-8000-000000000000`,
      queryName: 'q',
      initialRecordTime: s.initialRecordTime ?? NOW,
      position: { xid: '0', eventId: 0 },
      createdAt: NOW,
      lastNotifiedAt: null,
      nextAttemptAt: NOW,
      consecutiveFailures: 0,
      status: 'active',
    };
    this.rows.push(row);
    return row;
  }
  async byId(queryId: number, id: string) {
    return this.rows.find((r) => r.queryId === queryId && r.id === id) ?? null;
  }
}

async function setup(allowPrivateDestinations = true) {
  const queries = new NamedQueryService(new FakeNamedQueryRepository() as unknown as NamedQueryRepository, {} as EventQueryService);
  await queries.create(maker, { name: 'q', query: {} });
  const repository = new FakeSubscriptions();
  const config = { subscriptions: { allowPrivateDestinations } } as AppConfig;
  const service = new SubscriptionService(queries, repository as unknown as SubscriptionRepository, () => NOW, config);
  return { service, repository };
}

const invalid = (field: string, rule?: string) => ({
  code: SubscriptionErrorCode.INVALID_SUBSCRIPTION,
  details: expect.objectContaining({ field, ...(rule ? { rule } : {}) }),
});

describe('SubscriptionService', () => {
  it('creates a stream subscription whose view never shows the secret', async () => {
    const { service } = await setup();
    const created = await service.create(maker, 'q', { dest: 'https://client.example.com/hook', signatureToken: 's3cret', stream: true });
    const view = subscriptionView(created);
    expect(view).toMatchObject({ dest: 'https://client.example.com/hook', stream: true, signed: true, status: 'active' });
    expect(JSON.stringify(view)).not.toContain('s3cret');
  });

  it('schedules a scheduled subscription at the schedule’s next time', async () => {
    const { service, repository } = await setup();
    await service.create(maker, 'q', { dest: 'http://localhost:9/x', schedule: { second: '0' }, reportIfEmpty: true });
    expect(repository.rows[0]).toMatchObject({
      stream: false,
      schedule: { second: '0' },
      reportIfEmpty: true,
      nextRunAt: new Date('2026-05-01T08:01:00Z'),
    });
  });

  it.each([
    [{ stream: true }, '/dest', 'format:uri'],
    [{ dest: 'ftp://example.com/x', stream: true }, '/dest', 'format:uri'],
    [{ dest: 'not a url', stream: true }, '/dest', 'format:uri'],
    [{ dest: 'https://x.example/' }, '/stream', 'required'],
    [{ dest: 'https://x.example/', stream: false }, '/stream', 'enum'],
    [{ dest: 'https://x.example/', stream: true, schedule: { second: '0' } }, '/stream', 'exclusive'],
    [{ dest: 'https://x.example/', schedule: { minute: '61' } }, '/schedule/minute', 'range'],
    [{ dest: 'https://x.example/', schedule: {} }, '/schedule', 'non-empty'],
    [{ dest: 'https://x.example/', stream: true, reportIfEmpty: true }, '/reportIfEmpty', 'schedule-only'],
    [{ dest: 'https://x.example/', stream: true, initialRecordTime: 'yesterday' }, '/initialRecordTime', 'format:date-time'],
    [{ dest: 'https://x.example/', stream: true, signatureToken: 42 }, '/signatureToken', 'type:string'],
    [{ dest: 'https://x.example/', stream: true, secret: 'x' }, '/secret', 'additionalProperties'],
  ])('refuses %j naming %s', async (body, field, rule) => {
    const { service, repository } = await setup();
    await expect(service.create(maker, 'q', body)).rejects.toMatchObject(invalid(field, rule));
    expect(repository.rows).toEqual([]);
  });

  it('keeps subscriptions to the query’s owner', async () => {
    const { service } = await setup();
    const created = await service.create(maker, 'q', { dest: 'https://x.example/', stream: true });
    await expect(service.create(other, 'q', { dest: 'https://x.example/', stream: true })).rejects.toMatchObject({
      code: NamedQueryErrorCode.QUERY_NOT_FOUND,
    });
    await expect(service.find(other, 'q', created.id)).rejects.toMatchObject({ code: NamedQueryErrorCode.QUERY_NOT_FOUND });
    await expect(service.find(maker, 'q', created.id)).resolves.toMatchObject({ id: created.id });
    await expect(service.find(maker, 'q', 'not-a-uuid')).rejects.toMatchObject({ code: SubscriptionErrorCode.SUBSCRIPTION_NOT_FOUND });
  });

  it.each(['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'https://169.254.169.254/latest', 'http://[::1]/x', 'http://10.0.0.7/x'])(
    'refuses a webhook to %s unless the operator allows internal destinations',
    async (dest) => {
      const refused = (await setup(false)).service.create(maker, 'q', { dest, stream: true });
      await expect(refused).rejects.toMatchObject({ details: { field: '/dest', rule: 'public-destination' } });
      await expect((await setup(true)).service.create(maker, 'q', { dest, stream: true })).resolves.toBeDefined();
    },
  );
});

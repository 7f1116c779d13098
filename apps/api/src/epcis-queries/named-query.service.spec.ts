import type { EventQueryService } from '../events/event-query.service';
import type { QueryParams } from '../events/event-filter.parser';
import { EventQueryErrorCode } from '../events/event-query.error';
import { organization } from '../organizations/organization.fake';
import type { NamedQueryRepository } from '@pharmatrace/persistence';
import { NamedQueryErrorCode } from './named-query.error';
import { FakeNamedQueryRepository } from './named-query.fake';
import { NamedQueryService } from './named-query.service';

const maker = organization({ name: 'Maker', role: 'MANUFACTURER' });
const other = organization({ name: 'Other', role: 'DISTRIBUTOR' });

function setup() {
  const repository = new FakeNamedQueryRepository();
  const ran: { params: QueryParams; reader: string }[] = [];
  const events = {
    query: async (params: QueryParams, reader: { id: string }) => {
      ran.push({ params, reader: reader.id });
      return { events: [], nextPageToken: null };
    },
  };
  const service = new NamedQueryService(repository as unknown as NamedQueryRepository, events as unknown as EventQueryService);
  return { service, repository, ran };
}

const rejects = async (promise: Promise<unknown>, code: string, details: Record<string, unknown> = {}) => {
  await expect(promise).rejects.toMatchObject({ code, details: expect.objectContaining(details) });
};

describe('NamedQueryService', () => {
  it('stores a query with the criteria parsed from it, its definition as given', async () => {
    const { service, repository } = setup();
    const query = { eventType: ['ObjectEvent'], EQ_bizStep: ['shipping', 'receiving'], GE_recordTime: '2026-01-01T00:00:00Z' };
    const created = await service.create(maker, { name: 'shipments', query });
    expect(created).toMatchObject({ ownerId: maker.id, name: 'shipments', query });
    expect(repository.rows[0].criteria.eventTypes).toEqual(['ObjectEvent']);
    expect(repository.rows[0].criteria.bizSteps).toContain('urn:epcglobal:cbv:bizstep:receiving');
    expect(repository.rows[0].criteria.recordTimeFrom).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('refuses a bad query parameter when the query is created, naming it', async () => {
    const { service, repository } = setup();
    await rejects(service.create(maker, { name: 'q', query: { EQ_action: ['SHIP'] } }), EventQueryErrorCode.INVALID_QUERY_PARAMETER, {
      parameter: 'EQ_action',
    });
    await rejects(service.create(maker, { name: 'q', query: { EQ_nonsense: ['x'] } }), EventQueryErrorCode.INVALID_QUERY_PARAMETER, {
      parameter: 'EQ_nonsense',
    });
    await rejects(service.create(maker, { name: 'q', query: { EQ_bizStep: [{ no: 1 }] } }), EventQueryErrorCode.INVALID_QUERY_PARAMETER, {
      parameter: 'EQ_bizStep',
      rule: 'type',
    });
    await rejects(service.create(maker, { name: 'q', query: { perPage: 5 } }), EventQueryErrorCode.INVALID_QUERY_PARAMETER, {
      parameter: 'perPage',
      rule: 'named-query',
    });
    expect(repository.rows).toEqual([]);
  });

  it.each([
    [null, '/'],
    [{ query: {} }, '/name'],
    [{ name: 'a/b', query: {} }, '/name'],
    [{ name: 'x'.repeat(129), query: {} }, '/name'],
    [{ name: 'ok', query: [] }, '/query'],
    [{ name: 'ok', query: {}, dest: 'x' }, '/dest'],
  ])('refuses the body %j naming %s', async (body, field) => {
    const { service } = setup();
    await rejects(service.create(maker, body), NamedQueryErrorCode.INVALID_NAMED_QUERY, { field });
  });

  it('keeps names unique per organization, and free again once deleted', async () => {
    const { service } = setup();
    await service.create(maker, { name: 'q', query: {} });
    await rejects(service.create(maker, { name: 'q', query: {} }), NamedQueryErrorCode.QUERY_EXISTS);
    await expect(service.create(other, { name: 'q', query: {} })).resolves.toMatchObject({ ownerId: other.id });
    await service.delete(maker, 'q');
    await expect(service.create(maker, { name: 'q', query: {} })).resolves.toMatchObject({ ownerId: maker.id });
  });

  it("answers another organization's query as absent: it can neither read, run nor delete it", async () => {
    const { service } = setup();
    await service.create(maker, { name: 'mine', query: {} });
    await rejects(service.find(other, 'mine'), NamedQueryErrorCode.QUERY_NOT_FOUND);
    await rejects(service.events(other, 'mine', {}), NamedQueryErrorCode.QUERY_NOT_FOUND);
    await rejects(service.delete(other, 'mine'), NamedQueryErrorCode.QUERY_NOT_FOUND);
    expect((await service.list(other, 10, undefined)).queries).toEqual([]);
    await expect(service.find(maker, 'mine')).resolves.toMatchObject({ name: 'mine' });
  });

  it('runs the stored parameters with the request’s paging, for the caller', async () => {
    const { service, ran } = setup();
    await service.create(maker, { name: 'q', query: { EQ_bizStep: ['shipping', 'receiving'], eventType: 'ObjectEvent' } });
    await service.events(maker, 'q', { perPage: ['5'] });
    expect(ran).toEqual([
      { params: { EQ_bizStep: ['shipping', 'receiving'], eventType: ['ObjectEvent'], perPage: ['5'] }, reader: maker.id },
    ]);
  });

  it('refuses filters and subscription parameters on a plain GET of the events', async () => {
    const { service, ran } = setup();
    await service.create(maker, { name: 'q', query: {} });
    await rejects(service.events(maker, 'q', { EQ_action: ['ADD'] }), EventQueryErrorCode.INVALID_QUERY_PARAMETER, {
      parameter: 'EQ_action',
      rule: 'named-query',
    });
    await rejects(service.events(maker, 'q', { stream: ['true'] }), EventQueryErrorCode.INVALID_QUERY_PARAMETER, {
      parameter: 'stream',
      rule: 'websocket-only',
    });
    expect(ran).toEqual([]);
  });

  it('lists in creation order a page at a time', async () => {
    const { service } = setup();
    for (const name of ['a', 'b', 'c']) await service.create(maker, { name, query: {} });
    const first = await service.list(maker, 2, undefined);
    expect(first.queries.map((q) => q.name)).toEqual(['a', 'b']);
    const second = await service.list(maker, 2, first.nextPageToken!);
    expect(second).toMatchObject({ queries: [expect.objectContaining({ name: 'c' })], nextPageToken: null });
    await rejects(service.list(maker, 2, 'bogus'), EventQueryErrorCode.INVALID_QUERY_PARAMETER, { parameter: 'nextPageToken' });
  });
});

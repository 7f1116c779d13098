import type { Organization } from '@pharmatrace/domain';
import { gs1CheckDigit } from '@pharmatrace/gs1';
import type { EventCriteria, EventVocabularyRepository, ReadGrantRepository, VocabularyList } from '@pharmatrace/persistence';
import { FakeReadGrantRepository } from '../grants/read-grant.fake';
import { organization } from '../organizations/organization.fake';
import { ReadGrantDirectory } from '../policy/read-grant.directory';
import { ReadPolicyService } from '../policy/read-policy.service';
import type { QueryParams } from './event-filter.parser';
import { encodePageToken } from './event-page.token';
import { EventQueryErrorCode } from './event-query.error';
import type { EventPage, EventQueryService } from './event-query.service';
import { EventVocabularyErrorCode } from './event-vocabulary.error';
import { EventVocabularyService } from './event-vocabulary.service';

const maker = organization({ name: 'Maker', role: 'MANUFACTURER', gln: '0614141000012' });
const rival = organization({ name: 'Rival', role: 'MANUFACTURER', gln: '4012345000019' });
const regulator = organization({ name: 'Regulator', role: 'REGULATOR', gln: '0614141000043' });

const P1 = 'https://id.gs1.org/01/00614141073467/21/P1';
const P2 = 'https://id.gs1.org/01/00614141073467/21/P2';
const R1 = 'https://id.gs1.org/01/04012345111118/21/R1';

/**
 * EventVocabularyRepository in memory: values of events as stored, each with its capturer; a reader with a visibility
 * criterion sees only the values of events it captured (the read policy's other rules are left to the SQL's
 * integration tests).
 */
class FakeVocabulary {
  readonly rows: { list: VocabularyList; value: string; capturedBy: string }[] = [];
  readonly calls: VocabularyList[] = [];

  add(capturedBy: string, list: VocabularyList, ...values: string[]): this {
    for (const value of values) this.rows.push({ list, value, capturedBy });
    return this;
  }

  private readable(list: VocabularyList, visibleTo: EventCriteria['visibleTo']): string[] {
    const values = this.rows
      .filter((r) => r.list === list && (!visibleTo || r.capturedBy === visibleTo.organizationId))
      .map((r) => r.value);
    return [...new Set(values)].sort();
  }

  async page(list: VocabularyList, visibleTo: EventCriteria['visibleTo'], limit: number, after?: string) {
    this.calls.push(list);
    const rest = this.readable(list, visibleTo).filter((v) => after === undefined || v > after);
    return { values: rest.slice(0, limit), hasMore: rest.length > limit };
  }

  async exists(list: VocabularyList, values: string[], visibleTo: EventCriteria['visibleTo']) {
    return this.readable(list, visibleTo).some((v) => values.includes(v));
  }
}

/** EventQueryService as the vocabulary sees it: the parameters each query was given. */
class FakeEventQueries {
  readonly calls: { params: QueryParams; reader: Organization }[] = [];

  async query(params: QueryParams, reader: Organization): Promise<EventPage> {
    this.calls.push({ params, reader });
    return { events: [], nextPageToken: null, hasMore: false, tokensExpire: new Date(0) };
  }
}

function setup() {
  const vocabulary = new FakeVocabulary()
    .add(maker.id, 'epcs', P1, P2)
    .add(maker.id, 'bizSteps', 'shipping', 'commissioning', 'shipping')
    .add(maker.id, 'readPoints', 'urn:epc:id:sgln:0614141.00777.0')
    .add(rival.id, 'epcs', R1)
    .add(rival.id, 'bizSteps', 'https://rival.example/voc/BizStep-polishing');
  const queries = new FakeEventQueries();
  const policy = new ReadPolicyService(
    new ReadGrantDirectory(new FakeReadGrantRepository() as unknown as ReadGrantRepository, () => new Date()),
    () => new Date(),
  );
  const service = new EventVocabularyService(
    vocabulary as unknown as EventVocabularyRepository,
    queries as unknown as EventQueryService,
    policy,
  );
  return { service, vocabulary, queries };
}

/** Every page of a list, following its tokens. */
async function walk(service: EventVocabularyService, resource: 'epcs' | 'eventTypes', perPage: number, reader: Organization) {
  const members: string[][] = [];
  let token: string | null = null;
  do {
    const page = await service.list(resource, { perPage: [String(perPage)], ...(token ? { nextPageToken: [token] } : {}) }, reader);
    members.push(page.collection.member);
    token = page.nextPageToken;
  } while (token && members.length < 10);
  return members;
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'resolved' }),
    (e: { code: string; details?: Record<string, unknown> }) => ({ code: e.code, ...e.details }),
  );

describe('EventVocabularyService', () => {
  it('names the nine top-level resources of the binding', () => {
    const { service } = setup();
    expect(service.topLevel()).toEqual({
      '@context': 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
      type: 'Collection',
      member: ['events', 'eventTypes', 'epcs', 'bizSteps', 'bizLocations', 'readPoints', 'dispositions', 'capture', 'queries'],
    });
  });

  it('lists the values of the events the caller may read, once each, in pages that follow one another', async () => {
    const { service } = setup();
    expect(await walk(service, 'epcs', 2, regulator)).toEqual([[P1, P2], [R1]]);
    expect(await walk(service, 'epcs', 1, maker)).toEqual([[P1], [P2]]);
    expect(await walk(service, 'epcs', 30, rival)).toEqual([[R1]]);
    expect((await service.list('bizSteps', {}, maker)).collection.member).toEqual(['commissioning', 'shipping']);
  });

  it('lists the five event types to everyone without asking the repository', async () => {
    const { service, vocabulary } = setup();
    expect(await walk(service, 'eventTypes', 2, maker)).toEqual([
      ['AggregationEvent', 'AssociationEvent'],
      ['ObjectEvent', 'TransactionEvent'],
      ['TransformationEvent'],
    ]);
    expect(vocabulary.calls).toEqual([]);
  });

  it('refuses a token of another list, a forged token, a bad perPage and any other parameter, naming it', async () => {
    const { service } = setup();
    const { nextPageToken } = await service.list('epcs', { perPage: ['1'] }, regulator);
    const refused: [QueryParams, string][] = [
      [{ nextPageToken: [nextPageToken!] }, 'nextPageToken'],
      [{ nextPageToken: ['forged'] }, 'nextPageToken'],
      [{ perPage: ['0'] }, 'perPage'],
      [{ perPage: ['1001'] }, 'perPage'],
      [{ EQ_bizStep: ['shipping'] }, 'EQ_bizStep'],
    ];
    for (const [params, parameter] of refused) {
      expect(await codeOf(service.list('bizSteps', params, regulator))).toMatchObject({
        code: EventQueryErrorCode.INVALID_QUERY_PARAMETER,
        parameter,
      });
    }
  });

  it('finds a value in every spelling the events query reads, and only among what the caller may read', async () => {
    const { service } = setup();
    const found = { '@context': expect.any(String), type: 'Collection', member: ['events'] };
    await expect(service.resource('epcs', 'urn:epc:id:sgtin:0614141.007346.P1', maker)).resolves.toEqual(found);
    await expect(service.resource('epcs', P1, maker)).resolves.toEqual(found);
    await expect(service.resource('bizSteps', 'https://ref.gs1.org/cbv/BizStep-shipping', maker)).resolves.toEqual(found);
    await expect(
      service.resource('readPoints', `https://id.gs1.org/414/061414100777${gs1CheckDigit('061414100777')}`, maker),
    ).resolves.toEqual(found);
    await expect(service.resource('eventTypes', 'TransformationEvent', rival)).resolves.toEqual(found);
    const hidden = await codeOf(service.resource('epcs', R1, maker));
    const absent = await codeOf(service.resource('epcs', 'https://id.gs1.org/01/04012345111118/21/NEVER', maker));
    expect(hidden).toEqual({ code: EventVocabularyErrorCode.RESOURCE_NOT_FOUND, resource: 'epcs', value: R1 });
    expect(absent).toMatchObject({ code: EventVocabularyErrorCode.RESOURCE_NOT_FOUND });
    await expect(service.resource('epcs', R1, regulator)).resolves.toEqual(found);
    expect(await codeOf(service.resource('eventTypes', 'https://example.org/MyEvent', maker))).toMatchObject({
      code: EventVocabularyErrorCode.RESOURCE_NOT_FOUND,
    });
  });

  it('refuses a value that cannot be one as a 400 naming the path parameter', async () => {
    const { service } = setup();
    const refused: [Parameters<EventVocabularyService['resource']>[0], string, string][] = [
      ['epcs', 'not an epc', 'epc'],
      ['epcs', 'https://example.org/thing', 'epc'],
      ['bizSteps', 'Shipping Now', 'bizStep'],
      ['dispositions', 'urn:x:a,b', 'disposition'],
      ['readPoints', 'warehouse', 'readPoint'],
      ['bizLocations', 'urn:x:a|b', 'bizLocation'],
      ['eventTypes', 'Thing', 'eventType'],
    ];
    for (const [resource, value, parameter] of refused) {
      expect({ value, ...(await codeOf(service.resource(resource, value, regulator))) }).toMatchObject({
        value,
        code: EventQueryErrorCode.INVALID_QUERY_PARAMETER,
        parameter,
      });
    }
  });

  it("runs a value's events as the events query with that one parameter added, for the caller", async () => {
    const { service, queries } = setup();
    await service.events('epcs', 'urn:epc:id:sgtin:0614141.007346.P1', { EQ_bizStep: ['shipping'], perPage: ['5'] }, maker);
    await service.events('bizSteps', 'shipping', {}, maker);
    expect(queries.calls).toEqual([
      { params: { EQ_bizStep: ['shipping'], perPage: ['5'], MATCH_anyEPC: ['urn:epc:id:sgtin:0614141.007346.P1'] }, reader: maker },
      { params: { EQ_bizStep: ['shipping'] }, reader: maker },
    ]);
  });

  it('answers an unknown value 404 before querying, and refuses the path parameter given again', async () => {
    const { service, queries } = setup();
    expect(await codeOf(service.events('epcs', R1, {}, maker))).toMatchObject({ code: EventVocabularyErrorCode.RESOURCE_NOT_FOUND });
    expect(await codeOf(service.events('bizSteps', 'shipping', { EQ_bizStep: ['packing'] }, maker))).toMatchObject({
      code: EventQueryErrorCode.INVALID_QUERY_PARAMETER,
      parameter: 'EQ_bizStep',
      rule: 'path-parameter',
    });
    expect(queries.calls).toEqual([]);
  });

  it('releases any page token it issued (they hold nothing) and answers others PAGE_TOKEN_NOT_FOUND', async () => {
    const { service } = setup();
    const { nextPageToken } = await service.list('epcs', { perPage: ['1'] }, regulator);
    for (const token of [
      nextPageToken!,
      encodePageToken({ eventId: 42, served: 30, query: '0123456789abcdef', expiresAt: 1_900_000_000 }),
      '0b5e2f5c-7c1e-4f0a-9d7e-3a1b2c3d4e5f',
    ]) {
      expect(() => service.releaseToken(token)).not.toThrow();
    }
    for (const token of ['forged', Buffer.from('colours:red').toString('base64url')]) {
      expect(() => service.releaseToken(token)).toThrow(expect.objectContaining({ code: EventVocabularyErrorCode.PAGE_TOKEN_NOT_FOUND }));
    }
  });
});

/**
 * What a request runs in (issue 18): no AsyncLocalStorage scope, with read replicas or without. On Node 20 the first
 * scope a process opens turns on promise hooks for every promise it makes from then on: 13–19% of the main thread of
 * a GraphQL request (LoggingModule, docs/benchmarks.md). The request log binds no line to its request, and the
 * replica routing is told the reading organization by the services (readerOf), not by a scope.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ADMIN_TOKEN, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

describe('the context a request runs in', () => {
  const dbUrl = useDatabase();
  let app: INestApplication | undefined;
  let scopes: jest.SpyInstance[];

  beforeEach(() => {
    scopes = [jest.spyOn(AsyncLocalStorage.prototype, 'run'), jest.spyOn(AsyncLocalStorage.prototype, 'enterWith')];
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await app?.close();
    app = undefined;
  });

  /** Scopes opened while serving what a pharmacy and an operator send: GraphQL (verify, a mutation), REST, health. */
  async function scopesOpenedServing(glnBase: string): Promise<number> {
    const pharmacy = await createOrganization(app!, {
      name: `Pharmacy ${glnBase}`,
      role: 'DISPENSER',
      gln: withCheckDigit(glnBase),
      licensed: false,
    });
    for (const s of scopes) s.mockClear();
    const verdict = await gql(
      app!,
      `query($c: String!) { verify(code: $c) { status } }`,
      { c: `01${withCheckDigit('0990000100001')}21CTX1` },
      pharmacy.apiKey,
    );
    expect(verdict.data?.verify.status).toBe('UNKNOWN');
    expect((await gql(app!, '{ __typename }', {}, ADMIN_TOKEN)).data).toEqual({ __typename: 'Query' });
    await request(app!.getHttpServer()).get('/health').expect(200);
    await request(app!.getHttpServer()).get('/epcis/events').set('Authorization', `Bearer ${pharmacy.apiKey}`).expect(200);
    return scopes.reduce((n, s) => n + s.mock.calls.length, 0);
  }

  it('opens none, with every request logged', async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl(), LOG_LEVEL: 'info' }));
    expect(await scopesOpenedServing('990000100001')).toBe(0);
  });

  it('opens none with read replicas either, where reads are routed by organization', async () => {
    // The primary named as its own replica: never fresh enough to be read (it replays nothing), but configured.
    app = await startApi(testConfig({ DATABASE_URL: dbUrl(), DATABASE_REPLICA_URLS: dbUrl(), LOG_LEVEL: 'info' }));
    expect(await scopesOpenedServing('990000100002')).toBe(0);
  });
});

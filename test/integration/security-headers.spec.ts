import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startApi, testConfig, useDatabase } from '../support/platform';

describe('security headers on every answer (real Postgres)', () => {
  let app: INestApplication;
  afterAll(() => app?.close());
  const dbUrl = useDatabase();
  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
  });

  const API_CSP = "default-src 'none';frame-ancestors 'none'";
  it.each([
    ['GET', '/', 'page'],
    ['GET', '/scan', 'page'],
    ['GET', '/graphiql', 'page'],
    ['GET', '/graphql', 'page'],
    ['GET', '/01/09506000134352/21/NOSUCHPACK', 'page'],
    ['GET', '/docs/README.md', 'page'],
    ['POST', '/graphql', 'api'],
    ['GET', '/health', 'api'],
    ['GET', '/metrics', 'api'],
    ['GET', '/epcis/events', 'api'],
    ['GET', '/no/such/route', 'api'],
  ])('%s %s', async (method, path, kind) => {
    const req =
      method === 'POST'
        ? request(app.getHttpServer()).post(path).send({ query: '{ __typename }' })
        : request(app.getHttpServer()).get(path).set('Accept', 'text/html');
    const res = await req;
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const csp = res.headers['content-security-policy'];
    if (kind === 'api') expect(csp).toBe(API_CSP);
    else expect(csp).toMatch(/^default-src /);
  });
});

import { INestApplication, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const codeOf = (r: { errors?: { extensions?: Record<string, any> }[] }) => r.errors?.[0]?.extensions?.code;

describe('rate limits and keys before bodies (real Postgres, Redis)', () => {
  const dbUrl = useDatabase();
  let app: INestApplication;
  let org: { apiKey: string };

  beforeAll(async () => {
    // A prefix of its own: counters per address are shared by every spec file running from 127.0.0.1.
    const limits = {
      RATE_LIMIT_PER_KEY_PER_MINUTE: '5',
      RATE_LIMIT_VERIFY_PER_KEY_PER_MINUTE: '3',
      RATE_LIMIT_PER_IP_PER_MINUTE: '1000',
      AUTH_FAILURES_PER_IP: '3',
    };
    // Counted per resolver call: a query run again in graphql-js to compare answers would count twice.
    const once = { GRAPHQL_COMPARE_EXECUTION: 'false' };
    app = await startApi(testConfig({ DATABASE_URL: dbUrl(), QUEUE_PREFIX: `rate-${randomUUID()}`, ...limits, ...once }));
    org = await createOrganization(app, { name: 'Pharmacy', role: 'DISPENSER', gln: withCheckDigit('061414100010'), licensed: false });
  });
  afterAll(() => app?.close());

  it('answers RATE_LIMITED with Retry-After once a key passes its verification limit, apart from its general limit', async () => {
    const verify = () =>
      request(app.getHttpServer())
        .post('/graphql')
        .set('Authorization', `Bearer ${org.apiKey}`)
        .send({ query: `{ verify(code: "(01)00614141073467(21)A1") { status } }` });
    for (let i = 0; i < 3; i++) expect(codeOf((await verify()).body)).not.toBe('RATE_LIMITED');
    const limited = await verify();
    // Unlike other resolver errors (200 with the code in the body), a refusal to serve the request has its status.
    expect([limited.status, codeOf(limited.body)]).toEqual([429, 'RATE_LIMITED']);
    expect(limited.body.errors[0].extensions.http).toBeUndefined();
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await gql(app, `{ me { name } }`, {}, org.apiKey)).data.me.name).toBe('Pharmacy');
  });

  it('answers RATE_LIMITED (REST 429 with Retry-After) once a key passes its general limit', async () => {
    let res;
    for (let i = 0; i < 6; i++)
      res = await request(app.getHttpServer())
        .get('/proofs?epc=urn:epc:id:sgtin:0614141.007346.A1')
        .set('Authorization', `Bearer ${org.apiKey}`);
    expect([res!.status, res!.body.title]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(res!.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers the EPCIS binding with a 429 problem (RATE_LIMITED, Retry-After), not a server error', async () => {
    const other = await createOrganization(app, {
      name: 'Depot',
      role: 'DISTRIBUTOR',
      gln: withCheckDigit('061414100011'),
      licensed: false,
    });
    let res;
    for (let i = 0; i < 6; i++)
      res = await request(app.getHttpServer()).get('/epcis/events').set('Authorization', `Bearer ${other.apiKey}`);
    expect([res!.status, res!.headers['content-type'], res!.body.type, res!.body.code]).toEqual([
      429,
      expect.stringMatching(/^application\/problem\+json/),
      'epcisException:SecurityException',
      'RATE_LIMITED',
    ]);
    expect(Number(res!.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses an address after repeated wrong keys with 429, and logs the address, never the key', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const statuses: [number, string][] = [];
    let refused: request.Response | undefined;
    for (let i = 0; i < 4; i++) {
      refused = await request(app.getHttpServer())
        .post('/graphql')
        .set('Authorization', `Bearer pt_wrong_${i}`)
        .send({ query: '{ me { name } }' });
      statuses.push([refused.status, codeOf(refused.body)]);
    }
    expect(statuses).toEqual([
      [200, 'UNAUTHENTICATED'],
      [200, 'UNAUTHENTICATED'],
      [200, 'UNAUTHENTICATED'],
      [429, 'RATE_LIMITED'],
    ]);
    // Refused before the request logger runs, yet with the id the caller can quote.
    expect(refused!.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const logged = warn.mock.calls.map((c) => String(c[0])).join('\n');
    expect(logged).toMatch(/wrong API keys from .*127\.0\.0\.1/);
    expect(logged).not.toContain('pt_wrong_');
    warn.mockRestore();
  });

  it('refuses a 45 MB anonymous body with 401 before reading it, and lets a small anonymous { __typename } through', async () => {
    expect((await gql(app, `{ __typename }`)).data).toEqual({ __typename: 'Query' });
    const { port } = (app.getHttpServer().address() ?? (await app.listen(0), app.getHttpServer().address())) as AddressInfo;
    const started = Date.now();
    const answer = await new Promise<{ status: number; body: string }>((resolve) => {
      const req = httpRequest(
        { port, method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', 'content-length': 45 * 1024 * 1024 } },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => {
            resolve({ status: res.statusCode!, body });
            req.destroy();
          });
        },
      );
      // The server closes the connection while the body is still being sent.
      req.on('error', () => undefined);
      req.write(Buffer.alloc(64 * 1024, 0x20));
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

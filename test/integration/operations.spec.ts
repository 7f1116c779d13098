import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { commissioningEvent, epcisDocument } from '@pharmatrace/epcis';
import request from 'supertest';
import { freePort } from '../../scripts/dev-services/local-port';
import { AnchoringService } from '../../apps/worker/src/anchoring/anchoring.service';
import { MetricsServer } from '../../apps/worker/src/metrics/metrics.server';
import { useAnvil } from '../support/anvil';
import {
  ADMIN_TOKEN,
  CAPTURE,
  createOrganization,
  deployRegistry,
  gql,
  startApi,
  startWorker,
  testConfig,
  useDatabase,
  withCheckDigit,
} from '../support/platform';
import { waitFor } from '../support/wait';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const VERIFY = `query($c: String!) { verify(code: $c) { status } }`;
const STACK_LINE = /\n\s+at /;

/** The value of one sample in Prometheus text, e.g. sample(text, 'pharmatrace_verdicts_total{status="ACTIVE"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Builds the API under NODE_ENV=development, where Apollo's own default sends stack traces. */
async function startDevelopmentApi(overrides: Record<string, string>): Promise<INestApplication> {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'development';
  try {
    return await startApi(testConfig({ NODE_ENV: 'development', ...overrides }));
  } finally {
    process.env.NODE_ENV = before;
  }
}

describe('operations: health, metrics, request ids, no stack traces (issue 11)', () => {
  let api: INestApplication;
  let worker: INestApplicationContext | undefined;
  let maker: { apiKey: string };
  let chainEnv: Record<string, string>;
  const others: { close(): Promise<unknown> }[] = [];
  // Declared first so it runs first: the apps stop before their database and chain go away.
  afterAll(async () => {
    for (const app of others) await app.close();
    await worker?.close();
    await api?.close();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();
  const env = () => ({
    DATABASE_URL: dbUrl(),
    ...chainEnv,
    QUEUE_PREFIX: `ops-${process.pid}-${Date.now()}`,
    BATCH_MAX_WAIT_MS: '200',
    WORKER_TICK_MS: '200',
  });

  beforeAll(async () => {
    chainEnv = await deployRegistry(anvil());
    api = await startApi(testConfig({ ...env(), PHARMATRACE_RESTART_COUNT: '2' }));
    maker = await createOrganization(api, {
      name: 'ACME',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
  });

  describe('health', () => {
    it('answers liveness on /health and /health/live without credentials', async () => {
      for (const path of ['/health', '/health/live']) {
        const res = await request(api.getHttpServer()).get(path);
        expect([path, res.status, res.body]).toEqual([path, 200, { status: 'ok' }]);
      }
    });

    it('is ready when Postgres, Redis and the chain answer and nothing waits too long for anchoring', async () => {
      const res = await request(api.getHttpServer()).get('/health/ready');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'ready',
        checks: {
          postgres: { status: 'up' },
          redis: { status: 'up' },
          chain: { status: 'up', blockNumbers: { default: expect.any(Number) } },
          anchoringBacklog: { status: 'up', limitSeconds: 900 },
        },
      });
    });

    it('answers 503 naming Redis, the chain and an anchoring backlog past its limit, without a stack trace', async () => {
      const captured = await gql(
        api,
        CAPTURE,
        { document: epcisDocument([commissioningEvent({ eventTime: new Date(), epcs: [pack('OLD1')], lot: 'L1', expiry: '2028-01-31' })]) },
        maker.apiKey,
      );
      expect(captured.errors).toBeUndefined();
      const [redisPort, rpcPort] = [await freePort(), await freePort()];
      const broken = await startApi(
        testConfig({
          ...env(),
          REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          CHAIN_RPC_URL: `http://127.0.0.1:${rpcPort}`,
          BATCH_MAX_WAIT_MS: '1',
          READY_MAX_BACKLOG_AGE_MS: '2',
        }),
      );
      others.push(broken);
      // No worker runs yet: the event just captured waits, and after 2 ms it is over the limit.
      await new Promise((r) => setTimeout(r, 20));
      const started = Date.now();
      const res = await request(broken.getHttpServer()).get('/health/ready');
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        title: 'NOT_READY',
        status: 503,
        detail: 'not ready: redis, chain, anchoringBacklog',
        down: ['redis', 'chain', 'anchoringBacklog'],
        checks: {
          postgres: { status: 'up' },
          redis: { status: 'down', error: expect.stringContaining('ECONNREFUSED') },
          chain: { status: 'down', error: 'chain default: RPC unreachable (ECONNREFUSED)' },
          anchoringBacklog: {
            status: 'down',
            error: expect.stringMatching(/^the oldest event not yet FINAL on chain waited \d+ s \(limit 0.002 s\)$/),
          },
        },
      });
      expect(res.text).not.toMatch(STACK_LINE);
      expect(res.text).not.toContain(String(rpcPort));

      // Rate limits fail open without Redis: a keyed request is answered at once, not after ~10 s of retries or a 500.
      const askedAt = Date.now();
      const answered = await gql(broken, '{ __typename }', {}, maker.apiKey);
      expect(Date.now() - askedAt).toBeLessThan(4_000);
      expect(answered).toMatchObject({ status: 200, data: { __typename: 'Query' } });
      expect(answered.errors).toBeUndefined();
      // A wrong key is still refused, at once: only its counting needs Redis.
      const refusedAt = Date.now();
      const wrong = await gql(broken, '{ me { name } }', {}, 'pt_wrong-key-while-redis-is-down');
      expect(Date.now() - refusedAt).toBeLessThan(4_000);
      expect([wrong.status, wrong.errors?.[0].extensions?.code]).toEqual([200, 'UNAUTHENTICATED']);
    });
  });

  describe('metrics', () => {
    it('serves Prometheus text without credentials: captures, verdicts, latency by route pattern, backlog, restarts, process metrics', async () => {
      const scrape = async () => {
        const res = await request(api.getHttpServer()).get('/metrics');
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
        return res.text;
      };
      const before = await scrape();
      const captured = await gql(
        api,
        CAPTURE,
        {
          document: epcisDocument(
            ['M1', 'M2', 'M3'].map((serial) =>
              commissioningEvent({ eventTime: new Date(), epcs: [pack(serial)], lot: 'L1', expiry: '2028-01-31' }),
            ),
          ),
        },
        maker.apiKey,
      );
      expect(captured.data.captureEpcisDocument).toMatchObject({ capturedCount: 3 });
      const verified = await gql(api, VERIFY, { c: pack('M1') }, maker.apiKey);
      expect(verified.data.verify.status).toBe('ACTIVE');
      await request(api.getHttpServer()).get('/epcis/events/some-event-id');
      const after = await scrape();

      const moved = (series: string) => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
      expect(moved('pharmatrace_events_captured_total{result="new"}')).toBe(3);
      expect(moved('pharmatrace_verdicts_total{status="ACTIVE"}')).toBe(1);
      expect(
        moved('pharmatrace_http_request_duration_seconds_count{method="POST",route="/graphql",status_code="200"}'),
      ).toBeGreaterThanOrEqual(2);
      // The matched pattern, never the URL: one series however many events are asked for.
      expect(after).toMatch(
        /pharmatrace_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/epcis\/events\/:eventID",status_code="401"\}/,
      );
      expect(after).not.toContain('some-event-id');
      expect(sample(after, 'pharmatrace_anchoring_unbatched_events')).toBe(4);
      expect(sample(after, 'pharmatrace_anchoring_backlog_age_seconds')).toBeGreaterThan(0);
      expect(sample(after, 'pharmatrace_process_restarts')).toBe(2);
      expect(after).toMatch(/^process_cpu_user_seconds_total /m);
      for (const secret of [ADMIN_TOKEN, maker.apiKey, chainEnv.ANCHORER_PRIVATE_KEY.slice(2)]) expect(after).not.toContain(secret);
    });

    it("counts the worker's gas and time to FINAL on its own port, and its RPC errors", async () => {
      worker = await startWorker(testConfig(env()));
      await waitFor(
        async () => (await request(api.getHttpServer()).get('/metrics')).text.includes('pharmatrace_anchoring_backlog_age_seconds 0\n'),
        30_000,
      );
      const port = worker.get(MetricsServer).port!;
      const text = (await request(`http://127.0.0.1:${port}`).get('/metrics').expect(200)).text;
      expect(sample(text, 'pharmatrace_anchoring_gas_used_total{chain="default"}')).toBeGreaterThan(21_000);
      expect(sample(text, 'pharmatrace_anchoring_time_to_final_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'pharmatrace_anchoring_time_to_final_seconds_sum')).toBeGreaterThan(0);
      expect(sample(text, 'pharmatrace_process_restarts')).toBe(0);
      await request(`http://127.0.0.1:${port}`).get('/other').expect(404);
      await worker.close();
      worker = undefined;

      // A worker whose node does not answer: the chain id it must ask for fails, and is counted.
      const offline = await startWorker(testConfig({ ...env(), CHAIN_RPC_URL: `http://127.0.0.1:${await freePort()}`, CHAIN_ID: '' }));
      others.push(offline);
      // Its own tick loop takes the anchorer's lease in turn (a tick without it tries no chain): tick until one holds it.
      await waitFor(async () => (await offline.get(AnchoringService).tick()).leased, 20_000);
      const offlineText = (await request(`http://127.0.0.1:${offline.get(MetricsServer).port}`).get('/metrics')).text;
      expect(sample(offlineText, 'pharmatrace_chain_rpc_errors_total{chain="default",code="RPC_UNAVAILABLE"}')).toBeGreaterThanOrEqual(1);
    });
  });

  describe('request ids', () => {
    it('echoes a sane X-Request-Id, and replaces a missing or unsafe one with a fresh UUID', async () => {
      const given = await request(api.getHttpServer()).get('/health').set('X-Request-Id', 'lb-7f3a.1');
      expect(given.headers['x-request-id']).toBe('lb-7f3a.1');
      const none = await request(api.getHttpServer()).post('/graphql').send({ query: '{ __typename }' });
      const unsafe = await request(api.getHttpServer()).get('/health').set('X-Request-Id', 'x'.repeat(200));
      for (const res of [none, unsafe])
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(none.headers['x-request-id']).not.toBe(unsafe.headers['x-request-id']);
    });
  });

  describe('stack traces', () => {
    const BAD_QUERY = '{ noSuchField }';

    it('are not in GraphQL errors under a development config, nor in REST errors', async () => {
      const dev = await startDevelopmentApi(env());
      others.push(dev);
      const res = await gql(dev, BAD_QUERY);
      expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.errors?.[0].extensions).not.toHaveProperty('stacktrace');
      const unknown = await gql(dev, VERIFY, { c: 'not a code' }, maker.apiKey);
      expect(unknown.errors?.[0].extensions).toEqual({ code: 'INVALID_CODE', details: expect.any(Object) });

      const malformed = await request(dev.getHttpServer())
        .post('/epcis/capture')
        .set('Authorization', `Bearer ${maker.apiKey}`)
        .set('Content-Type', 'application/json')
        .send('{"broken');
      expect(malformed.status).toBeGreaterThanOrEqual(400);
      expect(malformed.text).not.toMatch(STACK_LINE);
    });

    it('are sent only when PHARMATRACE_DEBUG_ERRORS is set', async () => {
      const debug = await startDevelopmentApi({ ...env(), PHARMATRACE_DEBUG_ERRORS: '1' });
      others.push(debug);
      const res = await gql(debug, BAD_QUERY);
      expect(res.errors?.[0].extensions?.stacktrace).toEqual(expect.arrayContaining([expect.stringMatching(/^\s+at /)]));
    });
  });
});

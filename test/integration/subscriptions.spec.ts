import { DynamicModule, INestApplication, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@pharmatrace/config';
import { commissioningEvent, epcisDocument } from '@pharmatrace/epcis';
import { PersistenceModule } from '@pharmatrace/persistence';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import { WebSocket } from 'ws';
import { SubscriptionsModule } from '../../apps/worker/src/subscriptions/subscriptions.module';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';
import { waitFor } from '../support/wait';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const SITE = `https://id.gs1.org/414/${withCheckDigit('061414100777')}`;

/** The worker's delivery feature alone (the whole worker would also anchor, which needs a chain). */
@Module({})
class DeliveryWorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DeliveryWorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot({ url: config.databaseUrl, poolSize: 3, appRole: config.databaseAppRole }),
        SubscriptionsModule,
      ],
    };
  }
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A subscriber's endpoint: records every POST with its raw body; `answer` decides each status (and may wait). */
class Receiver {
  readonly received: Received[] = [];
  answer: (path: string, count: number) => number | Promise<number> = () => 200;
  private server?: Server;
  url = '';

  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const path = req.url ?? '/';
        const status = await this.answer(path, this.received.filter((r) => r.path === path).length);
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The first EPC of each event the subscriber accepted (2xx) at `path`, in the order received. */
  accepted(path: string): string[] {
    return this.received
      .filter((r) => r.path === path && r.status < 300)
      .flatMap((r) => JSON.parse(r.body).epcisBody.queryResults.resultsBody.eventList.map((e: { epcList: string[] }) => e.epcList[0]));
  }

  stop() {
    return new Promise((resolve) => this.server?.close(resolve));
  }
}

describe('EPCIS query subscriptions: webhook delivery by the worker (real Postgres and Redis)', () => {
  let app: INestApplication;
  let config: AppConfig;
  let maker: { apiKey: string; id: string };
  const receiver = new Receiver();
  const workers: INestApplicationContext[] = [];
  const dbUrl = useDatabase();

  beforeAll(async () => {
    await receiver.start();
    config = testConfig({
      DATABASE_URL: dbUrl(),
      QUEUE_PREFIX: `subscriptions-${process.pid}-${Date.now()}`,
      SUBSCRIPTION_TICK_MS: '100',
      SUBSCRIPTION_RETRY_BASE_MS: '100',
      SUBSCRIPTION_RETRY_MAX_MS: '400',
      SUBSCRIPTION_MAX_FAILURES: '3',
      SUBSCRIPTION_BATCH_EVENTS: '5',
      // The receiver shares this process's event loop with the API and workers: on a loaded CI host an answer can take
      // over 2 s, and a delivery that times out is sent again (at least once), which the exact-order checks would see.
      SUBSCRIPTION_DELIVERY_TIMEOUT_MS: '10000',
    });
    app = await startApi(config);
    maker = await createOrganization(app, {
      name: 'Subscriber Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
  });
  afterAll(async () => {
    for (const w of workers) await w.close();
    await app?.close();
    await receiver.stop();
  });

  const startWorker = async () => {
    const worker = await NestFactory.createApplicationContext(DeliveryWorkerModule.forRoot(config), { logger: ['error'] });
    await worker.init();
    workers.push(worker);
    return worker;
  };
  const http = () => request(app.getHttpServer());
  const auth = () => ({ Authorization: `Bearer ${maker.apiKey}` });
  const post = (path: string, body: unknown) =>
    http().post(path).set(auth()).set('Content-Type', 'application/json').send(JSON.stringify(body));
  const capture = async (serials: string[]) => {
    const events = serials.map((s, i) =>
      commissioningEvent({
        eventTime: new Date(Date.UTC(2026, 4, 1, 8, 0, i)),
        epcs: [pack(s)],
        lot: 'L1',
        expiry: '2028-01-31',
        bizLocation: SITE,
      }),
    );
    const res = await gql(app, CAPTURE, { document: epcisDocument(events) }, maker.apiKey);
    expect(res.errors).toBeUndefined();
  };
  const subscribe = async (query: string, body: Record<string, unknown>) => {
    expect((await post('/epcis/queries', { name: query, query: { EQ_bizStep: ['commissioning'] } })).status).toBe(201);
    const res = await post(`/epcis/queries/${query}/subscriptions`, body);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/epcis/queries/${query}/subscriptions/${res.body.subscriptionID}`);
    return res.body.subscriptionID as string;
  };
  const deliveries = async (query: string, id: string) =>
    (await http().get(`/epcis/queries/${query}/subscriptions/${id}/deliveries`).set(auth())).body as {
      status: string;
      httpStatus: number | null;
      eventCount: number;
    }[];

  it('delivers each new matching event to the webhook, signed with HMAC-SHA256 of the exact body in GS1-Signature', async () => {
    await capture(['BEFORE-1']);
    const id = await subscribe('signed', { dest: `${receiver.url}/signed`, signatureToken: 'the client secret', stream: true });
    const view = await http().get(`/epcis/queries/signed/subscriptions/${id}`).set(auth());
    expect(view.body).toMatchObject({ subscriptionID: id, queryName: 'signed', stream: true, signed: true, status: 'active' });
    expect(JSON.stringify(view.body)).not.toContain('the client secret');
    await startWorker();
    await capture(['S1', 'S2']);
    await capture(['S3']);
    await waitFor(async () => receiver.accepted('/signed').length >= 3);
    // Events recorded before the subscription (no initialRecordTime: from now) are not sent.
    expect(receiver.accepted('/signed')).toEqual([pack('S1'), pack('S2'), pack('S3')]);
    for (const r of receiver.received.filter((x) => x.path === '/signed')) {
      expect(r.headers['gs1-signature']).toBe(`sha256=${createHmac('sha256', 'the client secret').update(r.body).digest('hex')}`);
      expect(r.headers['content-type']).toBe('application/json');
      expect(JSON.parse(r.body)).toMatchObject({ type: 'EPCISQueryDocument', epcisBody: { queryResults: { queryName: 'signed' } } });
    }
    await waitFor(async () => (await deliveries('signed', id)).length === receiver.received.filter((x) => x.path === '/signed').length);
    expect((await deliveries('signed', id)).every((d) => d.status === 'delivered' && d.httpStatus === 200)).toBe(true);
    const after = await http().get(`/epcis/queries/signed/subscriptions/${id}`).set(auth());
    expect(after.body.lastNotifiedAt).toEqual(expect.any(String));
  });

  it('retries a failed delivery with backoff until the subscriber takes it, then pauses one that keeps failing', async () => {
    receiver.answer = (path, count) => (path === '/down' ? 503 : path === '/flaky' && count < 2 ? 500 : 200);
    const flaky = await subscribe('flaky', { dest: `${receiver.url}/flaky`, stream: true });
    const down = await subscribe('down', { dest: `${receiver.url}/down`, stream: true });
    await capture(['R1']);
    await waitFor(async () => receiver.accepted('/flaky').length === 1);
    expect(receiver.accepted('/flaky')).toEqual([pack('R1')]);
    // The subscriber has answered; the worker records the delivery just after, so wait for the third entry.
    await waitFor(async () => (await deliveries('flaky', flaky)).length === 3);
    const log = await deliveries('flaky', flaky);
    // Newest first: two failures, then the success, each with its HTTP status.
    expect(log.map((d) => [d.status, d.httpStatus, d.eventCount])).toEqual([
      ['delivered', 200, 1],
      ['failed', 500, 1],
      ['failed', 500, 1],
    ]);
    await waitFor(async () => (await http().get(`/epcis/queries/down/subscriptions/${down}`).set(auth())).body.status === 'paused');
    const downLog = await deliveries('down', down);
    expect(downLog.map((d) => [d.status, d.httpStatus])).toEqual([
      ['failed', 503],
      ['failed', 503],
      ['failed', 503],
    ]);
    // Paused: no further attempt.
    const attempts = receiver.received.filter((r) => r.path === '/down').length;
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.filter((r) => r.path === '/down').length).toBe(attempts);
    receiver.answer = () => 200;
  });

  it('misses and repeats nothing when the worker is stopped mid-stream and another takes over', async () => {
    receiver.answer = async () => {
      await new Promise((r) => setTimeout(r, 40));
      return 200;
    };
    await subscribe('restart', { dest: `${receiver.url}/restart`, stream: true });
    const serials = Array.from({ length: 60 }, (_, i) => `M${String(i).padStart(2, '0')}`);
    for (let i = 0; i < serials.length; i += 10) await capture(serials.slice(i, i + 10));
    await waitFor(async () => receiver.accepted('/restart').length >= 10, 20_000, 10);
    // Every worker started so far stops, mid-stream; a fresh one resumes from the position stored in Postgres.
    while (workers.length) await workers.pop()!.close();
    const stoppedAt = receiver.accepted('/restart').length;
    expect(stoppedAt).toBeLessThan(serials.length);
    await startWorker();
    await waitFor(async () => receiver.accepted('/restart').length >= serials.length, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.accepted('/restart')).toEqual(serials.map(pack));
    receiver.answer = () => 200;
  });

  it('moves a selective subscription past the events it does not match, and still delivers the next one that does', async () => {
    expect((await post('/epcis/queries', { name: 'selective', query: { MATCH_epc: [pack('WANTED')] } })).status).toBe(201);
    const id = (await post('/epcis/queries/selective/subscriptions', { dest: `${receiver.url}/selective`, stream: true })).body
      .subscriptionID;
    const positionOf = async () => {
      const db = new Client({ connectionString: dbUrl() });
      await db.connect();
      try {
        return BigInt((await db.query(`SELECT position_xid::text AS x FROM subscription WHERE id = $1`, [id])).rows[0].x);
      } finally {
        await db.end();
      }
    };
    const before = await positionOf();
    await capture(['UNWANTED-1', 'UNWANTED-2']);
    await waitFor(async () => (await positionOf()) > before);
    expect(receiver.received.filter((r) => r.path === '/selective')).toEqual([]);
    await capture(['WANTED']);
    await waitFor(async () => receiver.accepted('/selective').length >= 1);
    expect(receiver.accepted('/selective')).toEqual([pack('WANTED')]);
  });

  it('serves record times in commit order: an earlier-stamped capture that commits later is neither skipped by GE_recordTime nor by a subscription', async () => {
    await subscribe('horizon', { dest: `${receiver.url}/horizon`, stream: true });
    const startedAt = new Date(Date.now() - 1000).toISOString();
    const t1 = new Client({ connectionString: dbUrl() });
    await t1.connect();
    try {
      // Transaction 1 takes its record time (as a capture does first), inserts its event and stays open.
      await t1.query('BEGIN');
      await t1.query('SELECT event_record_time()');
      const body = {
        type: 'ObjectEvent',
        eventTime: '2026-05-01T09:00:00.000Z',
        eventTimeZoneOffset: '+00:00',
        epcList: [pack('H1')],
        action: 'ADD',
        bizStep: 'commissioning',
      };
      await t1.query(
        `INSERT INTO event (event_hash, event_type, action, biz_step, event_time, body, captured_by) VALUES ($1, 'ObjectEvent', 'ADD', 'commissioning', $2, $3, $4)`,
        [randomBytes(32), body.eventTime, body, maker.id],
      );
      // Transaction 2, a capture through the API, starts later and commits first.
      await capture(['H2']);
      const byRecordTime = async () => {
        const res = await http()
          .get(
            `/epcis/events?GE_recordTime=${encodeURIComponent(startedAt)}&EQ_bizStep=commissioning&orderBy=recordTime&orderDirection=ASC&perPage=1000`,
          )
          .set(auth());
        return (res.body.epcisBody.queryResults.resultsBody.eventList as { epcList: string[]; recordTime: string }[]).filter((e) =>
          /\/21\/H\d$/.test(e.epcList[0]),
        );
      };
      // Committed, but behind a transaction still running: not served by record time, not delivered.
      expect(await byRecordTime()).toEqual([]);
      const plain = await http()
        .get(`/epcis/events?MATCH_epc=${encodeURIComponent(pack('H2'))}`)
        .set(auth());
      expect(plain.body.epcisBody.queryResults.resultsBody.eventList).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.accepted('/horizon')).toEqual([]);
      await t1.query('COMMIT');
      const served = await byRecordTime();
      expect(served.map((e) => e.epcList[0])).toEqual([pack('H1'), pack('H2')]);
      expect(new Date(served[0].recordTime).getTime()).toBeLessThan(new Date(served[1].recordTime).getTime());
      await waitFor(async () => receiver.accepted('/horizon').length >= 2);
      expect(receiver.accepted('/horizon')).toEqual([pack('H1'), pack('H2')]);
    } finally {
      await t1.end();
    }
  });
});

describe('EPCIS query subscriptions over WebSocket (real Postgres)', () => {
  let app: INestApplication;
  let base: string;
  let maker: { apiKey: string; id: string };
  let other: { apiKey: string; id: string };
  const sockets: WebSocket[] = [];
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl(), SUBSCRIPTION_TICK_MS: '100' }));
    await new Promise<void>((resolve) => app.getHttpServer().listen(0, '127.0.0.1', resolve));
    base = `127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    maker = await createOrganization(app, {
      name: 'Socket Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    other = await createOrganization(app, { name: 'Socket Outsider', role: 'DISTRIBUTOR', gln: withCheckDigit('061414100002') });
    for (const [name, query] of [
      ['live', { EQ_bizStep: ['commissioning'] }],
      ['doomed', {}],
      ['timed', {}],
    ] as const) {
      const res = await request(app.getHttpServer())
        .post('/epcis/queries')
        .set({ Authorization: `Bearer ${maker.apiKey}`, 'Content-Type': 'application/json' })
        .send(JSON.stringify({ name, query }));
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    for (const s of sockets) s.terminate();
    await app?.close();
  });

  /** Connects; resolves with the socket and every message it gets, or with the refused handshake's status and problem. */
  const connect = (path: string, key?: string) =>
    new Promise<{ ws: WebSocket; messages: any[]; closed: Promise<number> } | { status: number; problem: any }>((resolve, reject) => {
      const ws = new WebSocket(`ws://${base}${path}`, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
      sockets.push(ws);
      const messages: any[] = [];
      const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)));
      ws.on('message', (data) => messages.push(JSON.parse(data.toString('utf8'))));
      ws.on('open', () => resolve({ ws, messages, closed }));
      ws.on('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, problem: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      });
      ws.on('error', (e) => reject(e));
    });
  const capture = async (serials: string[]) => {
    const events = serials.map((s, i) =>
      commissioningEvent({
        eventTime: new Date(Date.UTC(2026, 4, 1, 8, 0, i)),
        epcs: [pack(s)],
        lot: 'L1',
        expiry: '2028-01-31',
        bizLocation: SITE,
      }),
    );
    expect((await gql(app, CAPTURE, { document: epcisDocument(events) }, maker.apiKey)).errors).toBeUndefined();
  };
  const epcsOf = (messages: any[]) =>
    messages.flatMap((m) => m.epcisBody.queryResults.resultsBody.eventList.map((e: { epcList: string[] }) => e.epcList[0]));

  it('streams each new matching event once after the handshake (stream=true), as EPCISQueryDocuments', async () => {
    await capture(['W0']);
    const live = await connect('/epcis/queries/live/events?stream=true', maker.apiKey);
    if (!('ws' in live)) throw new Error(`refused: ${JSON.stringify(live)}`);
    await capture(['W1', 'W2']);
    await capture(['W3']);
    await waitFor(async () => epcsOf(live.messages).length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(epcsOf(live.messages)).toEqual([pack('W1'), pack('W2'), pack('W3')]);
    expect(live.messages[0]).toMatchObject({ type: 'EPCISQueryDocument', epcisBody: { queryResults: { queryName: 'live' } } });
    live.ws.close();
  });

  it('closes the stream when its query is deleted', async () => {
    const doomed = await connect('/epcis/queries/doomed/events?stream=true', maker.apiKey);
    if (!('ws' in doomed)) throw new Error('refused');
    await request(app.getHttpServer())
      .delete('/epcis/queries/doomed')
      .set({ Authorization: `Bearer ${maker.apiKey}` })
      .expect(204);
    expect(await doomed.closed).toBe(4404);
  });

  it('sends a scheduled stream at its schedule, empty documents too with reportIfEmpty', async () => {
    const timed = await connect('/epcis/queries/timed/events?second=[0-59]&reportIfEmpty=true', maker.apiKey);
    if (!('ws' in timed)) throw new Error('refused');
    await waitFor(async () => timed.messages.length >= 2, 5_000);
    expect(timed.messages[0].epcisBody.queryResults.resultsBody.eventList).toEqual([]);
    timed.ws.close();
  });

  it.each([
    ['/epcis/queries/live/events?stream=true', undefined, 401, 'SecurityException'],
    ['/epcis/queries/live/events?stream=true', 'other', 404, 'NoSuchNameException'],
    ['/epcis/queries/live/events', 'maker', 400, 'SubscriptionControlsException'],
    ['/epcis/queries/live/events?stream=true&minute=5', 'maker', 400, 'SubscriptionControlsException'],
    ['/epcis/queries/live/events?minute=61', 'maker', 400, 'SubscriptionControlsException'],
    ['/epcis/queries/live/events?stream=true&EQ_bizStep=shipping', 'maker', 400, 'QueryParameterException'],
  ])('refuses the handshake %s (key: %s) with %d %s', async (path, who, status, type) => {
    const key = who === 'maker' ? maker.apiKey : who === 'other' ? other.apiKey : undefined;
    const refused = await connect(path, key);
    expect('status' in refused && { status: refused.status, type: refused.problem.type }).toEqual({
      status,
      type: `epcisException:${type}`,
    });
  });
});

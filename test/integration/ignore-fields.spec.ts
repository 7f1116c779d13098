import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { commissioningEvent, EPCIS_CONTEXT, eventHash, eventHashes, eventsOf, hashDigest, writeEpcisXml } from '@pharmatrace/epcis';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import type { ProofBundle } from '../../packages/verify/src/bundle.format';
import { verifyBundle } from '../../packages/verify/src/bundle.verifier';
import { useAnvil } from '../support/anvil';
import {
  CAPTURE,
  createOrganization,
  postStreamedCapture,
  deployRegistry,
  gql,
  startApi,
  startWorker,
  testConfig,
  useDatabase,
  withCheckDigit,
  oneEvent,
} from '../support/platform';
import { waitFor } from '../support/wait';

/**
 * ignoreFields that holds (issue 14): extension fields only; the declaration is stored with each event and used by the
 * audit, proof bundles and the verifier; what we serve rehashes without it.
 */
const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const RX = 'https://repository-x.example.com/';
const AUDIT = `mutation($b: Int!) { auditBatch(batchId: $b) { outcome findings { kind detail } } }`;

/** A document declaring `names` out of the hash, its events carrying the repository's bookkeeping field. */
function declaring(names: unknown, events: Record<string, unknown>[]) {
  return {
    '@context': [EPCIS_CONTEXT, { rx: RX }],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-01-01T00:00:00Z',
    'rx:ignoreFields': names,
    epcisBody: { eventList: events },
  };
}
const commissioning = (serial: string, captureID: string) => ({
  ...commissioningEvent({ eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0)), epcs: [pack(serial)], lot: 'L1', expiry: '2028-01-31' }),
  'rx:captureID': captureID,
});

describe('ignoreFields: stored, audited, bundled and verified (real Postgres and anvil)', () => {
  let api: INestApplication;
  let worker: INestApplicationContext | undefined;
  let maker: { apiKey: string };
  let regulator: { apiKey: string };
  let rpc: string;
  let db: Client;
  afterAll(async () => {
    await db?.end();
    await worker?.close();
    await api?.close();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();
  const http = () => request(api.getHttpServer());
  const auth = () => ({ Authorization: `Bearer ${maker.apiKey}` });
  const good = declaring(['rx:captureID'], [commissioning('IG1', 'c-1')]);
  const [storedHash] = eventHashes(good).map((h) => h.hash);

  beforeAll(async () => {
    const chainEnv = await deployRegistry(anvil());
    rpc = chainEnv.CHAIN_RPC_URL;
    const config = testConfig({
      DATABASE_URL: dbUrl(),
      ...chainEnv,
      BATCH_MAX_WAIT_MS: '100',
      WORKER_TICK_MS: '100',
      QUEUE_PREFIX: `test-ignore-${process.pid}-${Date.now()}`,
    });
    api = await startApi(config);
    worker = await startWorker(config);
    maker = await createOrganization(api, {
      name: 'ACME',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    regulator = await createOrganization(api, { name: 'Agency', role: 'REGULATOR', gln: withCheckDigit('061414100002') });
    db = new Client({ connectionString: dbUrl() });
    await db.connect();
    const res = await gql(api, CAPTURE, { document: good }, maker.apiKey);
    expect(res.data.captureEpcisDocument).toMatchObject({ capturedCount: 1, eventHashes: [storedHash] });
    await waitFor(async () => {
      const { rows } = await db.query(
        `SELECT count(*) AS n FROM event e JOIN anchor_batch b ON b.id = e.batch_id WHERE b.status = 'FINAL'`,
      );
      return Number(rows[0].n) === 1;
    }, 30_000);
  });

  it('leaves the declared field out of the hash and stores the declaration, expanded, with the event', async () => {
    expect(storedHash).toBe(
      eventHash(
        commissioningEvent({ eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0)), epcs: [pack('IG1')], lot: 'L1', expiry: '2028-01-31' }),
        [EPCIS_CONTEXT],
      ).hash,
    );
    const { rows } = await db.query(`SELECT ignore_fields, body FROM event`);
    expect(rows).toEqual([{ ignore_fields: [`{${RX}}captureID`], body: expect.objectContaining({ 'rx:captureID': 'c-1' }) }]);
  });

  it('the audit recomputes the stored hash: CLEAN, not TAMPERED', async () => {
    const { rows } = await db.query(`SELECT batch_id FROM event`);
    const res = await gql(api, AUDIT, { b: Number(rows[0].batch_id) }, regulator.apiKey);
    expect(res.data.auditBatch).toEqual({ outcome: 'CLEAN', findings: [] });
  });

  it('the proof bundle carries the declaration and verifies', async () => {
    const res = await http()
      .get(`/proofs/${encodeURIComponent(pack('IG1'))}`)
      .set(auth());
    const bundle = res.body as ProofBundle;
    expect(bundle.events[0]).toMatchObject({
      eventHash: storedHash,
      ignoreFields: [`{${RX}}captureID`],
      event: expect.objectContaining({ 'rx:captureID': 'c-1' }),
    });
    const report = await verifyBundle(bundle, { rpcUrls: rpc });
    expect(report.events[0]).toMatchObject({ hashOk: true, proofOk: true });
    expect(report.ok).toBe(true);
  });

  it('query answers leave the ignored field out, so they rehash with no declaration', async () => {
    const res = await http().get('/epcis/events').query({ EQ_eventID: storedHash }).set(auth());
    const [event] = eventsOf(res.body) as Record<string, unknown>[];
    expect(event).not.toHaveProperty('rx:captureID');
    expect(eventHashes(res.body).map((h) => h.hash)).toEqual([storedHash]);
    const one = await http()
      .get(`/epcis/events/${encodeURIComponent(storedHash)}`)
      .set(auth());
    expect(eventHash(oneEvent(one.body), one.body['@context']).hash).toBe(storedHash);
  });

  it('a copy differing only in an ignored field is a duplicate', async () => {
    const res = await gql(api, CAPTURE, { document: declaring(['rx:captureID'], [commissioning('IG1', 'c-2')]) }, maker.apiKey);
    expect(res.data.captureEpcisDocument).toMatchObject({ capturedCount: 0, duplicateCount: 1, eventHashes: [storedHash] });
  });

  it('a declaration naming standard fields is refused over GraphQL, REST JSON and XML, pointing into it; nothing stored', async () => {
    // The issue's case: with epcList and disposition ignored, a `stolen` event for another pack was a "duplicate".
    const stolen = { ...commissioning('IG2', 'c-3'), disposition: 'stolen' };
    const document = declaring(['epcList', 'disposition'], [stolen]);
    const graphql = await gql(api, CAPTURE, { document }, maker.apiKey);
    expect(graphql.errors?.[0].extensions).toMatchObject({
      code: 'INVALID_IGNORE_FIELDS',
      details: {
        issues: [
          { field: '/rx:ignoreFields/0', rule: 'ignoreFields:extension' },
          { field: '/rx:ignoreFields/1', rule: 'ignoreFields:extension' },
        ],
      },
    });
    const rest = await http().post('/epcis/capture').set(auth()).set('Content-Type', 'application/ld+json').send(JSON.stringify(document));
    expect(rest.status).toBe(400);
    expect(rest.body).toMatchObject({ type: 'epcisException:ValidationException', code: 'INVALID_IGNORE_FIELDS' });
    const xml = writeEpcisXml(declaring([], [stolen]), '2.0').replace(
      '<EPCISBody>',
      '<rx:ignoreFields>disposition</rx:ignoreFields><EPCISBody>',
    );
    const refusedXml = await http().post('/epcis/capture').set(auth()).set('Content-Type', 'application/xml').send(xml);
    expect(refusedXml.status).toBe(400);
    expect(refusedXml.body).toMatchObject({
      code: 'INVALID_IGNORE_FIELDS',
      issues: [expect.objectContaining({ field: '/rx:ignoreFields/0' })],
    });
    expect(Number((await db.query(`SELECT count(*) AS n FROM event`)).rows[0].n)).toBe(1);
  });

  it('a streamed (chunked) JSON capture honours a declaration before its events, as one read whole', async () => {
    const server = api.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const document = declaring(['rx:captureID'], [commissioning('IG3', 'c-9')]);
    const [expected] = eventHashes(document).map((h) => h.hash);
    const body = new TextEncoder().encode(JSON.stringify(document));
    const res = await postStreamedCapture(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      { ...auth(), 'Content-Type': 'application/ld+json' },
      [body],
    );
    expect(res.status).toBe(202);
    let job: request.Response;
    await waitFor(async () => !(job = await http().get(res.headers.get('location')!).set(auth())).body.running, 10_000);
    expect(job!.body).toMatchObject({ success: true });
    const { rows } = await db.query(`SELECT ignore_fields FROM event WHERE event_hash = $1`, [Buffer.from(hashDigest(expected))]);
    expect(rows).toEqual([{ ignore_fields: [`{${RX}}captureID`] }]);
  });

  it('an event stored under the earlier hash rules (1) is audited and bundled with them, not reported EDITED', async () => {
    // As the XML reader stored it before issue 14: cbvmda bound as urn:epcglobal:cbv:mda, a lot with a leading zero.
    const time = new Date(Date.UTC(2026, 0, 1, 1, 0));
    const legacy = {
      '@context': [EPCIS_CONTEXT, { cbvmda: 'urn:epcglobal:cbv:mda' }],
      ...commissioningEvent({ eventTime: time, epcs: [pack('IG9')], lot: '007', expiry: '2028-01-31' }),
    };
    const hash = eventHash(legacy, legacy['@context'], { rules: 1 }).hash;
    expect(hash).not.toBe(eventHash(legacy, legacy['@context']).hash);
    const {
      rows: [org],
    } = await db.query(`SELECT id FROM organization WHERE name = 'ACME'`);
    // One statement, so the index row carries its event's record time (the partition key both share).
    const {
      rows: [row],
    } = await db.query(
      `WITH e AS (INSERT INTO event (event_hash, event_type, action, event_time, body, captured_by, hash_rules)
                  VALUES ($1, 'ObjectEvent', 'ADD', $2, $3, $4, 1) RETURNING id, record_time)
       INSERT INTO event_epc (epc, event_time, event_id, role, record_time) SELECT $5, $2, id, 'epc', record_time FROM e RETURNING event_id AS id`,
      [Buffer.from(hashDigest(hash)), time, JSON.stringify(legacy), org.id, pack('IG9')],
    );
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM event e JOIN anchor_batch b ON b.id = e.batch_id WHERE e.id = $1 AND b.status = 'FINAL'`, [row.id]))
          .rowCount === 1,
      30_000,
    );
    const {
      rows: [sealed],
    } = await db.query(`SELECT batch_id FROM event WHERE id = $1`, [row.id]);
    expect((await gql(api, AUDIT, { b: Number(sealed.batch_id) }, regulator.apiKey)).data.auditBatch).toEqual({
      outcome: 'CLEAN',
      findings: [],
    });
    const bundle = (
      await http()
        .get(`/proofs/${encodeURIComponent(pack('IG9'))}`)
        .set(auth())
    ).body as ProofBundle;
    expect(bundle.events[0]).toMatchObject({ eventHash: hash, hashRules: 1 });
    expect((await verifyBundle(bundle, { rpcUrls: rpc })).ok).toBe(true);
  });
});

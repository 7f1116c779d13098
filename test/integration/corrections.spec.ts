import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { commissioningEvent, epcisDocument, eventHash, eventHashes, eventsOf } from '@pharmatrace/epcis';
import { Client } from 'pg';
import request from 'supertest';
import type { ProofBundle } from '../../packages/verify/src/bundle.format';
import { verifyBundle } from '../../packages/verify/src/bundle.verifier';
import { useAnvil } from '../support/anvil';
import {
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

/**
 * Error declarations as corrections (issue 14): an event declared in error hashes as the event it corrects, so it is
 * stored as that event's correction, counted as captured, shown by event queries, provenance and verify, and the
 * original's row and anchored leaf stay as they were.
 */
const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const AUDIT = `mutation($b: Int!) { auditBatch(batchId: $b) { outcome } }`;
const original = commissioningEvent({
  eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0)),
  epcs: [pack('C1')],
  lot: 'L1',
  expiry: '2028-01-31',
});
const declaration = {
  declarationTime: '2026-01-02T09:00:00.000Z',
  reason: 'incorrect_data',
  correctiveEventIDs: ['urn:uuid:6f0e1f4c-2f3e-4c8f-9d1a-0b6c5e4d3a21'],
};
const declared = epcisDocument([{ ...original, errorDeclaration: declaration }]);

describe('error declarations as corrections (real Postgres and anvil)', () => {
  let api: INestApplication;
  let worker: INestApplicationContext | undefined;
  let maker: { apiKey: string };
  let distributor: { apiKey: string };
  let regulator: { apiKey: string };
  let rpc: string;
  let db: Client;
  let leafBefore: Record<string, unknown>;
  afterAll(async () => {
    await db?.end();
    await worker?.close();
    await api?.close();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();
  const http = () => request(api.getHttpServer());
  const [hash] = eventHashes(epcisDocument([original])).map((h) => h.hash);
  const leaf = async () =>
    (await db.query(`SELECT e.id, e.batch_id, e.leaf_index, e.body, b.root FROM event e JOIN anchor_batch b ON b.id = e.batch_id`)).rows;

  beforeAll(async () => {
    const chainEnv = await deployRegistry(anvil());
    rpc = chainEnv.CHAIN_RPC_URL;
    const config = testConfig({
      DATABASE_URL: dbUrl(),
      ...chainEnv,
      BATCH_MAX_WAIT_MS: '100',
      WORKER_TICK_MS: '100',
      QUEUE_PREFIX: `test-corrections-${process.pid}-${Date.now()}`,
    });
    api = await startApi(config);
    worker = await startWorker(config);
    maker = await createOrganization(api, {
      name: 'ACME',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    distributor = await createOrganization(api, { name: 'Distri', role: 'DISTRIBUTOR', gln: withCheckDigit('061414100003') });
    regulator = await createOrganization(api, { name: 'Agency', role: 'REGULATOR', gln: withCheckDigit('061414100002') });
    db = new Client({ connectionString: dbUrl() });
    await db.connect();
    expect((await gql(api, CAPTURE, { document: epcisDocument([original]) }, maker.apiKey)).data.captureEpcisDocument).toMatchObject({
      capturedCount: 1,
    });
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM event e JOIN anchor_batch b ON b.id = e.batch_id WHERE b.status = 'FINAL'`)).rowCount === 1,
      30_000,
    );
    [leafBefore] = await leaf();
  });

  it('stores the declaration as a correction of the stored event, counted as captured; a repeat is a duplicate', async () => {
    const first = await gql(api, CAPTURE, { document: declared }, maker.apiKey);
    expect(first.data.captureEpcisDocument).toEqual({ capturedCount: 1, duplicateCount: 0, eventHashes: [hash] });
    const again = await gql(api, CAPTURE, { document: declared }, maker.apiKey);
    expect(again.data.captureEpcisDocument).toEqual({ capturedCount: 0, duplicateCount: 1, eventHashes: [hash] });
    const { rows } = await db.query(`SELECT event_id, reason, corrective_event_ids, declaration_time FROM event_correction`);
    expect(rows).toEqual([
      {
        event_id: leafBefore.id,
        reason: 'incorrect_data',
        corrective_event_ids: declaration.correctiveEventIDs,
        declaration_time: new Date(declaration.declarationTime),
      },
    ]);
  });

  it('leaves the original row and its anchored leaf as they were: the audit stays CLEAN', async () => {
    expect(await leaf()).toEqual([leafBefore]);
    const res = await gql(api, AUDIT, { b: Number(leafBefore.batch_id) }, regulator.apiKey);
    expect(res.data.auditBatch.outcome).toBe('CLEAN');
  });

  it('event queries serve the event with its errorDeclaration and list the correction; it still rehashes', async () => {
    const rest = await http().get('/epcis/events').query({ EQ_eventID: hash }).set('Authorization', `Bearer ${maker.apiKey}`);
    const [event] = eventsOf(rest.body) as Record<string, unknown>[];
    expect(event.errorDeclaration).toEqual(declaration);
    expect(eventHashes(rest.body).map((h) => h.hash)).toEqual([hash]);
    const graphql = await gql(
      api,
      `query($ids: [String!]) { events(filter: { EQ_eventID: $ids }) { edges { node { eventHash event corrections { declarationTime reason correctiveEventIDs } } } } }`,
      { ids: [hash] },
      maker.apiKey,
    );
    const [node] = graphql.data.events.edges.map((e: { node: unknown }) => e.node);
    expect(node.corrections).toEqual([
      { declarationTime: declaration.declarationTime, reason: 'incorrect_data', correctiveEventIDs: declaration.correctiveEventIDs },
    ]);
    expect(eventHash(node.event, node.event['@context']).hash).toBe(hash);
  });

  it('provenance and verify show it; the proof bundle still verifies', async () => {
    const provenance = await gql(
      api,
      `query($epc: String!) { provenance(epc: $epc) { events { eventHash corrections { reason } event } } }`,
      { epc: pack('C1') },
      maker.apiKey,
    );
    expect(provenance.data.provenance.events).toEqual([
      expect.objectContaining({
        eventHash: hash,
        corrections: [{ reason: 'incorrect_data' }],
        event: expect.objectContaining({ errorDeclaration: declaration }),
      }),
    ]);
    const verdict = await gql(api, `query($c: String!) { verify(code: $c) { declaredInError anchored } }`, { c: pack('C1') }, maker.apiKey);
    expect(verdict.data.verify).toEqual({ declaredInError: 1, anchored: true });
    const bundle = (
      await http()
        .get(`/proofs/${encodeURIComponent(pack('C1'))}`)
        .set('Authorization', `Bearer ${maker.apiKey}`)
    ).body as ProofBundle;
    expect(bundle.events[0].event.errorDeclaration).toEqual(declaration);
    expect((await verifyBundle(bundle, { rpcUrls: rpc })).ok).toBe(true);
  });

  it('another organization may not declare the event in error: 403 CORRECTION_FORBIDDEN naming the event, nothing stored', async () => {
    const other = epcisDocument([{ ...original, errorDeclaration: { ...declaration, declarationTime: '2026-01-03T09:00:00.000Z' } }]);
    const graphql = await gql(api, CAPTURE, { document: other }, distributor.apiKey);
    expect(graphql.errors?.[0].extensions).toMatchObject({
      code: 'CORRECTION_FORBIDDEN',
      details: { issues: [{ eventIndex: 0, field: '/errorDeclaration' }] },
    });
    const rest = await http()
      .post('/epcis/capture')
      .set('Authorization', `Bearer ${distributor.apiKey}`)
      .set('Content-Type', 'application/ld+json')
      .send(JSON.stringify(other));
    expect(rest.status).toBe(202);
    let job: request.Response;
    await waitFor(
      async () => !(job = await http().get(rest.headers.location).set('Authorization', `Bearer ${distributor.apiKey}`)).body.running,
      10_000,
    );
    expect(job!.body).toMatchObject({ success: false, errors: [expect.objectContaining({ code: 'CORRECTION_FORBIDDEN', status: 403 })] });
    expect((await db.query(`SELECT count(*)::int AS n FROM event_correction`)).rows[0].n).toBe(1);
  });
});

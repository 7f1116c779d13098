import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { CASE_ENTRY_TYPES, caseEntryHash, CaseEntryRecord, checkCaseChain, EVENT_BATCH_DOMAIN } from '@pharmatrace/domain';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Wallet } from 'ethers';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { caseEntryHashOf, verifyCaseHistory, type CaseHistoryDocument } from '../../packages/verify/src/case-history';
import { useAnvil } from '../support/anvil';
import { epcisDocument, receivingEvent, shippingEvent } from '@pharmatrace/epcis';
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

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const SCHEMA = JSON.parse(readFileSync(join(__dirname, '../../docs/schemas/exception-case.v1.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
addFormats(ajv);
const validDocument = ajv.compile(SCHEMA);
const REGISTER = `mutation($address: String!) { registerSigningAddress(address: $address, requireSignedCaptures: false) { ethAddress } }`;
const OPEN = `mutation($input: OpenCaseInput!) { openCase(input: $input) { id history { hash previousHash signer } } }`;

/** The fields a case shares between the organization that opened it and the system it is imported into. */
const shared = (doc: Record<string, any>) => ({
  schemaVersion: doc.schemaVersion,
  category: doc.category,
  summary: doc.summary,
  state: doc.state,
  resolution: doc.resolution,
  parties: doc.parties,
  items: doc.items,
  reporterOwner: doc.owners?.reporter,
});

/** A history as libs/domain hashes it, rebuilt from an exported document alone. */
function chainOf(doc: Record<string, any>) {
  return doc.history.map((e: Record<string, any>) => ({
    hash: e.hash,
    previousHash: e.previousHash,
    record: {
      caseId: doc.id,
      actor: e.actor.gln,
      at: e.at,
      action: e.action,
      fromState: e.fromState,
      toState: e.toState,
      resolution: e.resolution,
      message: e.message,
      attachments: e.attachments,
      owner: e.owner,
      opening:
        e.action === 'OPEN'
          ? {
              category: doc.category,
              source: doc.source,
              summary: doc.summary,
              counterparty: doc.parties.counterparty?.gln ?? null,
              items: doc.items.map((i: { epc: string }) => i.epc),
              quantities: doc.quantities,
            }
          : undefined,
    } as CaseEntryRecord,
  }));
}

/** Issue 17: cases as JSON documents of a published schema, their history hash-chained, signed and anchored. */
describe('case documents: REST import/export, signed and anchored history', () => {
  let api: INestApplication;
  let worker: INestApplicationContext | undefined;
  let rpc: string;
  const keys: Record<string, string> = {};
  const glns: Record<string, string> = {};
  const wallet = Wallet.createRandom();
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  const http = () => request(api.getHttpServer());
  const get = (who: string, path: string) => http().get(path).set('Authorization', `Bearer ${keys[who]}`);
  const post = (who: string, path: string, body: unknown) =>
    http()
      .post(path)
      .set('Authorization', `Bearer ${keys[who]}`)
      .send(body as object);
  let caseId: string;
  let config: ReturnType<typeof testConfig>;

  beforeAll(async () => {
    const chainEnv = await deployRegistry(anvil());
    rpc = chainEnv.CHAIN_RPC_URL;
    config = testConfig({
      DATABASE_URL: dbUrl(),
      ...chainEnv,
      BATCH_MAX_WAIT_MS: '100',
      WORKER_TICK_MS: '100',
      QUEUE_PREFIX: `cases-${process.pid}-${Date.now()}`,
    });
    api = await startApi(config);
    const orgs = [
      ['maker', 'ACME Pharma', 'MANUFACTURER', '061414100001'],
      ['wholesaler', 'Wholesale Ltd', 'DISTRIBUTOR', '061414100002'],
      ['outsider', 'Other Pharmacy', 'DISPENSER', '061414100004'],
      ['regulator', 'Agency', 'REGULATOR', '061414100999'],
    ] as const;
    for (const [who, name, role, gln] of orgs) {
      glns[who] = withCheckDigit(gln);
      keys[who] = (
        await createOrganization(api, { name, role, gln: glns[who], companyPrefixes: who === 'maker' ? ['0614141'] : [] })
      ).apiKey;
    }
    expect((await gql(api, REGISTER, { address: wallet.address }, keys.wholesaler)).errors).toBeUndefined();
    const opened = await gql(
      api,
      OPEN,
      {
        input: {
          category: 'DATA_WITHOUT_PRODUCT',
          summary: 'two packs invoiced, not received',
          epcs: [pack('C2'), pack('C1')],
          counterparty: glns.wholesaler,
        },
      },
      keys.maker,
    );
    expect(opened.errors).toBeUndefined();
    caseId = opened.data.openCase.id;
    // GraphQL shows the chain link of each entry too.
    expect(opened.data.openCase.history).toEqual([{ hash: expect.stringMatching(/^0x[0-9a-f]{64}$/), previousHash: null, signer: null }]);
  });

  it('publishes its schema and exports a case that validates, the same to both parties and the regulator', async () => {
    const served = await get('maker', '/cases/schema/v1');
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toMatch(/^application\/schema\+json/);
    expect(served.body).toEqual(SCHEMA);
    expect(SCHEMA.$id).toMatch(/\/v1$/);

    const exported = await get('maker', `/cases/${caseId}`);
    expect(exported.status).toBe(200);
    expect(validDocument(exported.body)).toBe(true);
    expect(exported.body).toMatchObject({
      $schema: SCHEMA.$id,
      schemaVersion: '1',
      id: caseId,
      category: 'DATA_WITHOUT_PRODUCT',
      state: 'OPEN',
      parties: { reporter: { gln: glns.maker }, counterparty: { gln: glns.wholesaler } },
      items: [{ epc: pack('C1') }, { epc: pack('C2') }],
      history: [{ action: 'OPEN', actor: { gln: glns.maker }, previousHash: null, signature: null }],
    });
    for (const who of ['wholesaler', 'regulator']) expect((await get(who, `/cases/${caseId}`)).body).toEqual(exported.body);
    expect((await get('outsider', `/cases/${caseId}`)).status).toBe(404);
    expect((await http().get(`/cases/${caseId}`)).status).toBe(401);
  });

  it('round-trips: an exported case imported by its reporter re-exports equal on the shared fields, and validates', async () => {
    const { body: original } = await get('maker', `/cases/${caseId}`);
    expect(original).toMatchObject({ quantities: [], owners: { reporter: null, counterparty: null } });
    const { id: _id, ...withoutId } = original;
    // The partner's system names the reporter's owner; the counterparty's is the counterparty's to name.
    const owner = { name: 'Ada Park', title: 'Quality lead', email: 'ada@acme.example', phone: '+44 20 7946 0000' };
    const imported = await post('maker', '/cases', { ...withoutId, owners: { reporter: owner, counterparty: { name: 'Not yours' } } });
    expect(imported.status).toBe(201);
    expect(imported.headers.location).toBe(`/cases/${imported.body.id}`);
    const reexported = (await get('wholesaler', `/cases/${imported.body.id}`)).body;
    expect(validDocument(reexported)).toBe(true);
    expect(shared(reexported)).toEqual({ ...shared(original), reporterOwner: owner });
    expect(reexported.owners.counterparty).toBeNull();
    expect(reexported.history.map((e: { action: string }) => e.action)).toEqual(['OPEN', 'ASSIGN_OWNER']);
    expect(reexported.history[1].owner).toEqual({ side: 'REPORTER', ...owner });
    expect(reexported.id).not.toBe(original.id);
    // The same document posted with its id: that case exists.
    expect((await post('maker', '/cases', original)).body).toMatchObject({ title: 'INVALID_CASE', field: 'id', rule: 'unique' });

    // The counterparty names its owner over REST: the entry is chained, and the verifier checks it.
    const answered = await post('wholesaler', `/cases/${imported.body.id}/actions`, {
      action: 'ASSIGN_OWNER',
      owner: { name: 'Lee Chan' },
    });
    expect(answered.status).toBe(200);
    expect(validDocument(answered.body)).toBe(true);
    expect(answered.body.owners).toEqual({ reporter: owner, counterparty: { name: 'Lee Chan' } });
    expect(checkCaseChain(chainOf(answered.body)).ok).toBe(true);
    expect(await verifyCaseHistory(answered.body)).toMatchObject({ ok: true });
    const renamed = structuredClone(answered.body);
    renamed.history[2].owner.name = 'Somebody Else';
    expect((await verifyCaseHistory(renamed)).problems[0]).toMatch(/^entry 2: hash 0x\w+ does not match its content/);
  });

  it("exports a receipt's case with its class quantities, hashed into its opening entry", async () => {
    const lot = `https://id.gs1.org/01/${GTIN}/10/L9`;
    const desadv = { bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:epcglobal:cbv:bt:${glns.maker}:ASN-9` }] };
    const capture = async (who: string, event: Record<string, unknown>) =>
      expect((await gql(api, CAPTURE, { document: epcisDocument([event]) }, keys[who])).errors).toBeUndefined();
    await capture('maker', {
      ...shippingEvent({ eventTime: new Date(Date.now() - 60_000), epcs: [], to: `https://id.gs1.org/417/${glns.wholesaler}` }),
      quantityList: [{ epcClass: lot, quantity: 12 }],
      ...desadv,
    });
    await capture('wholesaler', {
      ...receivingEvent({ eventTime: new Date(), epcs: [] }),
      quantityList: [{ epcClass: lot, quantity: 11.5 }],
      ...desadv,
    });
    const listed = (await get('wholesaler', '/cases')).body.cases.find((c: { source: string }) => c.source === 'RECEIPT');
    const doc = (await get('maker', `/cases/${listed.id}`)).body;
    expect(validDocument(doc)).toBe(true);
    expect(doc).toMatchObject({
      category: 'DATA_WITHOUT_PRODUCT',
      items: [],
      quantities: [{ epcClass: lot, uom: null, shipped: 12, received: 11.5 }],
    });
    expect(checkCaseChain(chainOf(doc)).ok).toBe(true);
    expect(await verifyCaseHistory(doc)).toMatchObject({ ok: true });
    const edited = structuredClone(doc);
    edited.quantities[0].received = 12;
    expect((await verifyCaseHistory(edited)).problems[0]).toMatch(/^entry 0: hash/);
  });

  it('refuses a bad document with 400 naming the field and the rule, the list of problems bounded', async () => {
    const base = { schemaVersion: '1', category: 'DATA_ISSUE', summary: 's', items: [] };
    const cases: [unknown, string, string][] = [
      [{ ...base, category: undefined }, 'category', 'required'],
      [{ ...base, category: 'LOST' }, 'category', 'enum'],
      [{ ...base, schemaVersion: '2' }, 'schemaVersion', 'const'],
      [{ ...base, colour: 'red' }, 'colour', 'additionalProperties'],
      [{ ...base, items: [{ epc: 'not-an-epc' }] }, 'items.0.epc', expect.any(String)],
      [{ ...base, parties: { counterparty: { gln: '0000000000000' } } }, 'parties.counterparty', 'registered'],
      [{ ...base, parties: { reporter: { gln: glns.wholesaler } } }, 'parties.reporter.gln', 'caller'],
      [{ ...base, signature: `0x${'1'.repeat(130)}` }, 'id', 'required-with-signature'],
      [{ ...base, owners: { reporter: { name: 'A', email: 'not an address' } } }, 'owners.reporter.email', 'email'],
      [{ ...base, owners: { reporter: { name: 'A', side: 'REPORTER' } } }, 'owners.reporter.side', 'unevaluatedProperties'],
      [[base], '(document)', 'type'],
    ];
    const before = (await get('maker', '/cases?first=500')).body.cases.length;
    for (const [body, field, rule] of cases) {
      const res = await post('maker', '/cases', body);
      expect({ status: res.status, field: res.body.field, rule: res.body.rule }).toEqual({ status: 400, field, rule });
      expect(res.body.detail).toContain(field);
    }
    // None of them opened a case, not even the one whose owner alone was wrong.
    expect((await get('maker', '/cases?first=500')).body.cases).toHaveLength(before);
    const many = await post('maker', '/cases', { ...base, items: Array.from({ length: 50 }, () => ({ epc: 7 })) });
    expect(many.status).toBe(400);
    expect(many.body.issues).toHaveLength(10);
    // Importing is opening a case: the same roles as GraphQL's openCase.
    expect((await post('regulator', '/cases', base)).status).toBe(403);
  });

  it('answers through POST /cases/{id}/actions by the same rules as GraphQL, each entry chained to the one before', async () => {
    const investigated = await post('wholesaler', `/cases/${caseId}/actions`, { action: 'INVESTIGATE', message: 'checking the pick list' });
    expect(investigated.status).toBe(200);
    expect(investigated.body).toMatchObject({ state: 'INVESTIGATING' });
    expect(validDocument(investigated.body)).toBe(true);

    const refusals: [string, unknown, number, Record<string, unknown>][] = [
      ['maker', { action: 'RESOLVE' }, 400, { title: 'INVALID_CASE', field: 'resolution', rule: 'required' }],
      ['maker', { action: 'INVESTIGATE' }, 409, { title: 'CASE_ACTION_REFUSED', rule: 'WRONG_STATE' }],
      ['maker', { action: 'REOPEN' }, 409, { title: 'CASE_ACTION_REFUSED', rule: 'WRONG_STATE' }],
      ['maker', { action: 'SHRUG' }, 400, { title: 'INVALID_CASE', field: 'action', rule: 'enum' }],
      ['maker', { action: 'COMMENT', attachments: ['report.pdf'] }, 400, { field: 'attachments.0', rule: 'pattern' }],
      ['outsider', { action: 'COMMENT', message: 'hello' }, 404, { title: 'CASE_NOT_FOUND' }],
    ];
    for (const [who, body, status, answer] of refusals) {
      const res = await post(who, `/cases/${caseId}/actions`, body);
      expect({ status: res.status, body: res.body }).toMatchObject({ status, body: answer });
    }

    const doc = (await get('regulator', `/cases/${caseId}`)).body;
    expect(doc.history.map((e: { action: string }) => e.action)).toEqual(['OPEN', 'INVESTIGATE']);
    expect(checkCaseChain(chainOf(doc))).toEqual({ ok: true, head: doc.history[1].hash });
    // The standalone verifier computes the same hashes as libs/domain.
    expect(caseEntryHashOf(doc, 1, doc.history[0].hash)).toBe(caseEntryHash(chainOf(doc)[1].record, doc.history[0].hash));
    // Each change is in the audit log as before.
    const db = new Client({ connectionString: dbUrl() });
    await db.connect();
    const { rows } = await db.query(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY id`, [caseId]);
    await db.end();
    expect(rows.map((r) => r.action)).toEqual(['case.open', 'case.investigate']);
  });

  it("stores an entry signed by the organization's registered address, and refuses one signed by another key", async () => {
    const before = (await get('wholesaler', `/cases/${caseId}`)).body;
    const at = new Date().toISOString();
    const record: CaseEntryRecord = {
      caseId,
      actor: glns.wholesaler,
      at,
      action: 'COMMENT',
      fromState: 'INVESTIGATING',
      toState: 'INVESTIGATING',
      resolution: null,
      message: 'shipped from the wrong bay',
      attachments: [`sha256:${'ab'.repeat(32)}`],
    };
    const entryHash = caseEntryHash(record, before.history.at(-1).hash);
    const sign = (w: Pick<Wallet, 'signTypedData'>) =>
      w.signTypedData(EVENT_BATCH_DOMAIN, CASE_ENTRY_TYPES, { organization: glns.wholesaler, entryHash });
    const body = { action: 'COMMENT', message: record.message, attachments: record.attachments, at };

    const forged = await post('wholesaler', `/cases/${caseId}/actions`, { ...body, signature: await sign(Wallet.createRandom()) });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ title: 'INVALID_SIGNATURE', field: 'signature', rule: 'SIGNER_MISMATCH', entryHash });
    // The maker registered no signing address.
    expect((await post('maker', `/cases/${caseId}/actions`, { ...body, signature: await sign(wallet) })).body).toMatchObject({
      rule: 'NO_SIGNING_ADDRESS',
    });
    const stale = await post('wholesaler', `/cases/${caseId}/actions`, { ...body, at: '2020-01-01T00:00:00.000Z' });
    expect(stale.body).toMatchObject({ title: 'INVALID_CASE', field: 'at', rule: 'clock-skew' });

    const signed = await post('wholesaler', `/cases/${caseId}/actions`, { ...body, signature: await sign(wallet) });
    expect(signed.status).toBe(200);
    const entry = signed.body.history.at(-1);
    expect(entry).toMatchObject({ hash: entryHash, at, signature: { signer: wallet.address, typedData: { message: { entryHash } } } });
    expect(validDocument(signed.body)).toBe(true);

    // A signed import: the partner's system chose the id and the time, and signed the opening entry.
    const id = randomUUID();
    const openedAt = new Date().toISOString();
    const doc = { schemaVersion: '1', id, category: 'SUSPECT_PRODUCT', summary: 'seal broken', items: [{ epc: pack('C3') }], openedAt };
    const opening: CaseEntryRecord = {
      caseId: id,
      actor: glns.wholesaler,
      at: openedAt,
      action: 'OPEN',
      fromState: null,
      toState: 'OPEN',
      resolution: null,
      message: doc.summary,
      attachments: [],
      opening: { category: doc.category, source: 'MANUAL', summary: doc.summary, counterparty: null, items: [pack('C3')] },
    };
    const openingHash = caseEntryHash(opening, null);
    const signature = await wallet.signTypedData(EVENT_BATCH_DOMAIN, CASE_ENTRY_TYPES, {
      organization: glns.wholesaler,
      entryHash: openingHash,
    });
    const imported = await post('wholesaler', '/cases', { ...doc, signature });
    expect(imported.status).toBe(201);
    expect(imported.body.history[0]).toMatchObject({ hash: openingHash, signature: { signer: wallet.address } });

    // The maker owns the pack's GTIN without being a party: its document has the case and its clocks, no history
    // (each entry's hash covers its message) and no owners.
    const asMaker = (await get('maker', `/cases/${id}`)).body;
    expect(validDocument(asMaker)).toBe(true);
    expect(asMaker).toMatchObject({ id, state: 'OPEN', items: [{ epc: pack('C3') }], summary: 'seal broken' });
    expect(asMaker.history).toBeUndefined();
    expect(asMaker.owners).toBeUndefined();
    expect((await post('maker', `/cases/${id}/actions`, { action: 'COMMENT', message: 'ours' })).body).toMatchObject({
      status: 409,
      rule: 'PARTIES_ONLY',
    });
  });

  it('lists cases page by page with a next link, to parties only', async () => {
    const first = await get('maker', '/cases?first=1');
    expect(first.status).toBe(200);
    expect(first.body.cases).toHaveLength(1);
    expect(first.headers.link).toMatch(/^<\/cases\?first=1&after=[\w-]+>; rel="next"$/);
    for (const c of first.body.cases) expect(validDocument(c)).toBe(true);
    const second = await get('maker', first.headers.link.slice(1, first.headers.link.indexOf('>')));
    expect(second.body.cases[0].number).toBeLessThan(first.body.cases[0].number);
    expect((await get('maker', '/cases?state=NOPE')).body).toMatchObject({ field: 'state', rule: 'enum' });
    expect((await get('outsider', '/cases')).body.cases).toEqual([]);
    expect((await get('regulator', '/cases?state=INVESTIGATING')).body.cases.map((c: { id: string }) => c.id)).toEqual([caseId]);
  });

  it('anchors every entry hash in a case-entry batch; each verifies with its proof against the chain', async () => {
    // Started only now, so the entries above were all stored before any was sealed.
    worker = await startWorker(config);
    let doc: CaseHistoryDocument & Record<string, any> = (await get('maker', `/cases/${caseId}`)).body;
    await waitFor(async () => {
      doc = (await get('maker', `/cases/${caseId}`)).body;
      return doc.history.every((e) => e.anchor !== null && e.anchor.status === 'FINAL');
    }, 60_000);
    expect(validDocument(doc)).toBe(true);
    expect(doc.history[0].anchor).toMatchObject({ leafEncoding: ['bytes32'], anchors: [{ chainId: anvil().chainId, status: 'FINAL' }] });

    const report = await verifyCaseHistory(doc, { rpcUrl: rpc });
    expect(report).toEqual({ ok: true, anchoredEntries: doc.history.length, signedEntries: 1, problems: [] });

    // Any edit of the exported history is caught, offline and on chain.
    const edited = structuredClone(doc);
    edited.history[1].message = 'nothing to see';
    expect((await verifyCaseHistory(edited, { rpcUrl: rpc })).problems).toEqual([
      expect.stringMatching(/^entry 1: hash 0x\w+ does not match its content/),
      expect.stringMatching(/^entry 1: the Merkle proof leads to 0x\w+, not to root/),
      expect.stringMatching(/^entry 2: previousHash 0x\w+ is not the hash of the entry before/),
      expect.stringMatching(/^entry 2: hash 0x\w+ does not match its content/),
      expect.stringMatching(/^entry 2: the signed message is not/),
      expect.stringMatching(/^entry 2: the Merkle proof leads to/),
    ]);

    // Case entries are sealed apart from events, so the event audit and proofs never see them.
    const db = new Client({ connectionString: dbUrl() });
    await db.connect();
    const { rows } = await db.query(
      `SELECT DISTINCT b.leaf_kind FROM exception_case_entry x JOIN anchor_batch b ON b.id = x.batch_id WHERE x.case_id = $1`,
      [caseId],
    );
    // And the record is append-only: sealing set the batch once; nothing else of an entry may change.
    await expect(db.query(`UPDATE exception_case_entry SET message = 'x' WHERE case_id = $1`, [caseId])).rejects.toThrow(
      /only batch_id, leaf_index/,
    );
    await db.end();
    expect(rows).toEqual([{ leaf_kind: 'CASE_ENTRY' }]);
  });
});

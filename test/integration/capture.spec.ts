import { INestApplication } from '@nestjs/common';
import {
  commissioningEvent,
  dispensingEvent,
  epcisDocument,
  eventHashes,
  hashDigest,
  packingEvent,
  receivingEvent,
  shippingEvent,
  unpackingEvent,
} from '@pharmatrace/epcis';
import { CAPTURE_CHUNK_EVENTS } from '@pharmatrace/persistence';
import { Client } from 'pg';
import { ADMIN_TOKEN, CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const OTHER_GTIN = withCheckDigit('0950600013435');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const packUrn = (serial: string) => `urn:epc:id:sgtin:0614141.007346.${serial}`;
const CASE = 'urn:epc:id:sscc:0614141.1234567890';
const SITE = 'urn:epc:id:sgln:0614141.00777.0';
const t = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute));

describe('capture, provenance and verify (GraphQL over HTTP, real Postgres)', () => {
  let app: INestApplication;
  let maker: { apiKey: string; id: string };
  let wholesaler: { apiKey: string; id: string };
  let pharmacy: { apiKey: string; id: string };
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    maker = await createOrganization(app, {
      name: 'ACME Pharma',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    wholesaler = await createOrganization(app, { name: 'Wholesale Ltd', role: 'DISTRIBUTOR', gln: withCheckDigit('061414100002') });
    pharmacy = await createOrganization(app, { name: 'Corner Pharmacy', role: 'DISPENSER', gln: withCheckDigit('061414100003') });
  });

  const capture = (doc: unknown, key = maker.apiKey) => gql(app, CAPTURE, { document: doc }, key);
  const rowCount = async (table: string) => {
    const c = new Client({ connectionString: dbUrl() });
    await c.connect();
    try {
      return Number((await c.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
    } finally {
      await c.end();
    }
  };

  it('refuses calls without a valid API key', async () => {
    const none = await gql(app, CAPTURE, { document: epcisDocument([]) });
    expect(none.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const wrong = await gql(app, CAPTURE, { document: epcisDocument([]) }, 'pt_not-a-key');
    expect(wrong.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('gives an omitted companyPrefixes its default every time, though a repeated operation runs compiled', async () => {
    const register = `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { companyPrefixes } } }`;
    for (const [i, digits] of ['061414100021', '061414100022', '061414100023'].entries()) {
      const res = await gql(app, register, { input: { name: `Clinic ${i}`, role: 'DISPENSER', gln: withCheckDigit(digits) } }, ADMIN_TOKEN);
      expect(res.errors).toBeUndefined();
      expect(res.data.createOrganization.organization.companyPrefixes).toEqual([]);
    }
  });

  it('lets only the admin token create organizations, and validates their GLN', async () => {
    const asOrg = await gql(
      app,
      `mutation { createOrganization(input: { name: "X", role: DISPENSER, gln: "0614141000036" }) { apiKey } }`,
      {},
      maker.apiKey,
    );
    expect(asOrg.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const badGln = await createOrganization(app, { name: 'Bad', role: 'DISPENSER', gln: '0614141000037' }).catch((e) => e.message);
    expect(badGln).toMatch(/INVALID_ORGANIZATION.*check digit|check digit.*INVALID_ORGANIZATION/);
  });

  it('captures a full flow, idempotently, and serves provenance through case and pallet', async () => {
    const doc = epcisDocument([
      commissioningEvent({ eventTime: t(0), epcs: [pack('A1'), packUrn('A2')], lot: 'LOT-7', expiry: '2028-06-30', bizLocation: SITE }),
      packingEvent({ eventTime: t(1), parent: CASE, children: [pack('A1'), pack('A2')], bizLocation: SITE }),
      shippingEvent({ eventTime: t(2), epcs: [CASE], from: 'urn:epc:id:pgln:0614141.00001', to: 'urn:epc:id:pgln:0614141.00002' }),
    ]);
    const first = await capture(doc);
    expect(first.errors).toBeUndefined();
    expect(first.data.captureEpcisDocument).toMatchObject({ capturedCount: 3, duplicateCount: 0 });
    expect(first.data.captureEpcisDocument.eventHashes[0]).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);

    const again = await capture(doc);
    expect(again.data.captureEpcisDocument).toMatchObject({ capturedCount: 0, duplicateCount: 3 });
    expect(await rowCount('event')).toBe(3);

    const received = await capture(
      epcisDocument([receivingEvent({ eventTime: t(3), epcs: [CASE], bizLocation: 'urn:epc:id:sgln:0614141.00002.0' })]),
      wholesaler.apiKey,
    );
    expect(received.data.captureEpcisDocument.capturedCount).toBe(1);
    await capture(epcisDocument([unpackingEvent({ eventTime: t(4), parent: CASE })]), wholesaler.apiKey);
    // Events on the case after the pack left it are not part of the pack's history.
    await capture(epcisDocument([shippingEvent({ eventTime: t(5), epcs: [CASE] })]), wholesaler.apiKey);

    const prov = await gql(
      app,
      `query($epc: String!) { provenance(epc: $epc) { epc events { eventHash bizStep via anchorStatus proof { root } } } }`,
      { epc: packUrn('A1') },
      maker.apiKey,
    );
    expect(prov.errors).toBeUndefined();
    expect(prov.data.provenance.epc).toBe(pack('A1'));
    expect(prov.data.provenance.events.map((e: any) => [e.bizStep, e.via])).toEqual([
      ['commissioning', pack('A1')],
      ['packing', pack('A1')],
      ['shipping', expect.stringContaining('/00/')],
      ['receiving', expect.stringContaining('/00/')],
      ['unpacking', pack('A1')],
    ]);
    expect(prov.data.provenance.events.every((e: any) => e.anchorStatus === 'UNBATCHED' && e.proof === null)).toBe(true);
  });

  it('verifies a pack from raw DataMatrix data, a Digital Link and an EPC URN', async () => {
    const GS = '\u001d';
    for (const code of [
      `]d201${GTIN}17280630${GS}10LOT-7${GS}21A1`,
      `https://example.com/01/${GTIN}/10/LOT-7/21/A1?17=280630`,
      packUrn('A1'),
    ]) {
      const res = await gql(
        app,
        `query($code: String!) { verify(code: $code) { status saleable alerts product { gtin serial lot expiry } custodian { name } container anchored checkedOnChain } }`,
        { code },
        pharmacy.apiKey,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.verify).toMatchObject({
        status: 'ACTIVE',
        saleable: true,
        // The pack sits with the wholesaler: a genuine pack, flagged because it was never shipped to this pharmacy,
        // which the read policy does not tell who holds it.
        alerts: ['NOT_IN_CUSTODY', 'ANCHORING_PENDING'],
        product: { gtin: GTIN, serial: 'A1', lot: 'LOT-7', expiry: '2028-06-30' },
        custodian: null,
        container: null,
        anchored: false,
        checkedOnChain: false,
      });
    }
    const lotMismatch = await gql(
      app,
      `query($code: String!) { verify(code: $code) { status saleable alerts } }`,
      { code: `(01)${GTIN}(17)280630(10)LOT-8(21)A1` },
      pharmacy.apiKey,
    );
    expect(lotMismatch.data.verify).toMatchObject({ status: 'ACTIVE', saleable: false, alerts: expect.arrayContaining(['LOT_MISMATCH']) });
    const unknown = await gql(
      app,
      `query($code: String!) { verify(code: $code) { status saleable alerts } }`,
      { code: packUrn('NOPE') },
      pharmacy.apiKey,
    );
    expect(unknown.data.verify).toEqual({ status: 'UNKNOWN', saleable: false, alerts: ['UNKNOWN_SERIAL'] });
    const garbage = await gql(app, `query { verify(code: "]d201123") { status } }`, {}, pharmacy.apiKey);
    expect(garbage.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', details: { field: 'code' } });
  });

  it('dispenses: the pack, not its siblings, and only once the pharmacy received it', async () => {
    const unreceived = await capture(epcisDocument([dispensingEvent({ eventTime: t(6), epcs: [pack('A2')] })]), pharmacy.apiKey);
    expect(unreceived.errors?.[0].extensions).toMatchObject({
      code: 'CAPTURE_FORBIDDEN',
      details: { issues: [{ eventIndex: 0, field: '/epcList/0', rule: 'NOT_CUSTODIAN' }] },
    });
    await capture(
      epcisDocument([shippingEvent({ eventTime: t(7), epcs: [pack('A2')], to: 'urn:epc:id:pgln:0614141.00003' })]),
      wholesaler.apiKey,
    );
    await capture(epcisDocument([receivingEvent({ eventTime: t(8), epcs: [pack('A2')] })]), pharmacy.apiKey);
    await capture(epcisDocument([dispensingEvent({ eventTime: t(10), epcs: [pack('A2')] })]), pharmacy.apiKey);
    const q = `query($code: String!) { verify(code: $code) { status alerts } }`;
    expect((await gql(app, q, { code: pack('A2') }, pharmacy.apiKey)).data.verify).toMatchObject({
      status: 'DISPENSED',
      alerts: expect.arrayContaining(['ALREADY_DISPENSED']),
    });
    expect((await gql(app, q, { code: pack('A1') }, pharmacy.apiKey)).data.verify.status).toBe('ACTIVE');
  });

  it('rejects a whole document when one event is bad, naming the event, field and rule, and stores nothing', async () => {
    const before = await rowCount('event');
    const badCheckDigit = `https://id.gs1.org/01/${GTIN.slice(0, 13)}${(Number(GTIN[13]) + 1) % 10}/21/X1`;
    const doc = epcisDocument([
      commissioningEvent({ eventTime: t(20), epcs: [pack('B1')], lot: 'L', expiry: '2028-01-31' }),
      commissioningEvent({ eventTime: t(20), epcs: [pack('B2'), badCheckDigit], lot: 'L', expiry: '2028-01-31' }),
    ]);
    const res = await capture(doc);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVALID_DOCUMENT' });
    expect(res.errors?.[0].extensions?.details.issues[0]).toMatchObject({ eventIndex: 1, field: '/epcList/1' });
    expect(res.errors?.[0].message).toMatch(/event 1, \/epcList\/1/);
    expect(await rowCount('event')).toBe(before);
  });

  it('rejects a schema violation with the event index, field and rule', async () => {
    const doc = epcisDocument([
      { ...commissioningEvent({ eventTime: t(21), epcs: [pack('C1')], lot: 'L', expiry: '2028-01-31' }), action: 'CREATE' },
    ]);
    const res = await capture(doc);
    expect(res.errors?.[0].extensions?.code).toBe('INVALID_DOCUMENT');
    expect(res.errors?.[0].extensions?.details.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ eventIndex: 0, field: '/action', rule: 'enum' })]),
    );
  });

  it('lets only a manufacturer commission, and only under its own company prefixes', async () => {
    const foreign = await capture(
      epcisDocument([
        commissioningEvent({ eventTime: t(22), epcs: [`https://id.gs1.org/01/${OTHER_GTIN}/21/Z1`], lot: 'L', expiry: '2028-01-31' }),
      ]),
    );
    expect(foreign.errors?.[0].extensions).toMatchObject({
      code: 'CAPTURE_FORBIDDEN',
      details: { issues: [expect.objectContaining({ eventIndex: 0, field: '/epcList/0', rule: 'NOT_MANUFACTURER' })] },
    });
    const byDistributor = await capture(
      epcisDocument([commissioningEvent({ eventTime: t(22), epcs: [pack('Z2')], lot: 'L', expiry: '2028-01-31' })]),
      wholesaler.apiKey,
    );
    expect(byDistributor.errors?.[0].extensions?.code).toBe('CAPTURE_FORBIDDEN');
  });

  it('answers a non-object document with a clear error, not a 500', async () => {
    const res = await capture('not a document');
    expect(res.errors?.[0].extensions?.code).toBe('INVALID_DOCUMENT');
  });

  /**
   * Counts every rewrite of a pack's state (an UPDATE, or an INSERT … ON CONFLICT DO UPDATE) while `work` runs, by
   * EPC: a trigger of the test's own, as the superuser, since Postgres reports its update counts only seconds later.
   */
  const stateRewrites = async (work: () => Promise<unknown>): Promise<string[]> => {
    const c = new Client({ connectionString: dbUrl() });
    await c.connect();
    try {
      await c.query(`CREATE TABLE test_state_rewrite (epc text NOT NULL)`);
      await c.query(`CREATE FUNCTION test_count_state_rewrite() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
                     AS $$ BEGIN INSERT INTO test_state_rewrite VALUES (NEW.epc); RETURN NULL; END $$`);
      await c.query(
        `CREATE TRIGGER test_state_rewrite AFTER UPDATE ON pack_state FOR EACH ROW EXECUTE FUNCTION test_count_state_rewrite()`,
      );
      await work();
      return (await c.query(`SELECT epc FROM test_state_rewrite ORDER BY epc`)).rows.map((r) => r.epc);
    } finally {
      await c.query(`DROP TRIGGER IF EXISTS test_state_rewrite ON pack_state`);
      await c.query(`DROP FUNCTION IF EXISTS test_count_state_rewrite()`);
      await c.query(`DROP TABLE IF EXISTS test_state_rewrite`);
      await c.end();
    }
  };

  it('writes the state of a pack commissioned and packed in one document once, and its case once (issue 18)', async () => {
    const serials = ['ONCE1', 'ONCE2', 'ONCE3'];
    const onceCase = 'urn:epc:id:sscc:0614141.6666666666';
    const site = { bizLocation: SITE, readPoint: SITE };
    const rewritten = await stateRewrites(async () => {
      const res = await capture(
        epcisDocument([
          ...serials.map((s) => commissioningEvent({ eventTime: t(30), epcs: [pack(s)], lot: 'LOT-1', expiry: '2028-06-30', ...site })),
          packingEvent({ eventTime: t(31), parent: onceCase, children: serials.map(pack), ...site }),
        ]),
      );
      expect(res.errors).toBeUndefined();
    });
    expect(rewritten).toEqual([]);
    // The states hold both events, folded in memory: the case holds the pack.
    const verified = await gql(
      app,
      `query($code: String!) { verify(code: $code) { status container } }`,
      { code: pack('ONCE2') },
      maker.apiKey,
    );
    expect(verified.data.verify.container).toMatch(/^https:\/\/id\.gs1\.org\/00\/60614141666666666\d$/);
    // A later document's unpacking rewrites what it changed, so the trigger sees rewrites: the case and its child, and
    // (their last event) the packs still in it.
    const later = await stateRewrites(async () => {
      const res = await capture(
        epcisDocument([unpackingEvent({ eventTime: t(33), parent: onceCase, children: [pack('ONCE1')], ...site })]),
      );
      expect(res.errors).toBeUndefined();
    });
    expect(later).toEqual([expect.stringMatching(/\/00\//), ...serials.map((s) => expect.stringContaining(`/21/${s}`))]);
  });

  it('stores a document larger than one chunk as one: later events act on packs of earlier chunks, a repeat is a duplicate', async () => {
    const commissioned = 2 * CAPTURE_CHUNK_EVENTS + 100;
    const serials = Array.from({ length: commissioned }, (_, i) => `CHUNK${i}`);
    const bigCase = 'urn:epc:id:sscc:0614141.7777777777';
    const events = [
      ...serials.map((serial) =>
        commissioningEvent({
          eventTime: t(10),
          epcs: [pack(serial)],
          lot: 'LOT-C',
          expiry: '2028-06-30',
          bizLocation: SITE,
          readPoint: SITE,
        }),
      ),
      // Packs commissioned in the first chunk, packed from the third, and the first event again.
      packingEvent({
        eventTime: t(11),
        parent: bigCase,
        children: [pack('CHUNK0'), pack(`CHUNK${commissioned - 1}`)],
        bizLocation: SITE,
        readPoint: SITE,
      }),
      commissioningEvent({
        eventTime: t(10),
        epcs: [pack('CHUNK0')],
        lot: 'LOT-C',
        expiry: '2028-06-30',
        bizLocation: SITE,
        readPoint: SITE,
      }),
    ];
    const before = await rowCount('event');
    const res = await capture(epcisDocument(events));
    expect(res.errors).toBeUndefined();
    expect(res.data.captureEpcisDocument).toMatchObject({ capturedCount: commissioned + 1, duplicateCount: 1 });
    expect(await rowCount('event')).toBe(before + commissioned + 1);
    const verified = await gql(
      app,
      `query($code: String!) { verify(code: $code) { status container } }`,
      { code: pack('CHUNK0') },
      maker.apiKey,
    );
    // Served in its canonical Digital Link form.
    expect(verified.data.verify).toEqual({ status: 'ACTIVE', container: 'https://id.gs1.org/00/706141417777777771' });
  });

  /** Until another session than `other` waits on a lock (a capture on what `other` holds); fails after 10 s. */
  const waitingOnLock = async (other: Client, what: string) => {
    for (let waited = 0; ; waited += 20) {
      const waiting = await other.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      if (waiting.rowCount) return;
      if (waited > 10_000) throw new Error(`the capture never reached ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('judges a capture against an item another capture created while it ran: one serial commissioned twice at once is refused', async () => {
    const epc = pack('RACE-1');
    // Another capture's commissioning of the serial, not committed yet when this capture locks the states it reads.
    const other = new Client({ connectionString: dbUrl() });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO pack_state (epc, kind, gtin, serial, lot, status, custodian_id, commissioned_by, last_event_id, last_event_time)
         VALUES ($1, 'sgtin', $2, 'RACE-1', 'LOT-A', 'ACTIVE', $3, $3, 0, now())`,
        [epc, GTIN, maker.id],
      );
      const racing = capture(epcisDocument([commissioningEvent({ eventTime: t(20), epcs: [epc], lot: 'LOT-B', expiry: '2029-12-31' })]));
      // Until it waits on the other's row: it found no state, judged the serial new, and is writing it.
      await waitingOnLock(other, 'the state it races for');
      await other.query('COMMIT');
      const res = await racing;
      expect(res.errors?.[0].extensions).toMatchObject({
        code: 'CAPTURE_CONFLICT',
        details: { issues: [expect.objectContaining({ field: '/epcList/0', rule: 'SERIAL_EXISTS' })] },
      });
    } finally {
      await other.end();
    }
    const stored = new Client({ connectionString: dbUrl() });
    await stored.connect();
    try {
      expect((await stored.query(`SELECT lot FROM pack_state WHERE epc = $1`, [epc])).rows).toEqual([{ lot: 'LOT-A' }]);
      expect((await stored.query(`SELECT count(*)::int AS n FROM event_epc WHERE epc = $1`, [epc])).rows).toEqual([{ n: 0 }]);
    } finally {
      await stored.end();
    }
  });

  it('counts as a duplicate an event another capture stored while this one ran, and stores the rest of the chunk', async () => {
    const doc = epcisDocument([
      commissioningEvent({ eventTime: t(21), epcs: [pack('KEY-RACE-1')], lot: 'LOT-A', expiry: '2029-12-31' }),
      commissioningEvent({ eventTime: t(22), epcs: [pack('KEY-RACE-2')], lot: 'LOT-A', expiry: '2029-12-31' }),
    ]);
    // The first event's key, as another capture of the same event holds it, not committed yet when this one inserts.
    const other = new Client({ connectionString: dbUrl() });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`INSERT INTO event_key (event_hash, event_id, record_time) VALUES ($1, nextval('event_id_seq'), now())`, [
        hashDigest(eventHashes(doc)[0].hash),
      ]);
      const racing = capture(doc);
      // Until its plain INSERT of the chunk's keys waits on the other's key.
      await waitingOnLock(other, 'the key it races for');
      await other.query('COMMIT');
      const res = await racing;
      expect(res.errors).toBeUndefined();
      // The chunk was undone to its savepoint and done again skipping the stored key.
      expect(res.data.captureEpcisDocument).toMatchObject({ capturedCount: 1, duplicateCount: 1 });
    } finally {
      await other.end();
    }
    const stored = new Client({ connectionString: dbUrl() });
    await stored.connect();
    try {
      const states = await stored.query(`SELECT epc FROM pack_state WHERE epc = ANY($1) ORDER BY epc`, [
        [pack('KEY-RACE-1'), pack('KEY-RACE-2')],
      ]);
      expect(states.rows).toEqual([{ epc: pack('KEY-RACE-2') }]);
    } finally {
      await stored.end();
    }
  });

  it('stores a body as it was sent, whatever its text holds (events are written with COPY, whose text format escapes)', async () => {
    const note = 'back\\slash \\N "quoted"\ttab\nnewline\rreturn é 😀 \u0001';
    const event = {
      ...commissioningEvent({ eventTime: t(30), epcs: [pack('COPY-1')], lot: 'LOT-"1%', expiry: '2029-12-31' }),
      'ex:note': note,
    };
    const doc = {
      ...epcisDocument([event]),
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://ns.example.com/epcis/' }],
    };
    const res = await capture(doc);
    expect(res.errors).toBeUndefined();
    const c = new Client({ connectionString: dbUrl() });
    await c.connect();
    try {
      const { rows } = await c.query(
        `SELECT e.body, e.ignore_fields, s.lot FROM event e JOIN event_epc x ON x.event_id = e.id JOIN pack_state s ON s.epc = x.epc WHERE x.epc = $1`,
        [pack('COPY-1')],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].body['ex:note']).toBe(note);
      expect(rows[0].body.ilmd).toEqual((event as { ilmd?: unknown }).ilmd);
      expect(rows[0].ignore_fields).toEqual([]);
      expect(rows[0].lot).toBe('LOT-"1%');
    } finally {
      await c.end();
    }
  });
});

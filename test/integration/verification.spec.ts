import { INestApplication } from '@nestjs/common';
import { commissioningEvent, dispensingEvent, epcisDocument, receivingEvent, shippingEvent } from '@pharmatrace/epcis';
import { dataSourceOptions, OrganizationRepository, VerificationRepository } from '@pharmatrace/persistence';
import { DataSource } from 'typeorm';
import { Client } from 'pg';
import request from 'supertest';
import { VerificationService } from '../../apps/api/src/verification/verification.service';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const UNKNOWN_GTIN = withCheckDigit('0061414199999');
const GS = '\u001d';
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${encodeURIComponent(serial)}`;
const scan = (serial: string, lot = 'LOT1', exp = '280630') => `]d201${GTIN}17${exp}10${lot}${GS}21${serial}`;
const VERIFY = `query($c: String!) { verify(code: $c) { status saleable alerts nmvsCode epc ambiguousReadings
  product { gtin serial lot expiry } custodian { name } correction { kind advice } } }`;
const ago = (days: number) => new Date(Date.now() - days * 86_400_000);

describe('verification and dispensing (issue 4)', () => {
  let app: INestApplication;
  afterAll(() => app?.close());
  const dbUrl = useDatabase();
  const orgs: Record<string, { apiKey: string; id: string; gln: string }> = {};
  const pgln = (gln: string) => `https://id.gs1.org/417/${gln}`;

  const capture = async (key: string, events: Record<string, unknown>[]) => {
    const res = await gql(app, CAPTURE, { document: epcisDocument(events) }, key);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
  };
  const verify = async (code: string, who = 'pharmacyA') => {
    const res = await gql(app, VERIFY, { c: code }, orgs[who].apiKey);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data.verify;
  };
  const mutate = (name: string, code: string, who: string) =>
    gql(app, `mutation($c: String!) { ${name}(code: $c) { status alerts } }`, { c: code }, orgs[who].apiKey);
  const sql = async (text: string, params: unknown[] = []) => {
    const c = new Client({ connectionString: dbUrl() });
    await c.connect();
    try {
      return (await c.query(text, params)).rows;
    } finally {
      await c.end();
    }
  };

  const serials = [
    'OK1',
    'OK2',
    'D1',
    'D2',
    'U1',
    'U2',
    'U3',
    'S1',
    'S2',
    'S3',
    'S4',
    'S5',
    'S6',
    'zY1',
    'Yz1',
    'AbC9',
    'ZzQ8',
    'RACE',
    'ES',
  ];
  // Only the holder of a pack may take it out of the chain; sampling and exporting are a distributor's.
  const atWholesaler = ['S3', 'S4'];
  const atPharmacy = serials.filter((s) => !atWholesaler.includes(s));

  beforeAll(async () => {
    // The verdict and correction counters are read here: a query run again in graphql-js to compare would count twice.
    app = await startApi(testConfig({ DATABASE_URL: dbUrl(), GRAPHQL_COMPARE_EXECUTION: 'false' }));
    const make = async (name: string, role: string, gln: string, companyPrefixes: string[] = []) =>
      (orgs[name] = { ...(await createOrganization(app, { name, role, gln, companyPrefixes })) });
    await make('maker', 'MANUFACTURER', withCheckDigit('061414100001'), ['0614141']);
    await make('wholesaler', 'DISTRIBUTOR', withCheckDigit('061414100002'));
    await make('pharmacyA', 'DISPENSER', withCheckDigit('061414100003'));
    await make('pharmacyB', 'DISPENSER', withCheckDigit('061414100004'));
    await make('regulator', 'REGULATOR', withCheckDigit('061414100005'));
    await capture(orgs.maker.apiKey, [
      commissioningEvent({ eventTime: ago(30), epcs: serials.map(pack), lot: 'LOT1', expiry: '2028-06-30' }),
      commissioningEvent({ eventTime: ago(30), epcs: [pack('OLD1')], lot: 'LOT0', expiry: '2025-01-31' }),
      commissioningEvent({ eventTime: ago(30), epcs: [pack('R1')], lot: 'LOTR', expiry: '2028-06-30' }),
      shippingEvent({ eventTime: ago(29), epcs: [...atPharmacy, 'OLD1', 'R1'].map(pack), to: pgln(orgs.pharmacyA.gln) }),
      shippingEvent({ eventTime: ago(29), epcs: atWholesaler.map(pack), to: pgln(orgs.wholesaler.gln) }),
    ]);
    await capture(orgs.pharmacyA.apiKey, [receivingEvent({ eventTime: ago(28), epcs: [...atPharmacy, 'OLD1', 'R1'].map(pack) })]);
    await capture(orgs.wholesaler.apiKey, [receivingEvent({ eventTime: ago(28), epcs: atWholesaler.map(pack) })]);
  });

  it('answers ACTIVE and saleable for a genuine pack in the pharmacy, with no NMVS code', async () => {
    expect(await verify(scan('OK1'))).toMatchObject({
      status: 'ACTIVE',
      saleable: true,
      alerts: ['ANCHORING_PENDING'],
      nmvsCode: null,
      custodian: { name: 'pharmacyA' },
    });
  });

  it.each([
    ['unknown product', `]d201${UNKNOWN_GTIN}17280630${'10'}LOT1${GS}21X`, 'UNKNOWN', 'UNKNOWN_PRODUCT', 'NMVS_NC_PC_01'],
    ['unknown serial', scan('NOPE1'), 'UNKNOWN', 'UNKNOWN_SERIAL', 'NMVS_NC_PC_02'],
    ['lot mismatch', scan('OK2', 'LOT9'), 'ACTIVE', 'LOT_MISMATCH', 'NMVS_FE_LOT_13'],
    ['expiry mismatch', scan('OK2', 'LOT1', '280629'), 'ACTIVE', 'EXPIRY_MISMATCH', 'NMVS_FE_LOT_12'],
    ['expired', scan('OLD1', 'LOT0', '250100'), 'EXPIRED', 'EXPIRED', 'NMVS_NC_PCK_22'],
  ])('%s', async (_, code, status, alert, nmvs) => {
    const v = await verify(code);
    expect(v).toMatchObject({ status, saleable: false, nmvsCode: nmvs });
    expect(v.alerts).toContain(alert);
  });

  it('names the custodian with every field an organization has', async () => {
    const res = await gql(
      app,
      `query($c: String!) { verify(code: $c) { custodian { id name role gln companyPrefixes requireSignedCaptures createdAt } } }`,
      { c: scan('OK1') },
      orgs.pharmacyA.apiKey,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.verify.custodian).toMatchObject({
      id: orgs.pharmacyA.id,
      name: 'pharmacyA',
      role: 'DISPENSER',
      gln: orgs.pharmacyA.gln,
      requireSignedCaptures: false,
    });
  });

  it('gives scans that arrive together, and so share one database statement, each its own verdict', async () => {
    const codes = [
      scan('OK1'),
      scan('NOPE1'),
      scan('OK2', 'LOT9'),
      scan('OLD1', 'LOT0', '250100'),
      `]d201${UNKNOWN_GTIN}17280630${'10'}LOT1${GS}21X`,
      scan('R1', 'LOTR'),
    ];
    const alone: Record<string, any>[] = [];
    for (const code of codes) alone.push(await verify(code));
    const views = app.get(VerificationRepository);
    const batched = jest.spyOn(views as unknown as { fetch(batch: unknown[]): Promise<void> }, 'fetch');
    const service = app.get(VerificationService);
    const pharmacy = await app.get(OrganizationRepository).findByGln(orgs.pharmacyA.gln);
    const together = await Promise.all([...codes, ...codes].map((code) => service.verify(code, pharmacy!)));
    expect(batched).toHaveBeenCalledTimes(1);
    expect(batched.mock.calls[0][0]).toHaveLength(codes.length * 2);
    batched.mockRestore();
    const pick = ({ status, saleable, alerts, nmvsCode, epc, ambiguousReadings, product, custodian, correction }: Record<string, any>) => ({
      status,
      saleable,
      alerts,
      nmvsCode: nmvsCode ?? null,
      epc,
      ambiguousReadings,
      product: { ...product, name: undefined },
      custodian: custodian ? { name: custodian.name } : null,
      correction: correction ?? null,
    });
    expect(together.map(pick)).toEqual([...alone, ...alone].map(pick));
  });

  it('runs the batched statement on one generic plan, whatever the size of its batches', async () => {
    // One connection, so that the plan cache read is the one the statements filled.
    const ds = await new DataSource(dataSourceOptions(dbUrl(), { poolSize: 1 })).initialize();
    try {
      const views = new VerificationRepository(ds);
      for (let i = 0; i < 12; i++) {
        const batch = serials.slice(0, 1 + (i % 3));
        await Promise.all(batch.map((serial) => views.view(pack(serial), GTIN, 'LOT1', null)));
      }
      const [plans] = await ds.query(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'verification_views'`);
      // Postgres tries five custom plans before it may settle on the generic one; small batches used to re-plan each time.
      expect(plans).toEqual({ generic_plans: '7', custom_plans: '5' });
    } finally {
      await ds.destroy();
    }
  });

  it('flags a genuine pack never shipped to the scanning pharmacy', async () => {
    const v = await verify(scan('OK2'), 'pharmacyB');
    expect(v.alerts).toContain('NOT_IN_CUSTODY');
  });

  it('answers RECALLED for every pack of a recalled lot, and alerts the custodian', async () => {
    const denied = await gql(
      app,
      `mutation { recallLot(gtin: "${GTIN}", lot: "LOTR", reason: "x") { packs } }`,
      {},
      orgs.wholesaler.apiKey,
    );
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const res = await gql(
      app,
      `mutation { recallLot(gtin: "${GTIN}", lot: "LOTR", reason: "contamination") { packs custodiansAlerted } }`,
      {},
      orgs.maker.apiKey,
    );
    expect(res.data.recallLot).toEqual({ packs: 1, custodiansAlerted: 1 });
    expect(await verify(scan('R1', 'LOTR'))).toMatchObject({
      status: 'RECALLED',
      saleable: false,
      alerts: expect.arrayContaining(['RECALLED']),
    });
    expect(await sql(`SELECT code FROM alert WHERE recipient_id = $1`, [orgs.pharmacyA.id])).toEqual([{ code: 'LOT_RECALLED' }]);
  });

  it('answers ANCHORING_FAILED when an audit found the pack history does not match its root', async () => {
    await capture(orgs.maker.apiKey, [commissioningEvent({ eventTime: ago(20), epcs: [pack('AF1')], lot: 'LOT1', expiry: '2028-06-30' })]);
    const [{ id }] = await sql(
      `INSERT INTO anchor_batch (status, root, leaf_count, nodes, audit_failed_at) VALUES ('FINAL', $1, 1, $1, now()) RETURNING id`,
      [Buffer.alloc(32, 7)],
    );
    await sql(`UPDATE event SET batch_id = $1, leaf_index = 0 WHERE id = (SELECT event_id FROM event_epc WHERE epc = $2)`, [
      id,
      pack('AF1'),
    ]);
    const v = await verify(scan('AF1'));
    expect(v.alerts).toContain('ANCHORING_FAILED');
    expect(v.saleable).toBe(false);
  });

  it.each([
    ['destroy', 'pharmacyA', 'S1', 'DESTROYED'],
    ['markStolen', 'pharmacyA', 'S2', 'STOLEN'],
    ['markSample', 'wholesaler', 'S3', 'SAMPLE'],
    ['export', 'wholesaler', 'S4', 'EXPORTED'],
    ['lock', 'regulator', 'S5', 'LOCKED'],
  ])('%s by a %s makes the pack %s, and it cannot be dispensed then', async (mutation, who, serial, status) => {
    const res = await mutate(mutation, scan(serial), who);
    expect(res.errors).toBeUndefined();
    expect(res.data[mutation].status).toBe(status);
    const v = await verify(scan(serial));
    expect(v).toMatchObject({ status, saleable: false, alerts: expect.arrayContaining(['PACK_INACTIVE']), nmvsCode: 'NMVS_NC_PCK_22' });
    const dispense = await mutate('dispense', scan(serial), 'pharmacyA');
    expect(dispense.errors?.[0].extensions?.code).toBe('NOT_SALEABLE');
  });

  it('enforces who may change a status: the authority matrix, rule named', async () => {
    const refusal = async (mutation: string, who: string) => (await mutate(mutation, scan('OK2'), who)).errors?.[0].extensions;
    expect(await refusal('dispense', 'wholesaler')).toMatchObject({
      code: 'CAPTURE_FORBIDDEN',
      details: { issues: [{ rule: 'NOT_CUSTODIAN' }] },
    });
    expect(await refusal('export', 'pharmacyA')).toMatchObject({
      code: 'CAPTURE_FORBIDDEN',
      details: { issues: [{ rule: 'NOT_AUTHORIZED_ROLE' }] },
    });
    expect(await refusal('markSample', 'pharmacyA')).toMatchObject({
      code: 'CAPTURE_FORBIDDEN',
      details: { issues: [{ rule: 'NOT_AUTHORIZED_ROLE' }] },
    });
    expect(await refusal('lock', 'pharmacyA')).toMatchObject({
      code: 'CAPTURE_FORBIDDEN',
      details: { issues: [{ rule: 'NOT_MANUFACTURER' }] },
    });
    expect(await verify(scan('OK2'))).toMatchObject({ status: 'ACTIVE', saleable: true });
  });

  it('dispenses once: a second dispense is ALREADY_DISPENSED, and the attempt is an alert for manufacturer and regulators', async () => {
    const first = await mutate('dispense', scan('D1'), 'pharmacyA');
    expect(first.data.dispense.status).toBe('DISPENSED');
    const again = await mutate('dispense', scan('D1'), 'pharmacyB');
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'ALREADY_DISPENSED', details: { nmvsCode: 'NMVS_NC_PCK_22' } });
    const v = await verify(scan('D1'));
    expect(v).toMatchObject({ status: 'DISPENSED', saleable: false, alerts: expect.arrayContaining(['ALREADY_DISPENSED']) });
  });

  it('lets exactly one of many simultaneous dispenses win', async () => {
    const attempts = await Promise.all(Array.from({ length: 12 }, () => mutate('dispense', scan('RACE'), 'pharmacyA')));
    const wins = attempts.filter((r) => !r.errors);
    const losses = attempts.filter((r) => r.errors);
    expect(wins).toHaveLength(1);
    expect(losses.map((r) => r.errors![0].extensions!.code)).toEqual(Array(11).fill('ALREADY_DISPENSED'));
    const events = await sql(
      `SELECT count(*)::int AS n FROM event_epc ee JOIN event e ON e.id = ee.event_id WHERE ee.epc = $1 AND e.biz_step = 'dispensing'`,
      [pack('RACE')],
    );
    expect(events).toEqual([{ n: 1 }]);
    const alerts = await sql(`SELECT code, manufacturer_id FROM alert WHERE epc = $1`, [pack('RACE')]);
    expect(alerts).toEqual(Array(11).fill({ code: 'ALREADY_DISPENSED', manufacturer_id: orgs.maker.id }));
  });

  it('undoes a dispensing only at the same location and within 10 days', async () => {
    await mutate('dispense', scan('U1'), 'pharmacyA');
    const other = await mutate('undoDispense', scan('U1'), 'regulator');
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'UNDO_BY_OTHER_LOCATION', details: { nmvsCode: 'NMVS_NC_PCK_21' } });
    const stranger = await mutate('undoDispense', scan('U1'), 'pharmacyB');
    expect(stranger.errors?.[0].extensions).toMatchObject({ code: 'CAPTURE_FORBIDDEN', details: { issues: [{ rule: 'NOT_CUSTODIAN' }] } });
    const same = await mutate('undoDispense', scan('U1'), 'pharmacyA');
    expect(same.data.undoDispense.status).toBe('ACTIVE');

    await capture(orgs.pharmacyA.apiKey, [dispensingEvent({ eventTime: ago(11), epcs: [pack('U2')] })]);
    // The window runs on the server's record time: as if the dispensing had been recorded 11 days ago.
    await sql(`UPDATE pack_state SET status_recorded_at = now() - interval '11 days' WHERE epc = $1`, [pack('U2')]);
    const late = await mutate('undoDispense', scan('U2'), 'pharmacyA');
    expect(late.errors?.[0].extensions).toMatchObject({ code: 'UNDO_WINDOW_EXCEEDED', details: { nmvsCode: 'NMVS_NC_PCK_20' } });

    const notDispensed = await mutate('undoDispense', scan('U3'), 'pharmacyA');
    expect(notDispensed.errors?.[0].extensions).toMatchObject({ code: 'UNDO_STATUS_MISMATCH', details: { nmvsCode: 'NMVS_NC_PCK_06' } });
  });

  describe('false alerts: scanner faults corrected when exactly one reading matches', () => {
    it.each([
      ['GS sent as |', `]d201${GTIN}17280630${'10'}LOT1|21OK1`, 'GS_REPLACED', 'OK1'],
      ['GS lost', `]d201${GTIN}1728063010LOT121OK1`, 'GS_MISSING', 'OK1'],
      ['Caps Lock', `]d201${GTIN}17280630${'10'}lot1${GS}21aBc9`, 'CASE_CHANGED', 'AbC9'],
      ['Y and Z swapped', `]d201${GTIN}17280630${'10'}LOT1${GS}21YyQ8`, 'Y_Z_SWAPPED', 'ZzQ8'],
      ['EAN run into the lot', `]d201${GTIN}1728063021ES${GS}10LOT1${GTIN.slice(1)}`, 'EAN_IN_DATA', 'ES'],
    ])('%s', async (_, code, kind, serial) => {
      const counted = async () => {
        const metrics = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
        return Number(new RegExp(`^pharmatrace_scan_corrections_total\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
      };
      const before = await counted();
      const v = await verify(code);
      expect(v).toMatchObject({ status: 'ACTIVE', saleable: true, product: { serial }, correction: { kind } });
      expect(v.correction.advice).toMatch(/\w/);
      // Counted for the operator, not stored: a verification is a read (issue 15).
      expect(await counted()).toBe(before + 1);
    });

    it('never guesses between two corrected readings that match different packs', async () => {
      // "yZ1" is unknown; Y/Z swapped it reads zY1, case-inverted Yz1: both exist.
      const v = await verify(`]d201${GTIN}17280630${'10'}LOT1${GS}21yZ1`);
      expect(v).toMatchObject({ status: 'UNKNOWN', saleable: false, correction: null, ambiguousReadings: 2, alerts: ['UNKNOWN_SERIAL'] });
    });
  });

  describe('DSCSA verification endpoint (VRS, GS1 Lightweight Messaging)', () => {
    const vrsAs = (who: string | null, serial: string, q: Record<string, string>) => {
      const req = request(app.getHttpServer())
        .get(`/verify/gtin/${GTIN}/lot/LOT1/ser/${serial}`)
        .query({ linkType: 'verificationService', context: 'dscsaSaleableReturn', ...q });
      return who ? req.set('Authorization', `Bearer ${orgs[who].apiKey}`) : req;
    };
    const vrs = (serial: string, q: Record<string, string>) => vrsAs('wholesaler', serial, q);
    const corrUUID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';

    it('answers verified with the responder GLN and the correlation id echoed', async () => {
      const res = await vrs('OK2', { exp: '280630', reqGLN: orgs.wholesaler.gln, corrUUID });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        verificationTimestamp: expect.any(String),
        responderGLN: orgs.maker.gln,
        data: { verified: true },
        corrUUID,
      });
      expect(new Date(res.body.verificationTimestamp).getTime()).toBeGreaterThan(Date.now() - 60_000);
    });

    it.each([
      ['NOPE', '280630', 'No_match_GTIN_Serial'],
      ['OK2', '290101', 'No_match_GTIN_Serial_Expiry'],
    ])('answers not verified for %s exp %s: %s', async (serial, exp, reason) => {
      const res = await vrs(serial, { exp, reqGLN: orgs.wholesaler.gln, corrUUID });
      expect(res.body.data).toEqual({ verified: false, verificationFailureReason: reason });
    });

    it('reports a dispensed pack coming back as a saleable return as suspect', async () => {
      const res = await vrs('D1', { exp: '280630', reqGLN: orgs.wholesaler.gln });
      expect(res.body.data).toEqual({ verified: true, additionalInfo: 'Suspect' });
      expect(res.body.corrUUID).toBeUndefined();
    });

    it('answers an anonymous request 401, whichever reqGLN it names', async () => {
      for (const reqGLN of [orgs.wholesaler.gln, withCheckDigit('999999900000')]) {
        const res = await vrsAs(null, 'OK2', { exp: '280630', reqGLN });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({
          type: 'urn:pharmatrace:error:UNAUTHENTICATED',
          title: 'UNAUTHENTICATED',
          status: 401,
          detail: 'send "Authorization: Bearer <api key>"',
        });
      }
    });

    it("refuses a reqGLN that is not the key's own alike, registered or not, naming no one", async () => {
      const refusal = {
        type: 'urn:pharmatrace:error:REQUESTOR_NOT_ALLOWED',
        title: 'REQUESTOR_NOT_ALLOWED',
        status: 403,
        detail: 'reqGLN must be the GLN of the organization whose API key is sent',
      };
      for (const reqGLN of [orgs.pharmacyA.gln, orgs.maker.gln, orgs.regulator.gln, withCheckDigit('999999900000')]) {
        const res = await vrs('OK2', { exp: '280630', reqGLN });
        expect([reqGLN, res.status, res.body]).toEqual([reqGLN, 403, refusal]);
      }
    });

    it('answers each requestor role with its own key, and refuses a manufacturer (it answers, it does not ask)', async () => {
      for (const who of ['wholesaler', 'pharmacyA', 'regulator']) {
        const res = await vrsAs(who, 'OK2', { exp: '280630', reqGLN: orgs[who].gln });
        expect([who, res.status, res.body.data]).toEqual([who, 200, { verified: true }]);
      }
      const maker = await vrsAs('maker', 'OK2', { exp: '280630', reqGLN: orgs.maker.gln });
      expect(maker.status).toBe(403);
      expect(maker.body.title).toBe('FORBIDDEN');
    });

    it('answers 400 for bad parameters', async () => {
      const bad = await request(app.getHttpServer())
        .get(`/verify/gtin/00614141073468/lot/LOT1/ser/OK2`)
        .query({ reqGLN: orgs.wholesaler.gln })
        .set('Authorization', `Bearer ${orgs.wholesaler.apiKey}`);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ status: 400, parameter: 'gtin' });
      expect((await vrs('OK2', { reqGLN: orgs.wholesaler.gln, corrUUID: 'not-a-uuid' })).status).toBe(400);
      expect((await vrs('OK2', { reqGLN: orgs.wholesaler.gln, context: 'other' })).status).toBe(400);
    });
  });

  describe('GS1 Digital Link resolver', () => {
    it('answers an API client with the JSON verdict', async () => {
      const res = await request(app.getHttpServer()).get(`/01/${GTIN}/10/LOT1/21/OK2?17=280630`).set('Accept', 'application/json');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ACTIVE', saleable: true, product: { gtin: GTIN, serial: 'OK2', lot: 'LOT1' } });
      expect(res.body.custodian).toBeUndefined();
    });

    it('answers a browser with the verdict page', async () => {
      const res = await request(app.getHttpServer()).get(`/01/${GTIN}/21/D1`).set('Accept', 'text/html,application/xhtml+xml');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('data-status="DISPENSED"');
      expect(res.text).not.toMatch(/(src|href)="https?:/);
    });
  });
});

import { INestApplication } from '@nestjs/common';
import {
  commissioningEvent,
  dispensingEvent,
  epcisDocument,
  packingEvent,
  receivingEvent,
  shippingEvent,
  statusChangeEvent,
} from '@pharmatrace/epcis';
import { Client } from 'pg';
import request from 'supertest';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const CASE = 'urn:epc:id:sscc:0614141.1000000001';
const DAY = 86_400_000;
const VERIFY = `query($c: String!) { verify(code: $c) { status saleable } }`;

/** Issue 12: who may record what, and the server's clock (docs/authority.md), through every capture path. */
describe('authority matrix and the server clock (real Postgres)', () => {
  let app: INestApplication;
  let shift = 0;
  const orgs: Record<string, { apiKey: string; id: string; gln: string }> = {};
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }), { clock: () => new Date(Date.now() + shift) });
    const make = async (name: string, role: string, digits: string, companyPrefixes: string[] = []) =>
      (orgs[name] = await createOrganization(app, { name, role, gln: withCheckDigit(digits), companyPrefixes }));
    await make('maker', 'MANUFACTURER', '061414100001', ['0614141']);
    await make('rival', 'MANUFACTURER', '950600100001', ['9506001']);
    await make('wholesaler', 'DISTRIBUTOR', '061414100002');
    await make('otherWholesaler', 'DISTRIBUTOR', '061414100004');
    await make('pharmacy', 'DISPENSER', '061414100003');
    await make('otherPharmacy', 'DISPENSER', '061414100005');
    await make('regulator', 'REGULATOR', '061414100006');
  });

  const now = () => Date.now() + shift;
  const at = (offsetMs: number) => new Date(now() + offsetMs);
  const pgln = (who: string) => `https://id.gs1.org/417/${orgs[who].gln}`;
  const capture = (who: string, events: Record<string, unknown>[]) =>
    gql(app, CAPTURE, { document: epcisDocument(events) }, orgs[who].apiKey);
  const ok = async (who: string, events: Record<string, unknown>[]) => {
    const res = await capture(who, events);
    expect(res.errors).toBeUndefined();
    return res.data.captureEpcisDocument;
  };
  const status = async (serial: string) => (await gql(app, VERIFY, { c: pack(serial) }, orgs.maker.apiKey)).data.verify.status;
  const sql = async (text: string, params: unknown[] = []) => {
    const c = new Client({ connectionString: dbUrl() });
    await c.connect();
    try {
      return (await c.query(text, params)).rows;
    } finally {
      await c.end();
    }
  };
  const refusal = (rule: string, field = '/epcList/0') => ({
    code: 'CAPTURE_FORBIDDEN',
    details: { issues: [expect.objectContaining({ eventIndex: 0, field, rule })] },
  });
  const commission = (serials: string[], lot = 'LOT-1', eventTime = at(-60_000)) =>
    commissioningEvent({ eventTime, epcs: serials.map(pack), lot, expiry: '2028-06-30' });

  it('refuses every change to a pack by organizations that never held it, stores nothing and alerts its manufacturer', async () => {
    await ok('maker', [commission(['H1', 'H2']), packingEvent({ eventTime: at(-30_000), parent: CASE, children: [pack('H2')] })]);
    const typed = (mutation: string, who: string) =>
      gql(app, `mutation($c: String!) { ${mutation}(code: $c) { status } }`, { c: pack('H1') }, orgs[who].apiKey);
    const flow = (mutation: string, input: string, value: unknown, who: string) =>
      gql(app, `mutation($i: ${input}!) { ${mutation}(input: $i) { capturedCount } }`, { i: value }, orgs[who].apiKey);
    const answers = [
      [await typed('markStolen', 'rival'), 'NOT_CUSTODIAN'],
      [await typed('destroy', 'wholesaler'), 'NOT_CUSTODIAN'],
      [await typed('lock', 'pharmacy'), 'NOT_MANUFACTURER'],
      [await typed('lock', 'rival'), 'NOT_MANUFACTURER'],
      [await typed('export', 'otherWholesaler'), 'NOT_CUSTODIAN'],
      [await typed('markSample', 'wholesaler'), 'NOT_CUSTODIAN'],
      [await typed('dispense', 'pharmacy'), 'NOT_CUSTODIAN'],
      [await flow('decommission', 'DecommissionInput', { epcs: [pack('H1')] }, 'otherPharmacy'), 'NOT_CUSTODIAN'],
      [await flow('ship', 'ShipInput', { epcs: [pack('H1')], to: orgs.otherPharmacy.gln }, 'otherWholesaler'), 'NOT_CUSTODIAN'],
      [await flow('receive', 'ReceiveInput', { epcs: [pack('H1')] }, 'wholesaler'), 'NOT_DESTINATION'],
    ] as const;
    for (const [res, rule] of answers) expect(res.errors?.[0].extensions).toMatchObject(refusal(rule));
    const packed = await flow('pack', 'PackInput', { parent: withCheckDigit('10614141000000002'), children: [pack('H1')] }, 'wholesaler');
    expect(packed.errors?.[0].extensions).toMatchObject(refusal('NOT_CUSTODIAN', '/childEPCs/0'));
    const unpacked = await flow('unpack', 'UnpackInput', { parent: CASE }, 'pharmacy');
    expect(unpacked.errors?.[0].extensions).toMatchObject(refusal('NOT_CUSTODIAN', '/parentID'));

    expect(await status('H1')).toBe('ACTIVE');
    const [{ n }] = await sql(`SELECT count(*)::int AS n FROM event_epc WHERE epc = $1`, [pack('H1')]);
    expect(n).toBe(1);
    const alerts = await sql(`SELECT code, manufacturer_id AS "manufacturerId" FROM alert WHERE epc = $1 ORDER BY id`, [pack('H1')]);
    expect(alerts.map((a) => a.code)).toEqual([...answers.map(([, rule]) => rule), 'NOT_CUSTODIAN']);
    expect(alerts.every((a) => a.manufacturerId === orgs.maker.id)).toBe(true);
  });

  it('refuses an event dated beyond the server clock (REST), so it cannot freeze a pack', async () => {
    await ok('maker', [commission(['F1'])]);
    const future = {
      ...epcisDocument([
        statusChangeEvent({
          eventTime: new Date('2099-01-01T00:00:00Z'),
          epcs: [pack('F1')],
          bizStep: 'inspecting',
          disposition: 'in_progress',
        }),
      ]),
    };
    const res = await request(app.getHttpServer())
      .post('/epcis/capture')
      .set('Authorization', `Bearer ${orgs.maker.apiKey}`)
      .set('Content-Type', 'application/ld+json')
      .send(JSON.stringify(future));
    expect(res.status).toBe(202);
    let job: any;
    for (let i = 0; i < 200 && (!job || job.running); i++) {
      job = (await request(app.getHttpServer()).get(res.headers.location).set('Authorization', `Bearer ${orgs.maker.apiKey}`)).body;
      if (job.running) await new Promise((r) => setTimeout(r, 25));
    }
    expect(job).toMatchObject({
      success: false,
      errors: [{ type: 'epcisException:SecurityException', eventIndex: 0, field: '/eventTime', rule: 'FUTURE_EVENT' }],
    });

    await ok('maker', [shippingEvent({ eventTime: at(-20_000), epcs: [pack('F1')], to: pgln('pharmacy') })]);
    await ok('pharmacy', [receivingEvent({ eventTime: at(-10_000), epcs: [pack('F1')] })]);
    await ok('pharmacy', [dispensingEvent({ eventTime: at(0), epcs: [pack('F1')] })]);
    expect(await status('F1')).toBe('DISPENSED');
    const again = await capture('otherPharmacy', [dispensingEvent({ eventTime: at(0), epcs: [pack('F1')] })]);
    expect(again.errors?.[0].extensions).toMatchObject(refusal('NOT_CUSTODIAN'));
  });

  it('stores history older than the latest status change without changing it, flagged LATE_EVENT', async () => {
    await ok('pharmacy', [
      statusChangeEvent({ eventTime: at(-DAY), epcs: [pack('F1')], bizStep: 'inspecting', disposition: 'in_progress' }),
    ]);
    expect(await status('F1')).toBe('DISPENSED');
    expect(await sql(`SELECT code FROM alert WHERE epc = $1 AND code = 'LATE_EVENT'`, [pack('F1')])).toEqual([{ code: 'LATE_EVENT' }]);
  });

  it('sees the manufacturer-only and dispensing rules whatever the vocabulary spelling', async () => {
    const forged = await capture('wholesaler', [{ ...commission(['V1']), bizStep: 'cbv:BizStep-commissioning' }]);
    expect(forged.errors?.[0].extensions).toMatchObject(refusal('NOT_MANUFACTURER'));
    expect(await ok('maker', [commission(['V1'])])).toMatchObject({ capturedCount: 1, duplicateCount: 0 });
    expect(await status('V1')).toBe('ACTIVE');

    await ok('maker', [shippingEvent({ eventTime: at(-20_000), epcs: [pack('V1')], to: pgln('pharmacy') })]);
    await ok('pharmacy', [
      receivingEvent({ eventTime: at(-10_000), epcs: [pack('V1')] }),
      dispensingEvent({ eventTime: at(-5_000), epcs: [pack('V1')] }),
    ]);
    const twice = await capture('pharmacy', [
      { ...dispensingEvent({ eventTime: at(0), epcs: [pack('V1')] }), bizStep: 'cbv:BizStep-dispensing' },
    ]);
    expect(twice.errors?.[0].extensions).toMatchObject({
      code: 'CAPTURE_CONFLICT',
      details: { issues: [expect.objectContaining({ eventIndex: 0, rule: 'ALREADY_DISPENSED' })] },
    });
  });

  it('refuses re-commissioning a serial with another lot (SERIAL_EXISTS); the very same event is a duplicate', async () => {
    const first = commission(['I1'], 'LOT-1', at(-DAY));
    await ok('maker', [first]);
    expect(await ok('maker', [first])).toMatchObject({ capturedCount: 0, duplicateCount: 1 });
    const again = await capture('maker', [commission(['I1'], 'LOT-2')]);
    expect(again.errors?.[0].extensions).toMatchObject({
      code: 'CAPTURE_CONFLICT',
      details: { issues: [expect.objectContaining({ field: '/epcList/0', rule: 'SERIAL_EXISTS' })] },
    });
    expect(await sql(`SELECT lot FROM pack_state WHERE epc = $1`, [pack('I1')])).toEqual([{ lot: 'LOT-1' }]);
    expect(await sql(`SELECT code FROM alert WHERE epc = $1`, [pack('I1')])).toEqual([{ code: 'SERIAL_EXISTS' }]);
  });

  it('runs the undo window on the server clock: a back-dated stocking event does not reopen it', async () => {
    shift = -20 * DAY;
    await ok('maker', [commission(['U1'])]);
    await ok('maker', [shippingEvent({ eventTime: at(-20_000), epcs: [pack('U1')], to: pgln('pharmacy') })]);
    await ok('pharmacy', [receivingEvent({ eventTime: at(-10_000), epcs: [pack('U1')] })]);
    const dispensed = await gql(app, `mutation($c: String!) { dispense(code: $c) { status } }`, { c: pack('U1') }, orgs.pharmacy.apiKey);
    expect(dispensed.data.dispense.status).toBe('DISPENSED');
    shift = 0;
    const undo = await gql(app, `mutation($c: String!) { undoDispense(code: $c) { status } }`, { c: pack('U1') }, orgs.pharmacy.apiKey);
    expect(undo.errors?.[0].extensions).toMatchObject({ code: 'UNDO_WINDOW_EXCEEDED', details: { nmvsCode: 'NMVS_NC_PCK_20' } });
    const backDated = await capture('pharmacy', [
      statusChangeEvent({ eventTime: at(-19 * DAY), epcs: [pack('U1')], bizStep: 'stocking', disposition: 'active' }),
    ]);
    expect(backDated.errors?.[0].extensions).toMatchObject({
      code: 'CAPTURE_CONFLICT',
      details: { issues: [expect.objectContaining({ rule: 'UNDO_WINDOW_EXCEEDED' })] },
    });
    expect(await gql(app, VERIFY, { c: pack('U1') }, orgs.pharmacy.apiKey)).toMatchObject({
      data: { verify: { status: 'DISPENSED', saleable: false } },
    });
  });
});

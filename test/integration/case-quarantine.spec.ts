import { INestApplication } from '@nestjs/common';
import {
  commissioningEvent,
  epcisDocument,
  EpcisJsonDocument,
  packingEvent,
  receivingEvent,
  shippingEvent,
  unpackingEvent,
  writeEpcisXml,
} from '@pharmatrace/epcis';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { Client } from 'pg';
import request from 'supertest';
import { ExceptionCaseRepository, ReceiptReconciliationRepository } from '@pharmatrace/persistence';
import { CaseTickService } from '../../apps/worker/src/cases/case-tick.service';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const SSCC = `https://id.gs1.org/00/${withCheckDigit('10614141000000001')}`;
const VERIFY = `query($c: String!) { verify(code: $c) { status saleable alerts quarantineCase } }`;
const DISPENSE = `mutation($c: String!) { dispense(code: $c) { status } }`;
const OPEN = `mutation($input: OpenCaseInput!) { openCase(input: $input) { id number } }`;
const ACT = `mutation($id: ID!, $input: CaseActionInput!) { caseAction(id: $id, input: $input) { state resolution quarantining } }`;

/** Issue 17: quarantine enforced by verify, dispense and every capture path, lifted on clearance, held again on reopening. */
describe('exception cases: quarantine, receiving reconciliation, grace alert, supplier scorecard (real Postgres)', () => {
  let app: INestApplication;
  const orgs: Record<string, { apiKey: string; id: string; gln: string }> = {};
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }), { clock: () => new Date() });
    const make = async (name: string, role: string, digits: string, companyPrefixes: string[] = []) =>
      (orgs[name] = await createOrganization(app, { name, role, gln: withCheckDigit(digits), companyPrefixes }));
    await make('maker', 'MANUFACTURER', '061414100001', ['0614141']);
    await make('wholesaler', 'DISTRIBUTOR', '061414100002');
    await make('pharmacy', 'DISPENSER', '061414100003');
    await make('regulator', 'REGULATOR', '061414100006');
  });

  const at = (offsetMs: number) => new Date(Date.now() + offsetMs);
  const pgln = (who: string) => `https://id.gs1.org/417/${orgs[who].gln}`;
  const run = (who: string, query: string, variables: Record<string, unknown>) => gql(app, query, variables, orgs[who].apiKey);
  const capture = (who: string, events: Record<string, unknown>[]) => run(who, CAPTURE, { document: epcisDocument(events) });
  const ok = async (who: string, events: Record<string, unknown>[]) => {
    const res = await capture(who, events);
    expect(res.errors).toBeUndefined();
  };
  const verify = async (serial: string, who = 'pharmacy') => (await run(who, VERIFY, { c: pack(serial) })).data.verify;
  const sql = async (text: string, params: unknown[] = []) => {
    const c = new Client({ connectionString: dbUrl() });
    await c.connect();
    try {
      return (await c.query(text, params)).rows;
    } finally {
      await c.end();
    }
  };
  const http = () => request(app.getHttpServer());
  /** A REST capture (JSON-LD or XML) and its finished job. */
  const restCapture = async (who: string, body: string, type: string) => {
    const auth = { Authorization: `Bearer ${orgs[who].apiKey}` };
    const res = await http().post('/epcis/capture').set(auth).set('Content-Type', type).send(body);
    expect(res.status).toBe(202);
    for (let i = 0; i < 400; i++) {
      const job = await http().get(res.headers.location).set(auth);
      if (!job.body.running) return job.body;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('capture job did not finish');
  };
  const openCase = async (who: string, epcs: string[], counterparty: string) => {
    const res = await run(who, OPEN, { input: { category: 'SUSPECT_PRODUCT', summary: 'Seal looks tampered', epcs, counterparty } });
    expect(res.errors).toBeUndefined();
    return res.data.openCase as { id: string; number: number };
  };
  const act = async (who: string, id: string, input: Record<string, unknown>) => {
    const res = await run(who, ACT, { id, input });
    expect(res.errors).toBeUndefined();
    return res.data.caseAction;
  };
  const commission = (serials: string[]) =>
    commissioningEvent({ eventTime: at(-3_600_000), epcs: serials.map(pack), lot: 'LOT-1', expiry: '2028-06-30' });

  it('a held pack is QUARANTINED on verify, refused to dispensing and to shipping on every path; clearance lifts it, reopening holds it again', async () => {
    await ok('maker', [
      commission(['Q1', 'Q2', 'Q3']),
      shippingEvent({ eventTime: at(-3_000_000), epcs: [pack('Q1')], to: pgln('pharmacy') }),
      packingEvent({ eventTime: at(-3_000_000), parent: SSCC, children: [pack('Q2'), pack('Q3')] }),
    ]);
    await ok('pharmacy', [receivingEvent({ eventTime: at(-2_400_000), epcs: [pack('Q1')] })]);
    expect(await verify('Q1')).toMatchObject({ status: 'ACTIVE', saleable: true, quarantineCase: null });

    const held = await openCase('pharmacy', [pack('Q1')], orgs.maker.id);
    expect(await verify('Q1')).toMatchObject({ status: 'QUARANTINED', saleable: false, quarantineCase: held.number });
    expect((await verify('Q1')).alerts).toContain('QUARANTINED');
    // The VRS answer of the same pack: identified, not to be resold.
    const vrs = await http()
      .get(`/verify/gtin/${GTIN}/lot/LOT-1/ser/Q1`)
      .query({ exp: '280630', reqGLN: orgs.pharmacy.gln, corrUUID: '2d3c4a4e-8e6b-4b6f-9d0e-0c5f3a1e2b7d', context: 'dscsaSaleableReturn' })
      .set({ Authorization: `Bearer ${orgs.pharmacy.apiKey}` });
    expect(vrs.body.data).toEqual({ verified: true, additionalInfo: 'Suspect' });

    const dispensed = await run('pharmacy', DISPENSE, { c: pack('Q1') });
    expect(dispensed.errors?.[0].extensions).toMatchObject({
      code: 'QUARANTINED',
      details: { epc: pack('Q1'), caseNumber: held.number },
    });
    expect(dispensed.errors?.[0].message).toContain(`case ${held.number}`);

    // Shipping refused through GraphQL capture, the typed mutation, REST JSON-LD and REST XML alike.
    const ship = shippingEvent({ eventTime: at(-60_000), epcs: [pack('Q1')], to: pgln('wholesaler') });
    const graphql = await capture('pharmacy', [ship]);
    expect(graphql.errors?.[0].extensions).toMatchObject({
      code: 'CAPTURE_CONFLICT',
      details: { issues: [expect.objectContaining({ rule: 'QUARANTINED', field: '/epcList/0' })] },
    });
    expect(graphql.errors?.[0].extensions?.details.issues[0].message).toContain(`case ${held.number}`);
    const typed = await run('pharmacy', `mutation($i: ShipInput!) { ship(input: $i) { capturedCount } }`, {
      i: { epcs: [pack('Q1')], to: orgs.wholesaler.gln },
    });
    expect(typed.errors?.[0].extensions?.details.issues[0].rule).toBe('QUARANTINED');
    const document = epcisDocument([ship]);
    const rest = await restCapture('pharmacy', JSON.stringify(document), 'application/ld+json');
    expect(rest).toMatchObject({ success: false, errors: [expect.objectContaining({ rule: 'QUARANTINED', status: 409 })] });
    const xml = await restCapture('pharmacy', writeEpcisXml(document as unknown as EpcisJsonDocument, '2.0'), 'application/xml');
    expect(xml).toMatchObject({ success: false, errors: [expect.objectContaining({ rule: 'QUARANTINED' })] });

    // A held pack inside a case holds the case: shipping the case is refused, naming the pack inside.
    const inside = await openCase('maker', [pack('Q2')], orgs.pharmacy.id);
    const pallet = await capture('maker', [shippingEvent({ eventTime: at(-60_000), epcs: [SSCC], to: pgln('wholesaler') })]);
    expect(pallet.errors?.[0].extensions?.details.issues[0]).toMatchObject({ rule: 'QUARANTINED', field: '/epcList/0' });
    expect(pallet.errors?.[0].extensions?.details.issues[0].message).toContain(`case ${inside.number}, holding ${pack('Q2')}`);
    // Its neighbour in the case is not held itself.
    expect(await verify('Q3', 'maker')).toMatchObject({ status: 'ACTIVE', quarantineCase: null });

    // Cleared: saleable again. Reopened by the regulator: held again. Technical cause: dispensed.
    expect(await act('pharmacy', held.id, { action: 'RESOLVE', resolution: 'CLEARED' })).toMatchObject({ quarantining: false });
    expect(await verify('Q1')).toMatchObject({ status: 'ACTIVE', saleable: true, quarantineCase: null });
    expect(await act('regulator', held.id, { action: 'REOPEN' })).toMatchObject({ state: 'INVESTIGATING', quarantining: true });
    expect(await verify('Q1')).toMatchObject({ status: 'QUARANTINED', quarantineCase: held.number });
    expect((await run('pharmacy', DISPENSE, { c: pack('Q1') })).errors?.[0].extensions?.code).toBe('QUARANTINED');
    await act('pharmacy', held.id, { action: 'RESOLVE', resolution: 'TECHNICAL_CAUSE' });
    expect((await run('pharmacy', DISPENSE, { c: pack('Q1') })).data.dispense.status).toBe('DISPENSED');

    // An illegitimate resolution keeps the hold; the table of holds agrees with the domain's `quarantines` on every case.
    await act('maker', inside.id, { action: 'RESOLVE', resolution: 'ILLEGITIMATE' });
    expect(
      (await capture('maker', [shippingEvent({ eventTime: at(-30_000), epcs: [SSCC], to: pgln('wholesaler') })])).errors,
    ).toBeDefined();
    const holds = await sql(
      `SELECT c.number::int AS number, c.state, c.resolution, count(h.epc)::int AS held
       FROM exception_case c LEFT JOIN quarantine_hold h ON h.case_id = c.id GROUP BY c.id ORDER BY c.number`,
    );
    expect(holds).toEqual([
      { number: held.number, state: 'RESOLVED', resolution: 'TECHNICAL_CAUSE', held: 0 },
      { number: inside.number, state: 'RESOLVED', resolution: 'ILLEGITIMATE', held: 1 },
    ]);
  });

  const CASES = `query($f: CaseFilter) { cases(filter: $f, first: 50) { edges { node { number category source summary
    reporter { name } counterparty { name } packs { epc note } } } } }`;
  const receiptCasesOf = async (who: string) =>
    ((await run(who, CASES, {})).data.cases.edges as { node: Record<string, unknown> & { source: string } }[])
      .map((e) => e.node)
      .filter((c) => c.source === 'RECEIPT');

  it('a receipt is reconciled with the shipment it answers: every difference opens a case listing its items', async () => {
    const pallet = `https://id.gs1.org/00/${withCheckDigit('10614141000000002')}`;
    await ok('maker', [
      commission(['R1', 'R2', 'R3', 'R4', 'R5']),
      packingEvent({ eventTime: at(-3_300_000), parent: pallet, children: [pack('R1'), pack('R2')] }),
      shippingEvent({ eventTime: at(-3_000_000), epcs: [pallet, pack('R3')], to: pgln('wholesaler') }),
      shippingEvent({ eventTime: at(-3_000_000), epcs: [pack('R5')], to: pgln('wholesaler') }),
    ]);
    // The pallet arrived with a pack nobody shipped, without R3.
    await ok('wholesaler', [receivingEvent({ eventTime: at(-2_400_000), epcs: [pallet, pack('X9')] })]);
    const opened = await receiptCasesOf('wholesaler');
    expect(opened).toEqual([
      expect.objectContaining({
        category: 'PRODUCT_WITHOUT_DATA',
        reporter: { name: 'wholesaler' },
        counterparty: { name: 'maker' },
        packs: [{ epc: pack('X9'), note: 'unexpected' }],
      }),
      expect.objectContaining({
        category: 'DATA_WITHOUT_PRODUCT',
        reporter: { name: 'wholesaler' },
        counterparty: { name: 'maker' },
        packs: [{ epc: pack('R3'), note: 'missing' }],
      }),
    ]);
    // The supplier sees the cases opened against it; the missing pack is held on its way.
    expect(await receiptCasesOf('maker')).toHaveLength(2);
    expect(await verify('R3', 'maker')).toMatchObject({ status: 'QUARANTINED' });

    // A clean receipt opens none; a receipt with no shipment to the receiver at all is product without data.
    await ok('wholesaler', [receivingEvent({ eventTime: at(-1_200_000), epcs: [pack('R5')] })]);
    expect(await receiptCasesOf('wholesaler')).toHaveLength(2);
    await ok('wholesaler', [receivingEvent({ eventTime: at(-600_000), epcs: [pack('X8')] })]);
    const [orphan] = await receiptCasesOf('wholesaler');
    expect(orphan).toMatchObject({
      category: 'PRODUCT_WITHOUT_DATA',
      counterparty: null,
      packs: [{ epc: pack('X8'), note: 'unexpected' }],
    });

    // A refused receipt (R4 was never shipped to the wholesaler) is stored nowhere and opens no case.
    expect((await capture('wholesaler', [receivingEvent({ eventTime: at(-60_000), epcs: [pack('R4')] })])).errors).toBeDefined();
    expect(await receiptCasesOf('wholesaler')).toHaveLength(3);
    expect(await sql(`SELECT count(*)::int AS n FROM receipt_reconciliation WHERE reconciled_at IS NULL`)).toEqual([{ n: 0 }]);

    // The scorecard: two shipments from the maker received, one clean; time to data ~2,400 and ~1,200 s (median ~1,800).
    const SCORE = `query($s: String!) { supplierScorecard(supplier: $s) { supplier { name } shipmentsReceived shipmentsClean cleanShare
      medianTimeToDataSeconds casesOpened outcomes { resolution count } } }`;
    const score = (await run('wholesaler', SCORE, { s: orgs.maker.gln })).data.supplierScorecard;
    expect(score).toMatchObject({
      supplier: { name: 'maker' },
      shipmentsReceived: 2,
      shipmentsClean: 1,
      cleanShare: 0.5,
      casesOpened: 2,
      outcomes: [{ resolution: 'UNRESOLVED', count: 2 }],
    });
    expect(Math.abs(score.medianTimeToDataSeconds - 1_800)).toBeLessThan(120);
    // A regulator counts every receiver's receipts (the pharmacy's clean one too) and every case against the supplier;
    // another receiver only its own.
    const regulator = (await run('regulator', SCORE, { s: orgs.maker.id })).data.supplierScorecard;
    expect(regulator).toMatchObject({ shipmentsReceived: 3, shipmentsClean: 2 });
    expect((await run('pharmacy', SCORE, { s: orgs.maker.id })).data.supplierScorecard).toMatchObject({
      shipmentsReceived: 1,
      shipmentsClean: 1,
      casesOpened: 1,
    });
    expect((await run('maker', SCORE, { s: orgs.wholesaler.id })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  /** A despatch advice both the shipping event and the receipt name: how a receipt finds its shipment. */
  const desadv = (id: string) => ({
    bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:epcglobal:cbv:bt:${orgs.maker.gln}:${id}` }],
  });
  const QUANTITIES = `query($f: CaseFilter) { cases(filter: $f, first: 50) { edges { node { id number category source summary
    counterparty { name } packs { epc note } quantities { epcClass uom shipped received } } } } }`;
  const newReceiptCases = async (who: string, before: Set<string>) =>
    ((await run(who, QUANTITIES, {})).data.cases.edges as { node: Record<string, any> }[])
      .map((e) => e.node)
      .filter((c) => c.source === 'RECEIPT' && !before.has(c.id));
  const receiptCaseIds = async (who: string) => new Set((await newReceiptCases(who, new Set())).map((c) => c.id as string));

  it("compares a receipt's class quantities with its shipment's: 10 units of a lot shipped, 8 received, opens a case listing the difference", async () => {
    const before = await receiptCaseIds('wholesaler');
    // The shipper names the lot as an LGTIN URN, the receiver as a Digital Link: one class.
    const lot = { urn: 'urn:epc:class:lgtin:0614141.007346.LOT-Q', link: `https://id.gs1.org/01/${GTIN}/10/LOT-Q` };
    await ok('maker', [
      {
        ...shippingEvent({ eventTime: at(-3_000_000), epcs: [], to: pgln('wholesaler') }),
        quantityList: [
          { epcClass: lot.urn, quantity: 10 },
          { epcClass: lot.urn, quantity: 2.5, uom: 'KGM' },
        ],
        ...desadv('DESADV-Q1'),
      },
    ]);
    await ok('wholesaler', [
      {
        ...receivingEvent({ eventTime: at(-2_400_000), epcs: [] }),
        quantityList: [
          { epcClass: lot.link, quantity: 8 },
          { epcClass: lot.link, quantity: 2.5, uom: 'KGM' },
        ],
        ...desadv('DESADV-Q1'),
      },
    ]);
    const [opened, ...more] = await newReceiptCases('wholesaler', before);
    expect(more).toEqual([]);
    expect(opened).toMatchObject({
      category: 'DATA_WITHOUT_PRODUCT',
      counterparty: { name: 'maker' },
      packs: [],
      // The kilograms agree; the units do not.
      quantities: [{ epcClass: lot.link, uom: null, shipped: 10, received: 8 }],
    });
    expect(opened.summary).toContain(`${lot.link}: 10 shipped, 8 received`);
    // The exported document lists it too; received over what was shipped is product without data.
    const doc = await http()
      .get(`/cases/${opened.id}`)
      .set({ Authorization: `Bearer ${orgs.maker.apiKey}` });
    expect(doc.body.quantities).toEqual([{ epcClass: lot.link, uom: null, shipped: 10, received: 8 }]);
    await ok('maker', [
      {
        ...shippingEvent({ eventTime: at(-1_800_000), epcs: [], to: pgln('wholesaler') }),
        quantityList: [{ epcClass: lot.urn, quantity: 5 }],
        ...desadv('DESADV-Q2'),
      },
    ]);
    const seen = await receiptCaseIds('wholesaler');
    await ok('wholesaler', [
      {
        ...receivingEvent({ eventTime: at(-1_700_000), epcs: [] }),
        quantityList: [{ epcClass: lot.link, quantity: 6 }],
        ...desadv('DESADV-Q2'),
      },
    ]);
    expect(await newReceiptCases('wholesaler', seen)).toEqual([
      expect.objectContaining({
        category: 'PRODUCT_WITHOUT_DATA',
        quantities: [{ epcClass: lot.link, uom: null, shipped: 5, received: 6 }],
      }),
    ]);
  });

  it('compares with the aggregation as it stood when shipped and when received, not as repacked since', async () => {
    const before = await receiptCaseIds('wholesaler');
    const sscc = (n: string) => `https://id.gs1.org/00/${withCheckDigit(`1061414100000${n}`)}`;
    const [caseA, caseB, pallet, caseD] = [sscc('0011'), sscc('0012'), sscc('0013'), sscc('0014')];
    await ok('maker', [
      commission(['G1', 'G2', 'G3', 'G4', 'G5', 'G8', 'G9']),
      packingEvent({ eventTime: at(-3_500_000), parent: caseA, children: [pack('G1'), pack('G2'), pack('G5')] }),
      packingEvent({ eventTime: at(-3_500_000), parent: caseB, children: [pack('G3'), pack('G4')] }),
      // G5 comes out of case A before the pallet is shipped: nobody is to expect it.
      unpackingEvent({ eventTime: at(-3_400_000), parent: caseA, children: [pack('G5')] }),
      packingEvent({ eventTime: at(-3_300_000), parent: pallet, children: [caseA, caseB] }),
      { ...shippingEvent({ eventTime: at(-3_000_000), epcs: [pallet], to: pgln('wholesaler') }), ...desadv('DESADV-P1') },
      packingEvent({ eventTime: at(-3_300_000), parent: caseD, children: [pack('G8'), pack('G9')] }),
      { ...shippingEvent({ eventTime: at(-3_000_000), epcs: [caseD], to: pgln('wholesaler') }), ...desadv('DESADV-D1') },
    ]);
    // The dock scans the two cases' labels, then takes in the pallet and breaks it down, and opens case A: by the time
    // the receipts are reconciled, the pallet holds nothing and case A neither.
    await ok('wholesaler', [
      { ...receivingEvent({ eventTime: at(-2_400_000), epcs: [caseA, caseB] }), ...desadv('DESADV-P1') },
      { ...receivingEvent({ eventTime: at(-2_300_000), epcs: [pallet] }), ...desadv('DESADV-P1') },
      unpackingEvent({ eventTime: at(-2_200_000), parent: pallet }),
      unpackingEvent({ eventTime: at(-2_100_000), parent: caseA }),
      // Case D arrives short: G9 is scanned, G8 is not there.
      { ...receivingEvent({ eventTime: at(-2_000_000), epcs: [pack('G9')] }), ...desadv('DESADV-D1') },
    ]);
    // The pallet's receipts are clean; case D's lists G8 alone.
    expect(await newReceiptCases('wholesaler', before)).toEqual([
      expect.objectContaining({ category: 'DATA_WITHOUT_PRODUCT', packs: [{ epc: pack('G8'), note: 'missing' }], quantities: [] }),
    ]);
    const reconciled = await sql(
      `SELECT e.body->'bizTransactionList'->0->>'bizTransaction' AS desadv, r.clean FROM receipt_reconciliation r JOIN event e ON e.id = r.event_id
       WHERE e.body->'bizTransactionList'->0->>'bizTransaction' = ANY($1::text[]) ORDER BY r.event_id`,
      [['DESADV-P1', 'DESADV-D1'].map((id) => desadv(id).bizTransactionList[0].bizTransaction)],
    );
    expect(reconciled.map((r) => [r.desadv.split(':').at(-1), r.clean])).toEqual([
      ['DESADV-P1', true],
      ['DESADV-P1', true],
      ['DESADV-D1', false],
    ]);
  });

  it('raises the grace-period alert of an unresolved case once, from the worker tick, with the clock moved past it', async () => {
    let now = new Date();
    const tick = new CaseTickService(
      app.get(ExceptionCaseRepository),
      app.get(ReceiptReconciliationRepository),
      app.get<AppConfig>(APP_CONFIG),
      () => now,
    );
    expect(await tick.tick()).toEqual({ graceAlerts: 0, receiptsReconciled: 0 });
    now = new Date(Date.now() + 6 * 86_400_000);
    const [{ n: unresolved }] = await sql(`SELECT count(*)::int AS n FROM exception_case WHERE state <> 'RESOLVED'`);
    expect(unresolved).toBeGreaterThan(0);
    expect((await tick.tick()).graceAlerts).toBe(unresolved);
    expect((await tick.tick()).graceAlerts).toBe(0);
    const alerts = await sql(
      `SELECT a.recipient_id AS "recipientId", (a.details->>'caseNumber')::int AS number FROM alert a WHERE a.code = 'CASE_GRACE_EXPIRED'`,
    );
    const [{ n: parties }] = await sql(
      `SELECT (count(*) + count(counterparty_id))::int AS n FROM exception_case WHERE state <> 'RESOLVED'`,
    );
    expect(alerts).toHaveLength(parties);
    // The wholesaler reads the alert of its receipt's case through the alerts feature.
    const listed = await run('wholesaler', `{ alerts(filter: { code: ["CASE_GRACE_EXPIRED"] }) { edges { node { code } } } }`, {});
    expect(listed.errors).toBeUndefined();
    expect(listed.data.alerts.edges.length).toBeGreaterThan(0);
  });
});

import { DynamicModule, INestApplication, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@pharmatrace/config';
import { commissioningEvent, epcisDocument, packingEvent, receivingEvent, shippingEvent, unpackingEvent } from '@pharmatrace/epcis';
import { PersistenceModule } from '@pharmatrace/persistence';
import { createHmac } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { SubscriptionsModule } from '../../apps/worker/src/subscriptions/subscriptions.module';
import { readPdf } from '../support/pdf';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';
import { waitFor } from '../support/wait';

// A US drug's GTIN: indicator 0, '03', the NDC-10 6141410734, check digit; its labeler's GS1 prefix is 0361414.
const GTIN = withCheckDigit('0036141410734');
const NDC = '6141410734';
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const sscc = (ref: string) => `urn:epc:id:sscc:0361414.${ref}`;
const [CASE1, CASE2, PALLET] = ['1000000001', '1000000002', '1000000003'];
const GLN = {
  maker: withCheckDigit('036141400001'),
  wholesaler: withCheckDigit('036141400002'),
  pharmacy: withCheckDigit('036141400003'),
  bystander: withCheckDigit('036141400004'),
  clinic: withCheckDigit('036141400005'),
  regulator: withCheckDigit('036141400999'),
};
const party = (gln: string) => `https://id.gs1.org/417/${gln}`;
const t = (minute: number) => new Date(Date.UTC(2026, 10, 2, 8, minute));
const HOUR = 3_600_000;

const masterData = (type: string, id: string, attributes: Record<string, string>) => ({
  epcisMasterData: {
    vocabularyList: [
      {
        type: `urn:epcglobal:epcis:vtype:${type}`,
        vocabularyElementList: [{ id, attributes: Object.entries(attributes).map(([a, attribute]) => ({ id: `cbvmda:${a}`, attribute })) }],
      },
    ],
  },
});

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

/** The partners' webhook endpoints: every POST kept with its raw body; `answer` decides each status. */
class Receiver {
  readonly received: { path: string; headers: IncomingHttpHeaders; body: string; status: number }[] = [];
  answer: (path: string, count: number) => number = () => 200;
  private server?: Server;
  url = '';

  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const status = this.answer(path, this.notifications(path).length);
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Case notifications (not query deliveries) received at `path`. */
  notifications(path: string) {
    return this.received.filter((r) => r.path === path && r.headers['pharmatrace-notification'] === 'case.illegitimate');
  }

  stop() {
    // The worker's client keeps connections alive: close them, or the server waits for them.
    this.server?.closeAllConnections();
    return new Promise((resolve) => this.server?.close(resolve));
  }
}

const CASE_FIELDS = `id number state resolution resolvedAt regulatorDueAt regulatorNotifiedAt regulatorOverdue
  notifications { organization { name } channel status attempts deliveredAt }
  history { action message }`;

/**
 * Issue 17: a case resolved as illegitimate produces its Form FDA 3911 (data and PDF) and EU notification, starts the
 * 24-hour regulator clock, and tells every trading partner that handled its packs (and no other) through their webhooks.
 */
describe('exception cases: regulator forms, the 24-hour clock and partner notification', () => {
  let app: INestApplication;
  let worker: INestApplicationContext | undefined;
  let config: AppConfig;
  let offsetMs = 0;
  const receiver = new Receiver();
  const orgs: Record<string, { apiKey: string; id: string }> = {};
  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await receiver.stop();
  });
  const dbUrl = useDatabase();

  const run = (who: string, query: string, variables: Record<string, unknown> = {}) => gql(app, query, variables, orgs[who].apiKey);
  const capture = async (who: string, events: Record<string, unknown>[], header?: Record<string, unknown>) => {
    const document = { ...epcisDocument(events), ...(header ? { epcisHeader: header } : {}) };
    const res = await run(who, CAPTURE, { document });
    expect(res.errors).toBeUndefined();
  };
  const rest = (who: string, path: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${orgs[who].apiKey}`);
  const subscribe = async (who: string, path: string, signatureToken?: string) => {
    const post = (url: string, body: unknown) =>
      request(app.getHttpServer())
        .post(url)
        .set('Authorization', `Bearer ${orgs[who].apiKey}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body));
    // A query matching nothing here: the endpoint receives case notifications only.
    expect((await post('/epcis/queries', { name: 'recalls', query: { EQ_bizStep: ['destroying'] } })).status).toBe(201);
    expect(
      (await post('/epcis/queries/recalls/subscriptions', { dest: `${receiver.url}${path}`, stream: true, signatureToken })).status,
    ).toBe(201);
  };

  beforeAll(async () => {
    await receiver.start();
    config = testConfig({
      DATABASE_URL: dbUrl(),
      SUBSCRIPTION_TICK_MS: '100',
      SUBSCRIPTION_RETRY_BASE_MS: '100',
      SUBSCRIPTION_RETRY_MAX_MS: '400',
      SUBSCRIPTION_DELIVERY_TIMEOUT_MS: '2000',
      QUEUE_PREFIX: `case-notifications-${process.pid}-${Date.now()}`,
    });
    app = await startApi(config, { clock: () => new Date(Date.now() + offsetMs) });
    const roles = {
      maker: 'MANUFACTURER',
      wholesaler: 'DISTRIBUTOR',
      pharmacy: 'DISPENSER',
      bystander: 'DISTRIBUTOR',
      clinic: 'DISPENSER',
      regulator: 'REGULATOR',
    };
    const names = {
      maker: 'ACME Pharma',
      wholesaler: 'Wholesale Ltd',
      pharmacy: 'Corner Pharmacy',
      bystander: 'Elsewhere Ltd',
      clinic: 'Hillside Clinic',
      regulator: 'FDA',
    };
    for (const who of Object.keys(roles) as (keyof typeof roles)[]) {
      orgs[who] = await createOrganization(app, {
        name: names[who],
        role: roles[who],
        gln: GLN[who],
        companyPrefixes: who === 'maker' ? ['0361414'] : [],
      });
    }
    // A1 and A2 go maker → wholesaler in a case on a pallet (with A4); A1 goes on to the pharmacy in another case. A3
    // goes to a bystander, who never handles A1 or A2. The wholesaler takes A1 and A2 out of the first case and ships
    // it, with A4 alone, to a clinic: the clinic handled the case, never the packs.
    await capture(
      'maker',
      [
        commissioningEvent({ eventTime: t(0), epcs: [pack('A1'), pack('A2'), pack('A3'), pack('A4')], lot: 'L1', expiry: '2028-06-30' }),
        packingEvent({ eventTime: t(1), parent: sscc(CASE1), children: [pack('A1'), pack('A2'), pack('A4')] }),
        packingEvent({ eventTime: t(2), parent: sscc(PALLET), children: [sscc(CASE1)] }),
        shippingEvent({ eventTime: t(3), epcs: [sscc(PALLET)], to: party(GLN.wholesaler) }),
        shippingEvent({ eventTime: t(4), epcs: [pack('A3')], to: party(GLN.bystander) }),
      ],
      masterData('EPCClass', `https://id.gs1.org/01/${GTIN}`, {
        regulatedProductName: 'Examplamab Tablets',
        strengthDescription: '50 mg',
        dosageFormType: 'TABLET',
      }),
    );
    await capture('bystander', [receivingEvent({ eventTime: t(5), epcs: [pack('A3')] })]);
    await capture('wholesaler', [
      receivingEvent({ eventTime: t(6), epcs: [sscc(PALLET)] }),
      unpackingEvent({ eventTime: t(7), parent: sscc(PALLET), children: [sscc(CASE1)] }),
      unpackingEvent({ eventTime: t(8), parent: sscc(CASE1), children: [pack('A1'), pack('A2')] }),
      packingEvent({ eventTime: t(9), parent: sscc(CASE2), children: [pack('A1')] }),
      shippingEvent({ eventTime: t(10), epcs: [sscc(CASE2)], to: party(GLN.pharmacy) }),
      shippingEvent({ eventTime: t(10), epcs: [sscc(CASE1)], to: party(GLN.clinic) }),
    ]);
    await capture('clinic', [receivingEvent({ eventTime: t(11), epcs: [sscc(CASE1)] })]);
    await capture(
      'pharmacy',
      [receivingEvent({ eventTime: t(11), epcs: [sscc(CASE2)] }), unpackingEvent({ eventTime: t(12), parent: sscc(CASE2) })],
      masterData('BusinessLocation', `https://id.gs1.org/414/${GLN.pharmacy}`, {
        streetAddressOne: '1 Main Street',
        city: 'Springfield',
        postalCode: '12345',
        countryCode: 'US',
      }),
    );
    // The maker signs its webhook; the wholesaler's fails once; the bystander has one too; the pharmacy has none.
    await subscribe('maker', '/maker', 'maker secret');
    await subscribe('wholesaler', '/wholesaler');
    await subscribe('bystander', '/bystander');
    await subscribe('clinic', '/clinic');
    receiver.answer = (path, count) => (path === '/wholesaler' && count === 0 ? 500 : 200);
  });

  let caseId = '';
  let resolved: any;

  it('resolving as illegitimate starts the 24-hour clock and fills Form FDA 3911 from the case', async () => {
    const opened = await run('pharmacy', `mutation($input: OpenCaseInput!) { openCase(input: $input) { id } }`, {
      input: {
        category: 'PACKAGING_OR_LABELLING',
        summary: 'Blister foil print does not match',
        epcs: [pack('A1'), pack('A2')],
        counterparty: orgs.wholesaler.id,
      },
    });
    expect(opened.errors).toBeUndefined();
    caseId = opened.data.openCase.id;
    // The pharmacist names herself the pharmacy's owner of the case: the form's contact.
    const owner = { name: 'Dana Reyes', title: 'Pharmacist in charge', email: 'dana@corner.example' };
    const named = await run('pharmacy', `mutation($id: ID!, $input: CaseActionInput!) { caseAction(id: $id, input: $input) { id } }`, {
      id: caseId,
      input: { action: 'ASSIGN_OWNER', owner },
    });
    expect(named.errors).toBeUndefined();
    // Not illegitimate yet: no form, and REST says why.
    expect((await run('pharmacy', `query($id: ID!) { case(id: $id) { fda3911 } }`, { id: caseId })).data.case.fda3911).toBeNull();
    expect((await rest('pharmacy', `/cases/${caseId}/fda-3911`)).body).toMatchObject({
      title: 'CASE_ACTION_REFUSED',
      status: 409,
      rule: 'NOT_ILLEGITIMATE',
    });

    const res = await run(
      'pharmacy',
      `mutation($id: ID!, $input: CaseActionInput!) { caseAction(id: $id, input: $input) { ${CASE_FIELDS} } }`,
      {
        id: caseId,
        input: { action: 'RESOLVE', resolution: 'ILLEGITIMATE', message: 'Counterfeit confirmed with the manufacturer' },
      },
    );
    expect(res.errors).toBeUndefined();
    resolved = res.data.caseAction;
    expect(new Date(resolved.regulatorDueAt).getTime()).toBe(new Date(resolved.resolvedAt).getTime() + 24 * HOUR);
    expect(resolved).toMatchObject({ regulatorNotifiedAt: null, regulatorOverdue: false });

    const form = (await run('wholesaler', `query($id: ID!) { case(id: $id) { fda3911 } }`, { id: caseId })).data.case.fda3911;
    expect(form).toMatchObject({
      form: 'FDA 3911',
      notificationOf: 'ILLEGITIMATE_PRODUCT',
      notificationType: 'INITIAL',
      dateOfDetermination: resolved.resolvedAt.slice(0, 10),
      classification: { value: 'COUNTERFEIT', suggestedFrom: 'PACKAGING_OR_LABELLING' },
      company: {
        name: 'Corner Pharmacy',
        category: 'DISPENSER',
        address: { street: '1 Main Street', city: 'Springfield', postalCode: '12345', countryCode: 'US' },
        uniqueFacilityIdentifier: { scheme: 'GLN', value: GLN.pharmacy },
        contact: { name: 'Dana Reyes', title: 'Pharmacist in charge', phone: null, email: 'dana@corner.example' },
      },
      product: {
        productType: 'FINISHED_PRESCRIPTION_DRUG',
        items: [
          {
            nameOnLabel: 'Examplamab Tablets',
            gtin: GTIN,
            ndc: NDC,
            strength: '50 mg',
            dosageForm: 'TABLET',
            manufacturer: 'ACME Pharma',
            lotNumbers: ['L1'],
            expirationDates: ['2028-06-30'],
            serialNumbers: ['A1', 'A2'],
            quantity: 2,
          },
        ],
        unidentifiedPacks: [],
        quantityTotal: 2,
      },
      case: { id: caseId, number: expect.any(Number) },
    });
    expect(form.description).toContain('Counterfeit confirmed with the manufacturer');
    // What neither the owner nor the pharmacy's location data gave is to complete, not invented.
    expect(form.toConfirm.filter((f: string) => f.startsWith('company.'))).toEqual(['company.contact.phone', 'company.address.state']);
    // The manufacturer, not a party, sees the clock but not the form.
    const asMaker = (
      await run('maker', `query($id: ID!) { case(id: $id) { viewerRole regulatorDueAt fda3911 notifications { status } } }`, {
        id: caseId,
      })
    ).data.case;
    expect(asMaker).toEqual({ viewerRole: 'PRODUCT_OWNER', regulatorDueAt: resolved.regulatorDueAt, fda3911: null, notifications: [] });
    expect((await rest('maker', `/cases/${caseId}/fda-3911`)).body).toMatchObject({ status: 409, rule: 'PARTIES_ONLY' });
    // The same over REST, for whoever sees the case; anyone else is told there is no such case.
    const json = await rest('regulator', `/cases/${caseId}/fda-3911`).expect(200);
    expect(json.body.product).toEqual(form.product);
    expect((await rest('bystander', `/cases/${caseId}/fda-3911`)).status).toBe(404);
    expect((await rest('pharmacy', `/cases/${caseId}/fda-3911?type=SOMETIMES`)).body).toMatchObject({
      status: 400,
      field: 'type',
      rule: 'enum',
    });

    const eu = (await rest('pharmacy', `/cases/${caseId}/eu-nca-notification`).expect(200)).body;
    expect(eu).toMatchObject({
      determination: 'FALSIFIED_OR_ILLEGITIMATE',
      products: [
        {
          productCode: { scheme: 'GTIN', value: GTIN },
          name: 'Examplamab Tablets',
          batches: [{ batch: 'L1', expiry: '2028-06-30', serialNumbers: ['A1', 'A2'] }],
          marketingAuthorisationHolder: { name: 'ACME Pharma', gln: GLN.maker },
        },
      ],
      reportingOrganization: { name: 'Corner Pharmacy', gln: GLN.pharmacy },
    });
  });

  it('serves the form as a valid PDF carrying the same values', async () => {
    const res = await rest('wholesaler', `/cases/${caseId}/fda-3911.pdf`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/pdf/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="case-\d+-fda-3911\.pdf"$/);
    const pdf = readPdf(res.body as Buffer);
    expect(pdf.version).toBe('1.4');
    const text = pdf.pages.join('\n');
    for (const value of [
      'Examplamab Tablets',
      NDC,
      GTIN,
      'L1',
      'A1, A2',
      '2028-06-30',
      '2 saleable unit(s)',
      'Corner Pharmacy',
      GLN.pharmacy,
      '50 mg',
      'Dana Reyes',
      'Pharmacist in charge',
      'dana@corner.example',
    ])
      expect(text).toContain(value);
    expect(text).toContain(resolved.resolvedAt.slice(0, 10));
  });

  it('tells every partner that handled the packs, and no other, through its webhook; one without a webhook is listed', async () => {
    const rows = async () =>
      (await run('regulator', `query($id: ID!) { case(id: $id) { ${CASE_FIELDS} } }`, { id: caseId })).data.case.notifications as any[];
    // Written with the resolution, before any worker runs.
    const pending = (await rows()).map((n) => [n.organization.name, n.channel, n.status, n.attempts]);
    expect(pending.sort()).toEqual([
      ['ACME Pharma', 'WEBHOOK', 'PENDING', 0],
      ['Corner Pharmacy', 'NO_CHANNEL', 'NO_CHANNEL', 0],
      ['Wholesale Ltd', 'WEBHOOK', 'PENDING', 0],
    ]);

    worker = await NestFactory.createApplicationContext(DeliveryWorkerModule.forRoot(config), { logger: ['error'] });
    await worker.init();
    await waitFor(async () => (await rows()).filter((n) => n.status === 'DELIVERED').length === 2);

    const byName = Object.fromEntries((await rows()).map((n) => [n.organization.name, n]));
    expect(Object.keys(byName).sort()).toEqual(['ACME Pharma', 'Corner Pharmacy', 'Wholesale Ltd']);
    expect(byName['ACME Pharma']).toMatchObject({ channel: 'WEBHOOK', status: 'DELIVERED', attempts: 1 });
    // Failed once (HTTP 500), delivered on the retry.
    expect(byName['Wholesale Ltd']).toMatchObject({ channel: 'WEBHOOK', status: 'DELIVERED', attempts: 2 });
    expect(byName['Corner Pharmacy']).toMatchObject({ channel: 'NO_CHANNEL', status: 'NO_CHANNEL', attempts: 0, deliveredAt: null });

    const [maker] = receiver.notifications('/maker');
    expect(maker.headers['gs1-signature']).toBe(`sha256=${createHmac('sha256', 'maker secret').update(maker.body).digest('hex')}`);
    const payload = JSON.parse(maker.body);
    expect(payload).toMatchObject({
      type: 'pharmatrace.case.illegitimate',
      case: { id: caseId, resolution: 'ILLEGITIMATE', determinedAt: resolved.resolvedAt, regulatorDueAt: resolved.regulatorDueAt },
      reporter: { name: 'Corner Pharmacy', gln: GLN.pharmacy },
      packs: [
        { epc: pack('A1'), gtin: GTIN, serial: 'A1', lot: 'L1', expiry: '2028-06-30' },
        { epc: pack('A2'), gtin: GTIN, serial: 'A2', lot: 'L1', expiry: '2028-06-30' },
      ],
    });
    const wholesaler = receiver.notifications('/wholesaler');
    expect(wholesaler.map((r) => r.status)).toEqual([500, 200]);
    // The same notification both times: a receiver drops repeats by its id.
    expect(new Set(wholesaler.map((r) => JSON.parse(r.body).notificationId)).size).toBe(1);
    expect(wholesaler[0].headers['gs1-signature']).toBeUndefined();
    expect(receiver.received.filter((r) => r.path === '/bystander')).toEqual([]);
    // The clinic received the case A1 and A2 had been taken out of: it never handled them.
    expect(receiver.received.filter((r) => r.path === '/clinic')).toEqual([]);

    // The 3911 now names the partners told.
    const form = (await rest('pharmacy', `/cases/${caseId}/fda-3911`).expect(200)).body;
    expect(form.otherTradingPartnersNotified).toEqual(['ACME Pharma', 'Wholesale Ltd']);
  });

  it('shows the clock overdue after 24 hours until the filing is recorded, by the reporter or a regulator only', async () => {
    const get = async () => (await run('wholesaler', `query($id: ID!) { case(id: $id) { ${CASE_FIELDS} } }`, { id: caseId })).data.case;
    offsetMs = 25 * HOUR;
    expect(await get()).toMatchObject({ regulatorOverdue: true, regulatorNotifiedAt: null });
    const overdue = `{ cases(filter: { regulatorOverdue: true }) { edges { node { id } } } }`;
    expect((await run('regulator', overdue)).data.cases.edges).toEqual([{ node: { id: caseId } }]);
    const act = (who: string, input: Record<string, unknown>) =>
      run(who, `mutation($id: ID!, $input: CaseActionInput!) { caseAction(id: $id, input: $input) { ${CASE_FIELDS} } }`, {
        id: caseId,
        input,
      });
    expect((await act('wholesaler', { action: 'RECORD_FILING' })).errors?.[0].extensions).toMatchObject({
      code: 'CASE_ACTION_REFUSED',
      details: { rule: 'REPORTER_OR_REGULATOR' },
    });
    const filed = (await act('pharmacy', { action: 'RECORD_FILING', message: 'FDA incident IN-2026-0042' })).data.caseAction;
    expect(filed).toMatchObject({ state: 'RESOLVED', resolution: 'ILLEGITIMATE', regulatorOverdue: false });
    expect(new Date(filed.regulatorNotifiedAt).getTime()).toBeGreaterThan(new Date(filed.regulatorDueAt).getTime());
    expect(filed.history.at(-1)).toEqual({ action: 'RECORD_FILING', message: 'FDA incident IN-2026-0042' });
    // A later filing keeps the first time; the form is now a follow-up quoting the incident.
    const again = (await act('regulator', { action: 'RECORD_FILING', message: 'Follow-up received' })).data.caseAction;
    expect(again.regulatorNotifiedAt).toBe(filed.regulatorNotifiedAt);
    const form = (await rest('pharmacy', `/cases/${caseId}/fda-3911`).expect(200)).body;
    expect(form).toMatchObject({ notificationType: 'FOLLOW_UP', incidentNumber: 'FDA incident IN-2026-0042' });
    expect((await run('regulator', overdue)).data.cases.edges).toEqual([]);
    offsetMs = 0;
  });
});

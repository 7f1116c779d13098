import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { commissioningEvent, epcisDocument, packingEvent, receivingEvent, shippingEvent, unpackingEvent } from '@pharmatrace/epcis';
import { AddressInfo } from 'node:net';
import { Browser, Page } from 'playwright-core';
import request from 'supertest';
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
import { launchChromium } from './support/chromium';
import { expectReadable, screens, WIDTHS } from './support/screens';

const GTIN = '09506000134352';
const LOT = 'LOT-E1';
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const sscc = (ref: string) => `https://id.gs1.org/00/${withCheckDigit(`09506000${ref}`)}`;
const CASE_1 = sscc('000000001');
const CASE_2 = sscc('000000002');
const PALLET = sscc('000000009');
const pgln = (ref: string) => `urn:epc:id:pgln:9506000.${ref}`;
const sgln = (ref: string, site = '0') => `urn:epc:id:sgln:9506000.${ref}.${site}`;
const t = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute));

const PROVENANCE = `query($epc: String!) { provenance(epc: $epc) { events { anchorStatus proof { blockNumber } } } }`;

/** The product's master data, in the document's header as a manufacturer sends it: the pack view shows it (issue 16). */
const PRODUCT_MASTER_DATA = {
  epcisMasterData: {
    vocabularyList: [
      {
        type: 'urn:epcglobal:epcis:vtype:EPCClass',
        vocabularyElementList: [
          {
            id: `https://id.gs1.org/01/${GTIN}`,
            attributes: [
              { id: 'cbvmda:regulatedProductName', attribute: 'Amoxicillin' },
              { id: 'cbvmda:strengthDescription', attribute: '500 mg' },
              { id: 'cbvmda:dosageFormType', attribute: 'CAPSULE' },
            ],
          },
        ],
      },
    ],
  },
};

describe('regulators’ explorer page in headless Chromium, checking proofs against the chain from the browser', () => {
  let api: INestApplication;
  let worker: INestApplicationContext;
  let browser: Browser;
  let page: Page;
  let origin: string;
  let rpcOrigin: string;
  let regulatorKey: string;
  let glns: Record<'maker' | 'wholesaler' | 'pharmacy', string>;
  const requested: string[] = [];
  const pageErrors: string[] = [];
  // Declared first so it runs first: the browser and apps stop before their database and chain go away.
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await api?.close();
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  beforeAll(async () => {
    const chainEnv = await deployRegistry(anvil());
    rpcOrigin = new URL(chainEnv.CHAIN_RPC_URL).origin;
    const config = testConfig({
      DATABASE_URL: dbUrl(),
      ...chainEnv,
      BATCH_MAX_EVENTS: '50',
      BATCH_MAX_WAIT_MS: '200',
      WORKER_TICK_MS: '200',
      QUEUE_PREFIX: `test-${process.pid}-${Date.now()}`,
    });
    api = await startApi(config);
    await api.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
    worker = await startWorker(config);

    const maker = await createOrganization(api, {
      name: 'ACME Pharma',
      role: 'MANUFACTURER',
      gln: withCheckDigit('950600000001'),
      companyPrefixes: ['9506000'],
    });
    const wholesaler = await createOrganization(api, { name: 'Wholesale Ltd', role: 'DISTRIBUTOR', gln: withCheckDigit('950600000003') });
    const pharmacy = await createOrganization(api, { name: 'Corner Pharmacy', role: 'DISPENSER', gln: withCheckDigit('950600000002') });
    glns = { maker: maker.gln, wholesaler: wholesaler.gln, pharmacy: pharmacy.gln };
    regulatorKey = (await createOrganization(api, { name: 'Medicines Agency', role: 'REGULATOR', gln: withCheckDigit('950600000004') }))
      .apiKey;
    const capture = async (key: string, events: Record<string, unknown>[], header?: Record<string, unknown>) => {
      const res = await gql(api, CAPTURE, { document: { ...epcisDocument(events), ...(header ? { epcisHeader: header } : {}) } }, key);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
    };
    await capture(
      maker.apiKey,
      [
        commissioningEvent({
          eventTime: t(0),
          epcs: ['P1', 'P2', 'P3', 'P4'].map(pack),
          lot: LOT,
          expiry: '2029-12-31',
          bizLocation: sgln('00001'),
        }),
        packingEvent({ eventTime: t(1), parent: CASE_1, children: [pack('P1'), pack('P2')] }),
        packingEvent({ eventTime: t(2), parent: CASE_2, children: [pack('P3'), pack('P4')] }),
        packingEvent({ eventTime: t(3), parent: PALLET, children: [CASE_1, CASE_2] }),
        shippingEvent({ eventTime: t(4), epcs: [PALLET], to: pgln('00003') }),
      ],
      PRODUCT_MASTER_DATA,
    );
    await capture(wholesaler.apiKey, [
      receivingEvent({ eventTime: t(10), epcs: [PALLET], bizLocation: sgln('00003', 'WH-2') }),
      unpackingEvent({ eventTime: t(11), parent: PALLET, children: [CASE_1, CASE_2] }),
      shippingEvent({ eventTime: t(12), epcs: [CASE_1], to: pgln('00002') }),
    ]);
    await capture(pharmacy.apiKey, [receivingEvent({ eventTime: t(20), epcs: [CASE_1], bizLocation: sgln('00002') })]);
    await waitFor(async () => {
      const res = await gql(api, PROVENANCE, { epc: pack('P1') }, regulatorKey);
      return res.data?.provenance.events.every((e: { anchorStatus: string }) => e.anchorStatus === 'FINAL') === true;
    }, 30_000);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: WIDTHS.desktop });
    context.on('request', (r) => requested.push(r.url()));
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  }, 180_000);

  /** Both widths, checked for sideways scrolling and cut words in what a person reads first; back to the desk after. */
  const shoot = async (name: string, words: string) => {
    expectReadable(await screens(page, name, words));
    await page.setViewportSize(WIDTHS.desktop);
  };
  const eventItem = (bizStep: string) => page.locator('#events li.event', { hasText: bizStep }).first();

  it('asks for the regulator’s key once, then finds a pack from its scan', async () => {
    await page.goto(`${origin}/explorer`);
    await page.getByLabel('API key', { exact: true }).fill(regulatorKey);
    await page.keyboard.press('Enter');
    await page.getByLabel(/Pack, case or pallet/).fill(`(01)${GTIN}(17)291231(10)${LOT}(21)P1`);
    await page.keyboard.press('Enter');
    await page.locator('#pack-view:not([hidden])').waitFor();
    expect(await page.locator('#pack-title').innerText()).toBe(`SN P1 · GTIN ${GTIN}`);
    await page.locator('#pack-product:not([hidden])').waitFor();
    expect(await page.locator('#pack-product').innerText()).toBe('Product: Amoxicillin · 500 mg · CAPSULE');
    expect(await page.evaluate(() => localStorage.getItem('pharmatrace.explorer.apiKey'))).toBe(regulatorKey);
    expect(new URL(page.url()).searchParams.get('q')).toBe(pack('P1'));
  });

  it('shows the custody timeline from maker to pharmacy and every event, anchored', async () => {
    const custody = await page.locator('#custody li').allInnerTexts();
    expect(custody.map((c) => c.split('\n').find((line) => !/^\d{4}-/.test(line)))).toEqual([
      `ACME Pharma (GLN ${glns.maker})`,
      `In transit to Wholesale Ltd (GLN ${glns.wholesaler})`,
      `Wholesale Ltd (GLN ${glns.wholesaler})`,
      `In transit to Corner Pharmacy (GLN ${glns.pharmacy})`,
      `Corner Pharmacy (GLN ${glns.pharmacy})`,
    ]);
    expect(await page.locator('#custody li .hint').allInnerTexts()).toEqual([
      'at ACME Pharma',
      'at Wholesale Ltd, site WH-2',
      'at Corner Pharmacy',
    ]);
    expect(await page.locator('#events li.event', { hasText: 'receiving' }).first().innerText()).toContain('at Wholesale Ltd, site WH-2');
    expect(await page.locator('#pack-view').innerText()).not.toContain('urn:epc:id:sgln');
    const events = page.locator('#events li.event');
    expect(await events.count()).toBe(8);
    expect(await events.evaluateAll((els) => els.map((e) => e.getAttribute('data-anchor-status')))).toEqual(Array(8).fill('FINAL'));
  });

  it('draws the aggregation hierarchy and the hops between organizations with cytoscape', async () => {
    const nodes = await page
      .locator('#graph-nodes li')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-kind'), e.getAttribute('data-level'), e.getAttribute('data-id')]));
    expect(nodes).toEqual(
      expect.arrayContaining([
        ['item', '0', `epc:${pack('P1')}`],
        ['container', '1', `epc:${CASE_1}`],
        ['container', '2', `epc:${PALLET}`],
      ]),
    );
    expect(nodes.filter(([kind]) => kind === 'organization')).toHaveLength(3);
    expect(await page.locator('#graph').getAttribute('data-nodes')).toBe('6');
    expect(await page.locator('#graph canvas').count()).toBeGreaterThan(0);
  });

  it('verifies an event on chain from the browser alone: ✓ with the block the registry names', async () => {
    const commissioning = eventItem('commissioning');
    const blockNumber = await commissioning.locator('[data-field="blockNumber"]').textContent();
    const before = requested.length;
    await commissioning.locator('details summary').click();
    await commissioning.getByRole('button', { name: 'Verify on chain' }).click();
    const result = commissioning.locator('.chain-result[data-result]');
    await result.waitFor();
    expect(await result.getAttribute('data-result')).toBe('ok');
    expect(await result.innerText()).toBe(
      `✓ Anchored on chain ${anvil().chainId} in block ${blockNumber} — proof checked in this browser against ${new URL(rpcOrigin).host}`,
    );
    const during = requested.slice(before);
    expect(during.filter((u) => u.startsWith(rpcOrigin)).length).toBeGreaterThanOrEqual(3);
    expect(during.filter((u) => u.startsWith(origin) && !u.startsWith(`${origin}/scan/assets/`))).toEqual([
      `${origin}/explorer/config.json`,
    ]);
    await shoot('explorer-pack', '#custody, #events strong, #events .hint, #events .badge');
  });

  it('refuses a proof edited on the page: ✕, naming why', async () => {
    const receiving = eventItem('receiving');
    await receiving.locator('details summary').click();
    await receiving.locator('[data-field="eventDigest"]').evaluate((el) => {
      const digest = el.textContent!;
      el.textContent = digest.slice(0, -1) + (digest.endsWith('0') ? '1' : '0');
    });
    await receiving.getByRole('button', { name: 'Verify on chain' }).click();
    const result = receiving.locator('.chain-result[data-result]');
    await result.waitFor();
    expect(await result.getAttribute('data-result')).toBe('fail');
    expect(await result.innerText()).toMatch(/^✕ Not proven on chain/);
    expect(await result.locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-problem')))).toEqual([
      'PROOF_DOES_NOT_REACH_ROOT',
      'CONTRACT_REJECTS_PROOF',
    ]);
    // Its problems quote 64-digit hashes, which may break anywhere; the words around them may not.
    await shoot('explorer-tampered', '#events strong, #events .badge, #custody');
  });

  it('opens the lot’s recall view with charts of packs by status and by custodian', async () => {
    await page.locator('#open-lot').click();
    await page.locator('#lot-view:not([hidden])').waitFor();
    await page.locator('#chart-custodian[data-points]').waitFor();
    expect(await page.locator('#lot-title').innerText()).toBe(`Lot ${LOT} · GTIN ${GTIN}`);
    expect(await page.locator('#lot-status').innerText()).toMatch(/^Active — not recalled/);
    const rows = (table: string) =>
      page
        .locator(`${table} tbody tr`)
        .evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent, Number(tr.querySelector('td')!.textContent)]));
    expect(Object.fromEntries(await rows('#table-custodian'))).toEqual({ 'Wholesale Ltd': 2, 'Corner Pharmacy': 2 });
    expect((await rows('#table-status')).reduce((sum, [, n]) => sum + (n as number), 0)).toBe(4);
    expect(await page.locator('#chart-status').getAttribute('data-points')).toBe(String((await rows('#table-status')).length));
    expect(await page.locator('#chart-custodian').evaluate((c: HTMLCanvasElement) => c.width)).toBeGreaterThan(0);
    expect(await page.locator('#lot-packs tr').count()).toBe(4);
    await shoot('explorer-lot', '#lot-title, #lot-status, #lot-packs td:not(.code), #table-status, #table-custodian');
  });

  it('shows a recalled lot as recalled, with the reason, from a deep link', async () => {
    const recalled = await gql(
      api,
      `mutation($g: String!, $l: String!) { recallLot(gtin: $g, lot: $l, reason: "sterility failure") { __typename } }`,
      { g: GTIN, l: LOT },
      regulatorKey,
    );
    expect(recalled.errors).toBeUndefined();
    await page.reload();
    await page.locator('#chart-custodian[data-points]').waitFor();
    expect(await page.locator('#lot-status').innerText()).toBe('RECALLED — sterility failure');
    expect(await page.locator('#lot-status').getAttribute('class')).toBe('lot-status recalled');
    await shoot('explorer-recall', '#lot-title, #lot-status, #lot-packs td:not(.code), #table-status, #table-custodian');
  });

  it('asked nothing of another origin but the chain’s RPC, and logged no error (the Content-Security-Policy blocked nothing)', async () => {
    expect(pageErrors).toEqual([]);
    const network = requested.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(network.filter((u) => new URL(u).origin !== origin && new URL(u).origin !== rpcOrigin)).toEqual([]);
    const res = await request(api.getHttpServer()).get('/explorer');
    expect(res.headers['content-security-policy']).toContain(`connect-src 'self' ${rpcOrigin};`);
    const scan = await request(api.getHttpServer()).get('/scan');
    expect(scan.headers['content-security-policy']).toContain("connect-src 'self';");
    expect((await request(api.getHttpServer()).get('/explorer/config.json')).body).toEqual({
      chains: [{ name: 'default', chainId: anvil().chainId, rpcUrl: anvil().rpcUrl }],
    });
  });
});

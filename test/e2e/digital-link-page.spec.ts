import { INestApplication } from '@nestjs/common';
import { commissioningEvent, dispensingEvent, epcisDocument, receivingEvent, shippingEvent } from '@pharmatrace/epcis';
import { AlertCode, VerdictStatus } from '@pharmatrace/domain';
import { AddressInfo } from 'node:net';
import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';
import { launchChromium } from './support/chromium';
import { expectReadable, screens, WIDTHS } from './support/screens';

const GTIN = '09506000134352';
const LOT = 'LOT-7';
const RECALLED_LOT = 'LOT-9';
const link = (serial: string, lot?: string) => `/01/${GTIN}${lot ? `/10/${lot}` : ''}/21/${serial}`;
const pack = (serial: string) => `https://id.gs1.org${link(serial)}`;
const t = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute));
/** No status or alert code may be what a person reads. */
const CODES = new RegExp(`\\b(${[...Object.values(VerdictStatus), ...Object.values(AlertCode)].join('|')})\\b`);

describe('GS1 Digital Link page as a patient’s phone opens it, in headless Chromium', () => {
  const dbUrl = useDatabase();
  let app: INestApplication;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    await app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const maker = await createOrganization(app, {
      name: 'ACME Pharma',
      role: 'MANUFACTURER',
      gln: withCheckDigit('950600000001'),
      companyPrefixes: ['9506000'],
    });
    const pharmacy = await createOrganization(app, { name: 'Corner Pharmacy', role: 'DISPENSER', gln: withCheckDigit('950600000002') });
    const capture = async (events: Record<string, unknown>[], key: string) => {
      const res = await gql(app, CAPTURE, { document: epcisDocument(events) }, key);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
    };
    const packs = ['OK1', 'DISP1', 'REC1'].map(pack);
    await capture(
      [
        commissioningEvent({ eventTime: t(0), epcs: [pack('OK1'), pack('DISP1')], lot: LOT, expiry: '2029-12-31' }),
        commissioningEvent({ eventTime: t(0), epcs: [pack('REC1')], lot: RECALLED_LOT, expiry: '2029-12-31' }),
        shippingEvent({ eventTime: t(1), epcs: packs, to: 'urn:epc:id:pgln:9506000.00002' }),
      ],
      maker.apiKey,
    );
    await capture(
      [receivingEvent({ eventTime: t(2), epcs: packs }), dispensingEvent({ eventTime: t(3), epcs: [pack('DISP1')] })],
      pharmacy.apiKey,
    );
    const recall = await gql(
      app,
      `mutation { recallLot(gtin: "${GTIN}", lot: "${RECALLED_LOT}", reason: "sterility failure") { __typename } }`,
      {},
      maker.apiKey,
    );
    if (recall.errors) throw new Error(JSON.stringify(recall.errors));
    // Product names are master data no mutation sets yet: written where the verdict reads them.
    await app.get(DataSource).query(`UPDATE product SET name = 'Amoxicillin 500 mg, 21 capsules' WHERE gtin = $1`, [GTIN]);

    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: WIDTHS.phone })).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it.each([
    ['genuine', link('OK1', LOT), 'ok', 'Genuine pack', /^Nothing to do/],
    [
      'dispensed',
      link('DISP1'),
      'warn',
      'Genuine pack, already handed to a patient',
      /^If a pharmacy just gave you this pack, this is expected/,
    ],
    ['recalled', link('REC1', RECALLED_LOT), 'stop', 'Recalled', /^Do not take this medicine/],
    ['unknown', link('NOPE1'), 'stop', 'Not a registered pack', /^Do not take this medicine\. Show the pack to a pharmacist/],
    ['lot-mismatch', link('OK1', 'LOT-8'), 'stop', 'Batch number does not match', /^Do not take this medicine/],
  ])('%s: says what it means and what to do, in words, at 1280 and 360 px', async (name, path, tone, headline, next) => {
    const res = await page.goto(`${origin}${path}`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('.verdict').getAttribute('data-tone')).toBe(tone);
    expect(await page.locator('.verdict .words').innerText()).toBe(headline);
    expect(await page.locator('.next p').innerText()).toMatch(next);
    const shown = await page.locator('main').innerText();
    expect(shown).not.toMatch(CODES);
    if (name !== 'unknown') {
      expect(shown).toContain('Amoxicillin 500 mg, 21 capsules');
      expect(shown).toContain('Made by ACME Pharma');
      expect(shown).toContain('31 December 2029');
    }
    expectReadable(await screens(page, `digital-link-${name}`, 'main'));
  });

  it('explains a link that names no pack, in words', async () => {
    const res = await page.goto(`${origin}/01/09506000134353/21/X`);
    expect(res?.status()).toBe(400);
    expect(await page.locator('.verdict .words').innerText()).toBe('Not a medicine pack code');
    expect(await page.locator('main').innerText()).not.toMatch(/check digit|GTIN|AI \(/i);
    expectReadable(await screens(page, 'digital-link-unreadable', 'main'));
  });

  it('loaded nothing but the page, and the Content-Security-Policy blocked nothing', () => {
    expect(pageErrors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });
});

import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument } from '@pharmatrace/epcis';
import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { Browser, Page } from 'playwright-core';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';
import { launchChromium } from './support/chromium';

const ARTIFACTS = path.resolve(__dirname, '../artifacts');
const GTIN = withCheckDigit('0061414107346');

/**
 * What an integrator does (issue 16): open the EPCIS REST API explorer, authorize with a key, try GET /events and
 * read the events on screen. Served with nothing from beyond our origin.
 */
describe('EPCIS REST API explorer in headless Chromium', () => {
  const dbUrl = useDatabase();
  let app: INestApplication;
  let origin: string;
  let browser: Browser;
  let apiKey: string;
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    await app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    ({ apiKey } = await createOrganization(app, {
      name: 'Explorer Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    }));
    const document = epcisDocument([
      commissioningEvent({
        eventTime: new Date('2026-05-01T08:00:00Z'),
        epcs: [`https://id.gs1.org/01/${GTIN}/21/EXP1`],
        lot: 'L1',
        expiry: '2028-01-31',
      }),
    ]);
    expect((await gql(app, CAPTURE, { document }, apiKey)).errors).toBeUndefined();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function open(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => new URL(r.url()).origin !== origin && !r.url().startsWith('data:') && foreignRequests.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    await page.goto(`${origin}/epcis/explorer`);
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 30_000 });
    return page;
  }

  it('lists the binding’s operations from our document, served under /epcis', async () => {
    const page = await open();
    expect(await page.locator('.swagger-ui .info .title').innerText()).toMatch(/pharmatrace EPCIS 2.0 repository/);
    await page.locator('.opblock-summary-path[data-path="/events"]').first().waitFor();
    const paths = await page.locator('.opblock-summary-path').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')));
    for (const p of ['/capture', '/events', '/events/{eventID}', '/queries', '/eventTypes']) expect(paths).toContain(p);
    expect(await page.locator('.servers select, .servers').first().innerText()).toContain('/epcis');
    await page.close();
  });

  it('authorizes with an API key, tries GET /events and shows the events the key may read', async () => {
    const page = await open();
    await page.locator('button.authorize').first().click();
    await page.locator('.auth-container input').first().fill(apiKey);
    await page.locator('.auth-btn-wrapper button.authorize').click();
    await page.locator('.auth-btn-wrapper button.btn-done').click();
    const operation = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/events"])').first();
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table .response .response-col_status').first();

    await status.waitFor({ timeout: 15_000 });
    expect((await status.innerText()).trim()).toBe('200');
    const body = await operation
      .locator('.live-responses-table .response-col_description pre, .live-responses-table .highlight-code')
      .first()
      .innerText();
    expect(body).toContain('EPCISQueryDocument');
    expect(body).toContain('EXP1');
    // The request the page made is the one a client would make, with the key as a Bearer token, under /epcis.
    expect(await operation.locator('.request-url pre, .request-url').first().innerText()).toContain(`${origin}/epcis/events`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-explorer-events.png'), fullPage: false });
    await page.close();
  });

  it('loaded nothing from elsewhere and raised no page error', () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

import { INestApplication } from '@nestjs/common';
import { AddressInfo } from 'node:net';
import { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { LANDING_LINKS } from '../../apps/api/src/web/landing.page';
import { startApi, testConfig, useDatabase } from '../support/platform';
import { launchChromium } from './support/chromium';
import { expectReadable, screens, WIDTHS } from './support/screens';

/** What shows that each linked page rendered, rather than merely answered. */
const RENDERED: Record<string, { selector: string; text: RegExp }> = {
  '/scan': { selector: 'h1', text: /^Pack check$/ },
  '/scan/self-test': { selector: 'h1', text: /^Scanner self-test$/ },
  '/explorer': { selector: 'h1', text: /^Explorer$/ },
  '/graphiql': { selector: '#graphiql .graphiql-container', text: /\S/ },
  '/epcis/explorer': { selector: '.swagger-ui .info .title', text: /EPCIS 2.0 repository/ },
};

describe('landing page in headless Chromium', () => {
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
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: WIDTHS.desktop })).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('says what the platform is and links every page, readable on a desk and on a phone', async () => {
    await page.goto(`${origin}/`);
    expect(await page.locator('h1').innerText()).toBe('pharmatrace');
    const links = await page.locator('nav a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
    expect(links).toEqual(LANDING_LINKS.map((l) => [l.href, l.title]));
    const docs = await page.locator('#docs-title ~ ul a').allInnerTexts();
    expect(docs[0]).toBe('README.md');
    expect(docs).toEqual(expect.arrayContaining(['api.md', 'cli.md', 'operations.md', 'deployment.md', 'testing.md']));
    expectReadable(await screens(page, 'landing', 'main, header'));
  });

  it.each(LANDING_LINKS.map((l) => [l.title, l.href]))('follows %s (%s) to a page that renders', async (title, href) => {
    await page.setViewportSize(WIDTHS.desktop);
    await page.goto(`${origin}/`);
    const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: title, exact: true }).click()]);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe(href);
    const rendered = page.locator(RENDERED[href].selector).first();
    await rendered.waitFor();
    expect(await rendered.innerText()).toMatch(RENDERED[href].text);
  });

  it('serves every listed document as text a browser shows, and nothing else under /docs', async () => {
    await page.goto(`${origin}/`);
    const hrefs = await page.locator('#docs-title ~ ul a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    for (const href of hrefs) {
      const response = await page.goto(`${origin}${href}`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-type']).toBe('text/plain; charset=utf-8');
      expect(await page.locator('body').innerText()).toMatch(/^# \S/);
    }
    expect((await request(app.getHttpServer()).get('/docs/..%2Fpackage.json')).status).toBe(404);
    expect((await request(app.getHttpServer()).get('/docs/nothing.md')).status).toBe(404);
  });

  it('loads nothing, not even from itself, and logs no error there (its Content-Security-Policy blocked nothing)', async () => {
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    pageErrors.length = 0;
    await page.goto(`${origin}/`);
    expect(requested).toEqual([`${origin}/`]);
    expect(pageErrors).toEqual([]);
    const res = await request(app.getHttpServer()).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-[\w+/=]+'/);
  });
});

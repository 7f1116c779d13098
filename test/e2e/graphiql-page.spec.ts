import { INestApplication } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { Browser, Page } from 'playwright-core';
import { createOrganization, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';
import { launchChromium } from './support/chromium';

const ARTIFACTS = path.resolve(__dirname, '../artifacts');
const MOD = process.platform === 'darwin' ? 'Meta' : 'Control';

/** What a newcomer does: open GraphiQL, run a query, read the answer on screen. Served with no network beyond ours. */
describe('GraphiQL in headless Chromium', () => {
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
    ({ apiKey } = await createOrganization(app, { name: 'GraphiQL Pharmacy', role: 'DISPENSER', gln: withCheckDigit('950600000077') }));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('request', (r) => new URL(r.url()).origin !== origin && !r.url().startsWith('data:') && foreignRequests.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('response', (r) => r.status() >= 400 && pageErrors.push(`${r.status()} ${r.url()}`));
    await page.goto(url);
    await page.locator('.graphiql-container').waitFor({ timeout: 30_000 });
    return page;
  }

  /** Replaces an editor's text the way a person does: click into it, select all, type. */
  async function typeInto(page: Page, editor: string, text: string): Promise<void> {
    await page.locator(`${editor} .CodeMirror >> visible=true`).first().click();
    await page.keyboard.press(`${MOD}+A`);
    await page.keyboard.press('Backspace');
    await page.keyboard.insertText(text);
  }

  const resultText = (page: Page) => page.locator('.result-window').innerText();

  it.each([['/graphiql'], ['/graphql']])('%s runs the opening query and shows the answer', async (route) => {
    const page = await open(`${origin}${route}`);
    await page.locator('.graphiql-execute-button').click();
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('"__typename"'), undefined, {
      timeout: 15_000,
    });
    expect(await resultText(page)).toMatch(/"__typename":\s*"Query"/);
    await page.screenshot({ path: path.join(ARTIFACTS, `graphiql${route.replace('/', '-')}.png`) });
    await page.close();
  });

  it('answers an authenticated query once the key is set in the headers editor', async () => {
    const page = await open(`${origin}/graphiql`);
    await typeInto(page, '.graphiql-query-editor', '{ me { name role } }');
    // The headers tab is open by default (defaultEditorToolsVisibility).
    await typeInto(page, '.graphiql-editor-tool', JSON.stringify({ Authorization: `Bearer ${apiKey}` }));
    await page.locator('.graphiql-execute-button').click();
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('GraphiQL Pharmacy'), undefined, {
      timeout: 15_000,
    });
    const text = await resultText(page);
    expect(text).toContain('"name": "GraphiQL Pharmacy"');
    expect(text).toContain('"role": "DISPENSER"');
    await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql-authenticated.png') });
    await page.close();
  });

  it('loaded nothing from another origin and raised no script error', () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

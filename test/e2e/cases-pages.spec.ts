import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument, receivingEvent, shippingEvent } from '@pharmatrace/epcis';
import { AddressInfo } from 'node:net';
import { Browser, Page } from 'playwright-core';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';
import { launchChromium } from './support/chromium';
import { expectReadable, screens, WIDTHS } from './support/screens';

const GTIN = '09506000134352';
const LOT = 'LOT-C1';
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
/** Raw DataMatrix data as a keyboard-wedge scanner types it, GS sent as GS. */
const wedgeScan = (serial: string) => `]d201${GTIN}17291231 10${LOT}\u001d21${serial}`.replace(' ', '');
const t = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute));
const PHOTO = `sha256:${'c0ffee'.repeat(10)}abcd`;

/**
 * Issue 17 on the pages: a pharmacy's scan raises an alert and the pharmacist opens a case from the verdict; the
 * manufacturer finds it in the explorer and investigates; the regulator resolves it as illegitimate. Each of the three
 * in their own browser, each step checked as a person sees it, screenshots in test/artifacts/cases-*.png.
 */
describe('exception cases on the scan page and in the explorer, in headless Chromium', () => {
  const dbUrl = useDatabase();
  let app: INestApplication;
  let origin: string;
  let browser: Browser;
  const keys: Record<'maker' | 'pharmacy' | 'regulator', string> = { maker: '', pharmacy: '', regulator: '' };
  const pages = {} as Record<'pharmacist' | 'maker' | 'regulator', Page>;
  const requested: string[] = [];
  const pageErrors: string[] = [];
  let caseUrl = '';

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
    const regulator = await createOrganization(app, { name: 'Medicines Agency', role: 'REGULATOR', gln: withCheckDigit('950600000004') });
    // Only found by searching: the form lists the likely addressees, not the whole registry.
    await createOrganization(app, { name: 'Northern Wholesale', role: 'DISTRIBUTOR', gln: withCheckDigit('950600000005') });
    keys.maker = maker.apiKey;
    keys.pharmacy = pharmacy.apiKey;
    keys.regulator = regulator.apiKey;
    const capture = async (key: string, events: Record<string, unknown>[]) => {
      const res = await gql(app, CAPTURE, { document: epcisDocument(events) }, key);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
    };
    // The pharmacy holds OK1; FAKE1 was never commissioned: its scan is "Unknown pack".
    await capture(maker.apiKey, [
      commissioningEvent({ eventTime: t(0), epcs: [pack('OK1')], lot: LOT, expiry: '2029-12-31' }),
      shippingEvent({ eventTime: t(1), epcs: [pack('OK1')], to: 'urn:epc:id:pgln:9506000.00002' }),
    ]);
    await capture(pharmacy.apiKey, [receivingEvent({ eventTime: t(2), epcs: [pack('OK1')] })]);

    browser = await launchChromium();
    // One browser context each: the three keep their keys in their own browser, as three people would.
    for (const [who, width] of [
      ['pharmacist', WIDTHS.phone],
      ['maker', WIDTHS.desktop],
      ['regulator', WIDTHS.desktop],
    ] as const) {
      const context = await browser.newContext({ viewport: width });
      context.on('request', (r) => requested.push(r.url()));
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(`${who}: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && pageErrors.push(`${who}: ${m.text()}`));
      pages[who] = page;
    }
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** Both widths, checked for sideways scrolling and words cut in two; the page goes back to its own width after. */
  const shoot = async (page: Page, name: string, words: string, width: { width: number; height: number } = WIDTHS.desktop) => {
    expectReadable(await screens(page, `cases-${name}`, words));
    await page.setViewportSize(width);
  };

  async function scan(serial: string) {
    const page = pages.pharmacist;
    const before = await page.locator('#history li').count();
    await page.locator('#scan-input').fill(wedgeScan(serial));
    await page.keyboard.press('Enter');
    await page.locator('#history li').nth(before).waitFor();
  }

  async function signIn(page: Page, key: string) {
    await page.goto(`${origin}/explorer`);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.keyboard.press('Enter');
    await page.locator('#case-counts:not([hidden])').waitFor();
  }

  const tiles = (page: Page) =>
    page
      .locator('#case-count-tiles .tile')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-count'), e.querySelector('strong')!.textContent]));

  async function act(page: Page, button: string, message: string) {
    await page.getByLabel('Message to the other parties').fill(message);
    await page.locator('#case-action-buttons').getByRole('button', { name: button, exact: true }).click();
  }

  it('the pharmacist scans a pack that raises an alert and opens a case from the verdict', async () => {
    const page = pages.pharmacist;
    await page.goto(`${origin}/scan`);
    await page.getByLabel('Pharmacy API key').fill(keys.pharmacy);
    await page.keyboard.press('Enter');

    // A clean pack offers no case; the unknown one does, beside the verdict that stops the sale.
    await scan('OK1');
    expect(await page.locator('#verdict .words').innerText()).toBe('Genuine — OK to dispense');
    expect(await page.locator('#open-case').count()).toBe(0);
    await scan('FAKE1');
    expect(await page.locator('#verdict .words').innerText()).toBe('DO NOT DISPENSE — Unknown pack');
    await page.getByRole('button', { name: 'Open a case' }).click();

    const form = page.getByRole('form', { name: 'Open a case for this pack' });
    await form.waitFor();
    expect(await form.getByLabel('Category').locator('option:checked').innerText()).toBe('Suspect product');
    expect(await form.getByLabel('Send to').locator('option:checked').innerText()).toBe(
      `ACME Pharma (GLN ${withCheckDigit('950600000001')})`,
    );
    const sendTo = form.getByLabel('Send to');
    expect(await sendTo.locator('option').allInnerTexts()).toEqual([
      'Nobody yet — only regulators',
      `ACME Pharma (GLN ${withCheckDigit('950600000001')})`,
    ]);
    // Anyone else is found by name or GLN; Enter searches and does not open the case.
    const find = form.getByLabel('Find another organization');
    await find.fill('wholesale');
    await find.press('Enter');
    await form.getByText('1 found: Northern Wholesale chosen').waitFor();
    expect(await sendTo.locator('option:checked').innerText()).toBe(`Northern Wholesale (GLN ${withCheckDigit('950600000005')})`);
    await find.fill('nobody');
    await form.getByRole('button', { name: 'Find', exact: true }).click();
    await form.getByText('No trading partner matches “nobody”').waitFor();
    expect(await page.locator('.case-banner').count()).toBe(0);
    await sendTo.selectOption({ label: `ACME Pharma (GLN ${withCheckDigit('950600000001')})` });
    const summary = await form.getByLabel('What is wrong').inputValue();
    expect(summary).toContain(`GTIN ${GTIN}, serial FAKE1, lot ${LOT}`);
    expect(summary).toContain('never registered by the manufacturer');
    await shoot(page, 'scan-form', '#verdict, .case-form label', WIDTHS.phone);

    await form.getByRole('button', { name: 'Open the case' }).click();
    const banner = page.locator('.case-banner');
    await banner.waitFor();
    expect(await banner.locator('.case-title').innerText()).toBe('Case opened #1 — Suspect product · Open');
    expect(await banner.locator('.case-timer').innerText()).toMatch(/^Grace period: \d days?( \d+ h)? left \(until .+\)$/);
    expect(await page.locator('#open-case').count()).toBe(0);
    caseUrl = (await banner.getByRole('link', { name: 'Follow the case' }).getAttribute('href'))!;
    expect(caseUrl).toMatch(/^\/explorer\?case=[0-9a-f-]{36}$/);
    await shoot(page, 'scan-opened', '#verdict, .case-banner', WIDTHS.phone);
  });

  it('the scanner shows the open case on the next verdict of that pack, after the verdict itself', async () => {
    const page = pages.pharmacist;
    await scan('FAKE1');
    expect(await page.locator('#verdict .words').innerText()).toBe('DO NOT DISPENSE — Unknown pack');
    const banner = page.locator('.case-banner');
    await banner.waitFor();
    expect(await banner.locator('.case-title').innerText()).toBe('Under case #1 — Suspect product · Open');
    // Already under a case: no second one offered.
    expect(await page.locator('#open-case').count()).toBe(0);
    await shoot(page, 'scan-under-case', '#verdict, .case-banner', WIDTHS.phone);
  });

  it('the manufacturer, the other party, counts the case on the explorer’s landing and finds it in the list', async () => {
    const page = pages.maker;
    await signIn(page, keys.maker);
    expect(await tiles(page)).toEqual([
      ['Open', '1'],
      ['Overdue', '0'],
      ['Regulator overdue', '0'],
      ['Resolved', '0'],
    ]);
    await shoot(page, 'maker-landing', '#case-counts');
    await page.locator('.tile[data-count="Open"]').click();
    await page.locator('#cases-view:not([hidden])').waitFor();
    const row = page.locator('#case-rows tr[data-case="1"]');
    expect(await row.innerText()).toMatch(/#1\s+Suspect product\s+Open\s+Corner Pharmacy\s+with ACME Pharma\s+Grace period: .+ left/);
    expect(await page.getByLabel('State', { exact: true }).locator('option:checked').innerText()).toBe('Not resolved');
    await shoot(page, 'maker-list', '#cases-view td, #cases-view th');

    // The pack filter finds it by the pack's other name too.
    await page.getByLabel('Pack', { exact: true }).fill('urn:epc:id:sgtin:9506000.013435.FAKE1');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/epc=urn/);
    await page.locator('#cases-view:not([hidden])').waitFor();
    expect(await page.locator('#case-rows tr').count()).toBe(1);
    await page.getByLabel('Pack', { exact: true }).fill(pack('OK1'));
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/OK1/);
    await page.locator('#cases-empty:not([hidden])').waitFor();
  });

  it('the manufacturer opens the case, reads its packs and history, and moves it to investigating with a message', async () => {
    const page = pages.maker;
    await page.goto(`${origin}${caseUrl}`);
    await page.locator('#case-view:not([hidden])').waitFor();
    expect(await page.locator('#case-title').innerText()).toBe('Case #1 — Suspect product');
    expect(await page.locator('#case-state').innerText()).toBe('Open');
    expect(await page.locator('#case-packs').innerText()).toContain(pack('FAKE1'));
    expect(await page.locator('#case-facts').innerText()).toMatch(/Source\s+Scan[\s\S]*Quarantined while the case holds them/);
    const opening = page.locator('#case-history > li').first();
    expect(await opening.innerText()).toMatch(/Corner Pharmacy\s+opened the case \(Open\)[\s\S]*never registered/);
    // The rules offer the other party what it may do in this state: no reopening, which is the regulator's.
    expect(await page.locator('#case-action-buttons button').allInnerTexts()).toEqual([
      'Investigate',
      'Escalate to the regulator',
      'Resolve',
      'Comment',
    ]);

    // The maker names who owns the case on its side: shown in the facts and the history, to both parties and the regulator.
    const ownerForm = page.getByRole('form', { name: 'Your owner of the case' });
    expect(await page.locator('#case-facts dd[data-fact="Owner at ACME Pharma"]').innerText()).toBe('not named yet');
    await ownerForm.getByLabel('Name', { exact: true }).fill('Ada Park');
    await ownerForm.getByLabel('Title', { exact: true }).fill('Quality lead');
    await ownerForm.getByLabel('E-mail', { exact: true }).fill('ada@acme.example');
    await ownerForm.getByRole('button', { name: 'Name our owner' }).click();
    await page.locator('#case-action-done', { hasText: 'your owner is' }).waitFor();
    expect(await page.locator('#case-facts dd[data-fact="Owner at ACME Pharma"]').innerText()).toBe(
      'Ada Park, Quality lead · ada@acme.example',
    );
    expect(await page.locator('#case-history > li').nth(1).innerText()).toMatch(
      /ACME Pharma\s+named its owner of the case\s+Owner: Ada Park, Quality lead · ada@acme\.example/,
    );
    await shoot(page, 'maker-owner', '#case-facts, #case-owner-form label');

    await act(page, 'Investigate', 'Checking our serial records for FAKE1');
    await page.locator('#case-state', { hasText: 'Investigating' }).waitFor();
    expect(await page.locator('#case-action-done').innerText()).toBe('Case #1 investigated: now Investigating.');
    const entry = page.locator('#case-history > li').nth(2);
    expect(await entry.innerText()).toMatch(/ACME Pharma\s+investigated\s+Open → Investigating\s+Checking our serial records for FAKE1/);
    await shoot(page, 'maker-investigating', '#case-title, #case-state, #case-history .actor, #case-history .change');
  });

  it('the regulator sees every case, is told clearly when an action is refused, and resolves the case as illegitimate', async () => {
    const page = pages.regulator;
    await signIn(page, keys.regulator);
    expect(await tiles(page)).toEqual([
      ['Open', '1'],
      ['Overdue', '0'],
      ['Regulator overdue', '0'],
      ['Resolved', '0'],
    ]);
    await page.goto(`${origin}/explorer?cases&state=INVESTIGATING`);
    await page.locator('#case-rows tr[data-case="1"] a').click();
    await page.locator('#case-view:not([hidden])').waitFor();
    expect(await page.locator('#case-state').innerText()).toBe('Investigating');
    // The regulator reads both sides' owners; it names none itself.
    expect(await page.locator('#case-facts dd[data-fact="Owner at ACME Pharma"]').innerText()).toBe(
      'Ada Park, Quality lead · ada@acme.example',
    );
    expect(await page.locator('#case-facts dd[data-fact="Owner at Corner Pharmacy"]').innerText()).toBe('not named yet');
    expect(await page.locator('#case-owner-form').isHidden()).toBe(true);

    // Resolving without saying how: the server's refusal, code and reason, in the page.
    await act(page, 'Resolve', 'Counterfeit confirmed by the agency’s laboratory');
    const refusal = page.locator('#case-action-message');
    await refusal.filter({ hasText: 'INVALID_CASE' }).waitFor();
    expect(await refusal.innerText()).toBe(
      'INVALID_CASE: resolution: RESOLVE needs a resolution: CLEARED, TECHNICAL_CAUSE or ILLEGITIMATE',
    );
    expect(await page.locator('#case-state').innerText()).toBe('Investigating');
    await shoot(page, 'regulator-refused', '#case-state, #case-action-message');

    await page.getByLabel('Resolution (to resolve)').selectOption('ILLEGITIMATE');
    await page.getByLabel(/Attachments, by hash/).fill(PHOTO);
    await act(page, 'Resolve', 'Counterfeit confirmed by the agency’s laboratory');
    await page.locator('#case-state', { hasText: 'Resolved — Illegitimate' }).waitFor();
    expect(await refusal.innerText()).toBe('');
    expect(await page.locator('#case-timers').innerText()).toMatch(/^Regulator to be notified within (23 h \d+ min|1 day) \(by .+\)$/);
    const entry = page.locator('#case-history > li').nth(3);
    expect(await entry.innerText()).toMatch(
      /Medicines Agency\s+resolved\s+Investigating → Resolved\s+Illegitimate\s+Counterfeit confirmed[\s\S]*sha256:c0ffee/,
    );
    // Resolved: only the regulator may reopen it, and anyone may still comment.
    expect(await page.locator('#case-action-buttons button').allInnerTexts()).toEqual(['Comment', 'Reopen']);
    await shoot(page, 'regulator-resolved', '#case-title, #case-state, #case-timers, #case-history .actor, #case-history .change');

    await page.goto(`${origin}/explorer`);
    await page.locator('#case-counts:not([hidden])').waitFor();
    expect(await tiles(page)).toEqual([
      ['Open', '0'],
      ['Overdue', '0'],
      ['Regulator overdue', '0'],
      ['Resolved', '1'],
    ]);
    expect(await page.locator('.tile[data-count="Resolved"] small').innerText()).toBe('illegitimate 1');
    await shoot(page, 'regulator-landing', '#case-counts');
  });

  it('the manufacturer sees the resolution, the 24-hour timer, and no action left to it but a comment', async () => {
    const page = pages.maker;
    await page.reload();
    await page.locator('#case-state', { hasText: 'Resolved — Illegitimate' }).waitFor();
    expect(await page.locator('#case-timers').innerText()).toMatch(/^Regulator to be notified within/);
    expect(await page.locator('#case-action-buttons button').allInnerTexts()).toEqual(['Comment']);
    await shoot(page, 'maker-resolved', '#case-title, #case-state, #case-timers');
  });

  it('loaded nothing from another origin, and logged no error', () => {
    expect(pageErrors).toEqual([]);
    expect(requested.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin)).toEqual([]);
  });
});

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Page } from 'playwright-core';

export const ARTIFACTS = path.resolve(__dirname, '../../artifacts');

/** The widths people read the pages at: a desk's screen and a small phone. */
export const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 360, height: 780 } } as const;
export type Width = keyof typeof WIDTHS;

export interface ScreenReport {
  /** document.documentElement.scrollWidth: more than the viewport means the page scrolls sideways. */
  scrollWidth: number;
  /** Words of the checked elements that the layout split across two lines ("UNKNO / WN"). */
  brokenWords: string[];
}

/**
 * Words cut across lines inside `selector`'s elements: a word whose text range has client rectangles on more than
 * one line. Hyphenated words may break at their hyphen, so each part is measured alone.
 */
export function brokenWords(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const broken: string[] = [];
    for (const root of Array.from(document.querySelectorAll(sel))) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const m of text.matchAll(/[^\s\-–—]+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index!);
          range.setEnd(node, m.index! + m[0].length);
          const tops = new Set(
            Array.from(range.getClientRects())
              .filter((r) => r.width > 0)
              .map((r) => Math.round(r.top)),
          );
          if (tops.size > 1) broken.push(m[0]);
        }
      }
    }
    return broken;
  }, selector);
}

/**
 * Screenshots the page as it is now at each width (test/artifacts/<name>-desktop.png, <name>-phone.png) and reports
 * what a reader would trip on at each, in the text of `words` (a selector); the viewport is left at phone width.
 */
export async function screens(page: Page, name: string, words: string): Promise<Record<Width, ScreenReport>> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const report = {} as Record<Width, ScreenReport>;
  for (const width of ['desktop', 'phone'] as const) {
    await page.setViewportSize(WIDTHS[width]);
    // Two frames: layout and any resize observers (charts, the graph) settle at the new width.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
    report[width] = {
      scrollWidth: await page.evaluate(() => document.documentElement.scrollWidth),
      brokenWords: await brokenWords(page, words),
    };
  }
  return report;
}

/** What every screen must pass: nothing to scroll sideways on the phone, no word of the checked text cut in two. */
export function expectReadable(report: Record<Width, ScreenReport>): void {
  expect(report.phone.scrollWidth).toBeLessThanOrEqual(WIDTHS.phone.width);
  expect([...report.desktop.brokenWords, ...report.phone.brokenWords]).toEqual([]);
}

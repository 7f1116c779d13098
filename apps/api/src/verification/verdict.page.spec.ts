import { AlertCode, VerdictStatus } from '@pharmatrace/domain';
import {
  ALERT_WORDS,
  longDate,
  PublicVerdict,
  publicWording,
  STATUS_WORDS,
  unreadablePage,
  VERDICT_PAGE_CSP,
  verdictPage,
} from './verdict.page';

const base: PublicVerdict = {
  status: VerdictStatus.ACTIVE,
  saleable: true,
  alerts: [],
  product: { gtin: '09506000134352', serial: 'A1', lot: 'LOT-7', expiry: '2029-12-31', name: 'Amoxicillin 500 mg, 21 capsules' },
  anchored: true,
  checkedOnChain: true,
};
const v = (patch: Partial<PublicVerdict>): PublicVerdict => ({ ...base, ...patch });
/** The text a person reads: tags, and the attributes inside them, removed. */
const text = (html: string) => html.replace(/<style>[\s\S]*<\/style>/, '').replace(/<[^>]+>/g, ' ');
const CODES = [...Object.values(VerdictStatus), ...Object.values(AlertCode)];

describe('the Digital Link verdict page a patient opens', () => {
  it('says a saleable pack is genuine, with its name, maker, dates in words and nothing to do', () => {
    const html = verdictPage(base, 'ACME Pharma');
    expect(publicWording(base).wording).toMatchObject({ tone: 'ok', headline: 'Genuine pack' });
    expect(text(html)).toContain('Amoxicillin 500 mg, 21 capsules');
    expect(text(html)).toContain('Made by ACME Pharma');
    expect(text(html)).toContain('31 December 2029');
    expect(text(html)).toContain('Nothing to do');
    expect(html).toContain('data-status="ACTIVE"');
  });

  it.each(Object.values(VerdictStatus))('puts status %s in words, with what to do, and no code', (status) => {
    const saleable = status === VerdictStatus.ACTIVE || status === VerdictStatus.IN_TRANSIT;
    const html = verdictPage(v({ status, saleable, alerts: saleable ? [] : [AlertCode.PACK_INACTIVE] }));
    const shown = text(html);
    expect(shown).toContain(STATUS_WORDS[status].headline);
    expect(shown).toContain(STATUS_WORDS[status].next);
    for (const code of CODES) expect(shown).not.toContain(code);
  });

  it.each(Object.values(AlertCode))('puts alert %s in words, whether it leads or is listed', (alert) => {
    const leading = text(verdictPage(v({ saleable: false, alerts: [alert] })));
    const listed = text(verdictPage(v({ saleable: false, alerts: [AlertCode.ANCHORING_FAILED, alert] })));
    for (const shown of [leading, listed]) for (const code of CODES) expect(shown).not.toContain(code);
    if (alert !== AlertCode.ANCHORING_FAILED && alert !== AlertCode.ANCHORING_PENDING) expect(listed).toContain(ALERT_WORDS[alert].finding);
  });

  it('leads with the most serious finding: tampering, then the pack’s own status, then dates and batch', () => {
    expect(
      publicWording(
        v({ status: VerdictStatus.DISPENSED, saleable: false, alerts: [AlertCode.ALREADY_DISPENSED, AlertCode.ANCHORING_FAILED] }),
      ).wording.headline,
    ).toBe('Records may have been tampered with');
    expect(
      publicWording(v({ status: VerdictStatus.STOLEN, saleable: false, alerts: [AlertCode.EXPIRED, AlertCode.PACK_INACTIVE] })).wording
        .headline,
    ).toBe('Reported stolen');
    expect(
      publicWording(v({ status: VerdictStatus.EXPIRED, saleable: false, alerts: [AlertCode.ALREADY_DISPENSED, AlertCode.EXPIRED] })).wording
        .headline,
    ).toBe('Expired');
    expect(publicWording(v({ saleable: false, alerts: [AlertCode.LOT_MISMATCH, AlertCode.ANCHORING_PENDING] })).wording).toMatchObject({
      tone: 'stop',
      headline: 'Batch number does not match',
    });
  });

  it('never shows green for a pack that is not saleable, whatever the alerts', () => {
    expect(publicWording(v({ saleable: false, alerts: [] })).wording).toMatchObject({ tone: 'stop', headline: 'Cannot confirm this pack' });
    expect(publicWording(v({ saleable: false, alerts: [AlertCode.NOT_IN_CUSTODY] })).wording.tone).toBe('stop');
  });

  it('tells a patient holding a dispensed pack when that is expected', () => {
    const w = publicWording(v({ status: VerdictStatus.DISPENSED, saleable: false, alerts: [AlertCode.ALREADY_DISPENSED] })).wording;
    expect(w).toMatchObject({ tone: 'warn', headline: 'Genuine pack, already handed to a patient' });
    expect(w.next).toMatch(/^If a pharmacy just gave you this pack, this is expected/);
  });

  it('escapes what the maker registered, and allows only its own stylesheet', () => {
    const html = verdictPage(v({ product: { ...base.product, name: '<img src=x onerror=alert(1)>' } }), 'A & B');
    expect(html).not.toContain('<img');
    expect(html).toContain('Made by A &amp; B');
    expect(VERDICT_PAGE_CSP).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(text(unreadablePage())).toContain('Not a medicine pack code');
  });

  it('writes dates in words', () => {
    expect(longDate('2029-02-28')).toBe('28 February 2029');
  });
});

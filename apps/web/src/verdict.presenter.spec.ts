import { AlertCode, VerdictStatus } from '../../../libs/domain/src/browser';
import { correctionText, presentAfterDispense, presentUnreadable, presentVerdict, Verdict, verdictFacts } from './verdict.presenter';

const base: Verdict = {
  status: 'ACTIVE',
  saleable: true,
  alerts: [],
  epc: 'https://id.gs1.org/01/09506000134352/21/A1',
  product: { gtin: '09506000134352', serial: 'A1', lot: 'L1', expiry: '2029-12-31' },
  anchored: true,
  checkedOnChain: true,
};
const v = (patch: Partial<Verdict>): Verdict => ({ ...base, ...patch });

describe('verdict presentation', () => {
  it('says OK in green only when the server says saleable, and keeps pending anchoring as a note', () => {
    expect(presentVerdict(base)).toMatchObject({ tone: 'ok', icon: '✓', headline: 'Genuine — OK to dispense', reasons: [] });
    const pending = presentVerdict(v({ alerts: ['ANCHORING_PENDING'], anchored: false, checkedOnChain: false }));
    expect(pending).toMatchObject({ tone: 'ok', headline: 'Genuine — OK to dispense' });
    expect(pending.notes[0]).toMatch(/Blockchain proof pending/);
  });

  it.each([
    [{ status: 'DISPENSED', saleable: false, alerts: ['ALREADY_DISPENSED'] }, 'DO NOT DISPENSE — Already dispensed'],
    [{ status: 'UNKNOWN', saleable: false, alerts: ['UNKNOWN_SERIAL'] }, 'DO NOT DISPENSE — Unknown pack'],
    [{ saleable: false, alerts: ['LOT_MISMATCH', 'ANCHORING_PENDING'] }, 'DO NOT DISPENSE — Lot does not match'],
    [{ saleable: false, alerts: ['LOT_MISMATCH', 'EXPIRED'] }, 'DO NOT DISPENSE — Expired'],
    [{ status: 'STOLEN', saleable: false, alerts: ['EXPIRED'] }, 'DO NOT DISPENSE — Reported stolen'],
    [{ status: 'LOCKED', saleable: false, alerts: [] }, 'DO NOT DISPENSE — Locked — under investigation'],
    [{ status: 'QUARANTINED', saleable: false, alerts: [] }, 'DO NOT DISPENSE — Quarantined'],
    [{ saleable: false, alerts: ['SOME_NEW_ALERT'] }, 'DO NOT DISPENSE — Some new alert'],
    [{ saleable: false, alerts: [] }, 'DO NOT DISPENSE — Not verified'],
  ])('stops in red: %j', (patch, headline) => {
    const p = presentVerdict(v(patch));
    expect(p).toMatchObject({ tone: 'stop', icon: '✕', headline });
  });

  it('warns in amber for a pack still in transit, and for one in another organization’s custody: never green', () => {
    expect(presentVerdict(v({ status: 'IN_TRANSIT' }))).toMatchObject({
      tone: 'caution',
      icon: '!',
      headline: 'CHECK — Genuine, but still in transit',
    });
    const elsewhere = presentVerdict(v({ alerts: ['NOT_IN_CUSTODY', 'ANCHORING_PENDING'], anchored: false }));
    expect(elsewhere).toMatchObject({
      tone: 'caution',
      headline: 'CHECK — Genuine, but not in your stock',
      reasons: [expect.stringMatching(/another organization’s custody/)],
    });
    expect(presentVerdict(v({ alerts: ['SOME_NEW_NOTE'] }))).toMatchObject({
      tone: 'caution',
      headline: 'CHECK — Genuine, but some new note',
    });
  });

  it('leads with a tamper mark, before the custody or status it may have faked', () => {
    const tampered = presentVerdict(v({ saleable: false, alerts: ['NOT_IN_CUSTODY', 'ANCHORING_FAILED'] }));
    expect(tampered).toMatchObject({ tone: 'stop', headline: 'DO NOT DISPENSE — Records may have been tampered with' });
    expect(tampered.reasons[0]).toMatch(/tampered with/);
    expect(presentVerdict(v({ status: 'DISPENSED', saleable: false, alerts: ['ALREADY_DISPENSED', 'ANCHORING_FAILED'] })).headline).toBe(
      'DO NOT DISPENSE — Records may have been tampered with',
    );
  });

  it.each(Object.values(AlertCode))('puts alert %s in words, never the code', (alert) => {
    for (const saleable of [true, false]) {
      const p = presentVerdict(v({ saleable, alerts: [alert] }));
      expect([p.headline, ...p.reasons, ...p.notes].join(' ')).not.toMatch(/[A-Z]+_[A-Z_]+/);
    }
  });

  it.each(Object.values(VerdictStatus))('puts status %s in words, never the code', (status) => {
    const p = presentVerdict(v({ status, saleable: false, alerts: [] }));
    expect(p.headline).not.toMatch(/[A-Z]+_[A-Z_]+/);
    expect(p.headline).not.toMatch(/— (UNKNOWN|DISPENSED|STOLEN|RECALLED)$/);
  });

  it('lists every blocking alert, most serious first', () => {
    const p = presentVerdict(v({ saleable: false, alerts: ['LOT_MISMATCH', 'ALREADY_DISPENSED'] }));
    expect(p.reasons).toEqual([expect.stringMatching(/already dispensed/), expect.stringMatching(/lot printed/)]);
  });

  it('confirms a dispense in green, with no failure code in its facts', () => {
    const dispensed = v({ status: 'DISPENSED', saleable: false, alerts: ['ALREADY_DISPENSED'], nmvsCode: 'NMVS_NC_PCK_22' });
    const p = presentAfterDispense(dispensed);
    expect(p).toMatchObject({ tone: 'ok', headline: 'Dispensed — recorded as supplied to the patient', reasons: [], notes: [] });
    expect(verdictFacts(dispensed, p).map(([label]) => label)).not.toContain('NMVS return code');
    expect(verdictFacts(dispensed, presentVerdict(dispensed))).toContainEqual(['NMVS return code', 'NMVS_NC_PCK_22']);
    expect(presentAfterDispense(v({ status: 'ACTIVE' })).headline).toBe('Genuine — OK to dispense');
  });

  it('explains an unreadable scan in words, not the parser’s message', () => {
    expect(presentUnreadable({ ai: '17' })).toMatchObject({
      tone: 'caution',
      icon: '?',
      headline: 'Not a pack code — scan again',
      reasons: ['The expiry date in the scan is not a real date.', expect.stringMatching(/self-test/)],
    });
    expect(presentUnreadable({}).reasons[0]).toMatch(/^This is not the 2D code of a medicine pack/);
    expect(presentUnreadable({ ai: '8200' }).reasons[0]).toMatch(/^This is not the 2D code/);
  });
});

describe('scan corrections', () => {
  it('says what the scanner did and what to change', () => {
    expect(correctionText({ kind: 'Y_Z_SWAPPED', advice: 'set the keyboard country' })).toBe(
      'Scan corrected: the scanner sent Y/Z swapped (keyboard layout) — set the keyboard country. Run the scanner self-test to fix it.',
    );
    expect(correctionText({ kind: 'NEW_KIND', description: 'x' })).toBe(
      'Scan corrected: new kind — x. Run the scanner self-test to fix it.',
    );
  });

  it('warns when corrected readings were ambiguous', () => {
    expect(presentVerdict(v({ ambiguousReadings: 2, saleable: false, status: 'UNKNOWN', alerts: ['UNKNOWN_SERIAL'] })).notes[0]).toMatch(
      /several packs/,
    );
  });
});

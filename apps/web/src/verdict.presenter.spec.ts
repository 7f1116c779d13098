import { correctionText, presentAfterDispense, presentUnreadable, presentVerdict, Verdict } from './verdict.presenter';

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

  it('warns in amber for a pack still in transit or whose proof failed', () => {
    expect(presentVerdict(v({ status: 'IN_TRANSIT' }))).toMatchObject({ tone: 'caution', icon: '!', headline: 'CHECK — Genuine, but still in transit' });
    expect(presentVerdict(v({ alerts: ['ANCHORING_FAILED'] }))).toMatchObject({ tone: 'caution', headline: expect.stringMatching(/proof failed/) });
  });

  it('lists every blocking alert, most serious first', () => {
    const p = presentVerdict(v({ saleable: false, alerts: ['LOT_MISMATCH', 'ALREADY_DISPENSED'] }));
    expect(p.reasons).toEqual([expect.stringMatching(/already dispensed/), expect.stringMatching(/lot printed/)]);
  });

  it('confirms a dispense in green, and shows an unreadable code as scan-again', () => {
    expect(presentAfterDispense(v({ status: 'DISPENSED', saleable: false, alerts: ['ALREADY_DISPENSED'] }))).toMatchObject({ tone: 'ok', headline: expect.stringMatching(/^Dispensed/) });
    expect(presentAfterDispense(v({ status: 'ACTIVE' })).headline).toBe('Genuine — OK to dispense');
    expect(presentUnreadable('code: bad check digit')).toMatchObject({ tone: 'caution', reasons: ['code: bad check digit'] });
  });
});

describe('scan corrections', () => {
  it('says what the scanner did and what to change', () => {
    expect(correctionText({ kind: 'Y_Z_SWAPPED', advice: 'set the keyboard country' })).toBe(
      'Scan corrected: the scanner sent Y/Z swapped (keyboard layout) — set the keyboard country. Run the scanner self-test to fix it.',
    );
    expect(correctionText({ kind: 'NEW_KIND', description: 'x' })).toBe('Scan corrected: new kind — x. Run the scanner self-test to fix it.');
  });

  it('warns when corrected readings were ambiguous', () => {
    expect(presentVerdict(v({ ambiguousReadings: 2, saleable: false, status: 'UNKNOWN', alerts: ['UNKNOWN_SERIAL'] })).notes[0]).toMatch(/several packs/);
  });
});

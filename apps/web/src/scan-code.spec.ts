import fc from 'fast-check';
import {
  cameraScanPayload,
  GS,
  GS_SUBSTITUTES,
  normaliseWedgeScan,
  parseGsSubstitute,
  ScanCodeError,
  ScanCodeErrorCode,
  visibleControls,
} from './scan-code';

const CSET_82 = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';

describe('keyboard-wedge scans', () => {
  it('turns the configured substitute back into GS, keeps ]d2 and drops the line break', () => {
    expect(normaliseWedgeScan(']d20109506000134352172912311010LOT|21SER\r\n', '|')).toBe(`]d20109506000134352172912311010LOT${GS}21SER`);
    expect(normaliseWedgeScan(`]d2010950600013435210A${GS}21B\n`, undefined)).toBe(`]d2010950600013435210A${GS}21B`);
    expect(normaliseWedgeScan('0109506000134352|', undefined)).toBe('0109506000134352|');
  });

  it('restores exactly the GS a scanner replaced, for every substitute and any GS1 data', () => {
    const element = fc.string({ unit: fc.constantFrom(...CSET_82), maxLength: 20 });
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 5 }), fc.constantFrom(...GS_SUBSTITUTES), (parts, sub) => {
        const sent = parts.join(GS);
        expect(normaliseWedgeScan(']d2' + sent.split(GS).join(sub), sub)).toBe(']d2' + sent);
      }),
    );
  });

  it('accepts only substitutes that cannot occur in GS1 data', () => {
    expect(parseGsSubstitute('~')).toBe('~');
    expect(parseGsSubstitute('')).toBeUndefined();
    expect(parseGsSubstitute(null)).toBeUndefined();
    for (const bad of ['A', '-', ']', '||']) {
      const error = (() => {
        try {
          parseGsSubstitute(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ScanCodeError);
      expect(error).toMatchObject({ code: ScanCodeErrorCode.INVALID_GS_SUBSTITUTE, field: 'gsSubstitute', rule: 'not-in-cset-82' });
    }
    for (const sub of GS_SUBSTITUTES) expect(CSET_82).not.toContain(sub);
  });

  it('shows control characters', () => {
    expect(visibleControls(`10A${GS}21B\t`)).toBe('10A⟨GS⟩21B⟨0x09⟩');
  });
});

describe('camera decodes', () => {
  it('keeps a GS1 symbology identifier and drops any other', () => {
    expect(cameraScanPayload(']d2', `0109506000134352${GS}21X`)).toBe(`]d20109506000134352${GS}21X`);
    expect(cameraScanPayload(']Q1', 'https://id.gs1.org/01/09506000134352/21/X')).toBe('https://id.gs1.org/01/09506000134352/21/X');
  });
});

import fc from 'fast-check';
import { CorrectionKind, scanCorrections } from './scan-correction';

const GS = '\u001d';
const GTIN = '09506000134352';
const kinds = (raw: string) => scanCorrections(raw).map((c) => [c.kind, c.identity.serial, c.identity.lot]);

describe('scanCorrections', () => {
  it('restores a GS sent as another character', () => {
    expect(kinds(`]d201${GTIN}17281231${'10'}LOT7|21SER9`)).toContainEqual([CorrectionKind.GS_REPLACED, 'SER9', 'LOT7']);
  });

  it('restores a lost GS by splitting the lot where the next AI starts', () => {
    const candidates = kinds(`]d201${GTIN}1728123110LOT721SER9`);
    expect(candidates).toContainEqual([CorrectionKind.GS_MISSING, 'SER9', 'LOT7']);
  });

  it('swaps Y and Z back', () => {
    expect(kinds(`]d201${GTIN}17281231${'10'}L1${GS}21yZ9`)).toContainEqual([CorrectionKind.Y_Z_SWAPPED, 'zY9', 'L1']);
  });

  it('undoes a Caps Lock case inversion', () => {
    expect(kinds(`]d201${GTIN}17281231${'10'}l1${GS}21aBc`)).toContainEqual([CorrectionKind.CASE_CHANGED, 'AbC', 'L1']);
  });

  it('strips an EAN-13 run into the lot', () => {
    expect(kinds(`]d201${GTIN}1728123121S1${GS}10LOT79506000134352`)).toContainEqual([CorrectionKind.EAN_IN_DATA, 'S1', 'LOT7']);
  });

  it('offers nothing for a clean scan without letters to correct', () => {
    expect(scanCorrections(`]d201${GTIN}1728123110123${GS}21456`)).toEqual([]);
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => Array.isArray(scanCorrections(s))),
      { numRuns: 500 },
    );
  });
});

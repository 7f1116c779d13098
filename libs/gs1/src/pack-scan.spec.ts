import { GS } from './element-string';
import { Gs1ErrorCode } from './gs1-error';
import { gs1DateToIso, gs1FullYear } from './gs1-date';
import { parsePackScan } from './pack-scan';

describe('parsePackScan', () => {
  const expected = { gtin: '09506000134352', serial: 'SN1', lot: 'L1', expiry: '261231', expiryDate: '2026-12-31' };

  it.each([
    ['DataMatrix raw data', `]d2010950600013435217261231${'10L1'}${GS}21SN1`, {}],
    ['wedge substitute', ']d201095060001343521726123110L1~21SN1', { gsSubstitute: '~' }],
    ['bracketed', '(01)09506000134352(17)261231(10)L1(21)SN1', {}],
    ['Digital Link', 'https://example.com/01/09506000134352/10/L1/21/SN1?17=261231', {}],
    ['Digital Link from a QR reader', ']Q1https://example.com/01/09506000134352/10/L1/21/SN1?17=261231', {}],
  ])('reads %s', (_label, input, options) => {
    expect(parsePackScan(input, options)).toEqual(expected);
  });

  it('reads an SGTIN URN', () => {
    expect(parsePackScan('urn:epc:id:sgtin:0614141.107346.2017')).toEqual({ gtin: '10614141073464', serial: '2017' });
  });

  it('turns expiry day 00 into the last day of the month', () => {
    expect(parsePackScan('(01)09506000134352(17)280200(21)1')).toMatchObject({ expiry: '280200', expiryDate: '2028-02-29' });
  });

  it.each([
    ['no serial', '(01)09506000134352(17)261231', Gs1ErrorCode.MISSING_REQUIRED_AI, '21'],
    ['no GTIN', '(00)106141412345678908', Gs1ErrorCode.MISSING_REQUIRED_AI, '01'],
    ['an LGTIN', 'urn:epc:class:lgtin:4012345.012345.998877', Gs1ErrorCode.MISSING_REQUIRED_AI, '21'],
    ['a bad GTIN', '(01)09506000134353(21)1', Gs1ErrorCode.BAD_CHECK_DIGIT, '01'],
    ['a bad expiry', '(01)09506000134352(17)260230(21)1', Gs1ErrorCode.BAD_DATE, '17'],
  ])('rejects %s naming the AI', (_label, input, code, ai) => {
    expect(() => parsePackScan(input)).toThrow(expect.objectContaining({ code, ai }));
  });
});

describe('GS1 dates', () => {
  const now = new Date('2026-06-01T00:00:00Z');

  it('applies the sliding century window', () => {
    expect(gs1FullYear(26, now)).toBe(2026);
    expect(gs1FullYear(76, now)).toBe(2076);
    expect(gs1FullYear(77, now)).toBe(1977);
    expect(gs1FullYear(0, now)).toBe(2000);
    expect(gs1FullYear(99, new Date('2060-01-01T00:00:00Z'))).toBe(2099);
    expect(gs1FullYear(5, new Date('2099-01-01T00:00:00Z'))).toBe(2105);
  });

  it('converts YYMMDD with day 00 to ISO', () => {
    expect(gs1DateToIso('261231', now)).toBe('2026-12-31');
    expect(gs1DateToIso('270200', now)).toBe('2027-02-28');
    expect(gs1DateToIso('260400', now)).toBe('2026-04-30');
    expect(() => gs1DateToIso('2612', now)).toThrow(expect.objectContaining({ code: Gs1ErrorCode.BAD_DATE }));
    expect(() => gs1DateToIso('261331', now)).toThrow(expect.objectContaining({ code: Gs1ErrorCode.BAD_DATE }));
    expect(() => gs1DateToIso('260231', now)).toThrow(expect.objectContaining({ code: Gs1ErrorCode.BAD_DATE }));
  });
});

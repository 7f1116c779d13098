import { gs1CheckCharacterPair, gs1CheckDigit, isValidGln, isValidGtin, isValidSscc, toGtin14 } from './check-digit';
import { Gs1Error, Gs1ErrorCode } from './gs1-error';

describe('GS1 check digits and keys', () => {
  it.each([
    ['0950600013435', 2],
    ['10614141234567890', 8],
    ['952123454321', 3],
    ['061414112345', 2],
    ['8061414112345', 8],
  ])('gs1CheckDigit(%s) = %i', (body, digit) => {
    expect(gs1CheckDigit(body)).toBe(digit);
  });

  it('accepts the published GTIN, SSCC and GLN examples', () => {
    expect(isValidGtin('09506000134352')).toBe(true);
    expect(isValidGtin('9506000134352')).toBe(true);
    expect(isValidGtin('614141000036')).toBe(true);
    expect(isValidGtin('95012346')).toBe(true);
    expect(isValidSscc('106141412345678908')).toBe(true);
    expect(isValidGln('9521234543213')).toBe(true);
  });

  it.each(['09506000134353', '0950600013435', 'O9506000134352', '', '095060001343520'])('rejects GTIN %j', (gtin) => {
    expect(isValidGtin(gtin)).toBe(false);
  });

  it('rejects a wrong SSCC or GLN check digit', () => {
    expect(isValidSscc('106141412345678909')).toBe(false);
    expect(isValidGln('9521234543214')).toBe(false);
  });

  it('normalises GTIN-8/12/13 to 14 digits', () => {
    expect(toGtin14('95012346')).toBe('00000095012346');
    expect(toGtin14('614141000036')).toBe('00614141000036');
    expect(toGtin14('9506000134352')).toBe('09506000134352');
    expect(toGtin14('09506000134352')).toBe('09506000134352');
  });

  it.each([
    ['09506000134353', Gs1ErrorCode.BAD_CHECK_DIGIT, 'gtin check digit must be 2'],
    ['0950600013', Gs1ErrorCode.BAD_LENGTH, 'gtin must be 8, 12, 13, 14 digits long, got 10'],
    ['0950600013435X', Gs1ErrorCode.BAD_CHARACTER, 'gtin must contain digits 0-9 only'],
  ])('toGtin14(%s) throws %s', (gtin, code, rule) => {
    const err = captureError(() => toGtin14(gtin));
    expect(err).toMatchObject({ code, rule, ai: '01', field: 'gtin' });
  });

  it('rejects non-digits in check digit input', () => {
    expect(captureError(() => gs1CheckDigit('12a'))).toMatchObject({ code: Gs1ErrorCode.BAD_CHARACTER });
  });

  it('computes the alphanumeric check pair of the reference examples', () => {
    expect(gs1CheckCharacterPair('1987654Ad4X4bL5ttr2310c')).toBe('2K');
    expect(gs1CheckCharacterPair('12345678901234567890123')).toBe('NT');
    expect(gs1CheckCharacterPair('')).toBe('22');
    expect(gs1CheckCharacterPair('12 3')).toBeUndefined();
  });
});

function captureError(fn: () => unknown): Gs1Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof Gs1Error) return err;
    throw err;
  }
  throw new Error('expected a Gs1Error');
}

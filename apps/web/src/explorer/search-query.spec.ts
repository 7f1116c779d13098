import fc from 'fast-check';
import { gs1CheckDigit } from '../../../../libs/gs1/src/browser';
import { GS } from '../scan-code';
import { lotQuery, packKeys, parseSearch, SearchError, SearchErrorCode } from './search-query';

const SSCC = '106141411234567897';

describe('parseSearch', () => {
  it.each([
    ['an SSCC of 18 digits', SSCC, { kind: 'epc', epc: `https://id.gs1.org/00/${SSCC}` }],
    ['a bracketed SSCC', `(00)${SSCC}`, { kind: 'epc', epc: `https://id.gs1.org/00/${SSCC}` }],
    ['an SSCC EPC URN', 'urn:epc:id:sscc:0614141.1234567890', { kind: 'epc', epc: 'urn:epc:id:sscc:0614141.1234567890' }],
    ['an SGTIN EPC URN', 'urn:epc:id:sgtin:0614141.107346.A1', { kind: 'epc', epc: 'urn:epc:id:sgtin:0614141.107346.A1' }],
    [
      'a pack Digital Link on any domain',
      'https://brand.example/p/01/09506000134352/10/L1/21/S%2F1',
      { kind: 'epc', epc: 'https://brand.example/p/01/09506000134352/10/L1/21/S%2F1' },
    ],
    ['a case Digital Link', `https://id.gs1.org/00/${SSCC}`, { kind: 'epc', epc: `https://id.gs1.org/00/${SSCC}` }],
    ['a lot Digital Link', 'https://id.gs1.org/01/09506000134352/10/LOT%207', { kind: 'lot', gtin: '09506000134352', lot: 'LOT 7' }],
    ['raw DataMatrix data', `]d20109506000134352172912311${GS}21X`, { kind: 'scan', code: `]d20109506000134352172912311${GS}21X` }],
    ['a bracketed pack scan', '(01)09506000134352(21)X', { kind: 'scan', code: '(01)09506000134352(21)X' }],
  ])('reads %s', (_, input, expected) => {
    expect(parseSearch(`  ${input}\n`)).toEqual(expected);
  });

  it('turns the configured GS substitute back into GS, as the scan page does', () => {
    expect(parseSearch(']d201095060001343521010L1|21X', '|')).toEqual({ kind: 'scan', code: `]d201095060001343521010L1${GS}21X` });
  });

  it('accepts every SSCC with a right check digit and refuses every wrong one', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), fc.integer({ min: 1, max: 9 }), (body, offset) => {
        const right = gs1CheckDigit(body);
        expect(parseSearch(`${body}${right}`)).toEqual({ kind: 'epc', epc: `https://id.gs1.org/00/${body}${right}` });
        expect(() => parseSearch(`${body}${(right + offset) % 10}`)).toThrow(
          expect.objectContaining({ code: SearchErrorCode.BAD_CHECK_DIGIT, rule: 'sscc-check-digit' }),
        );
      }),
    );
  });

  it('refuses an empty search', () => {
    expect(() => parseSearch('  ')).toThrow(SearchError);
    expect(() => parseSearch('')).toThrow(expect.objectContaining({ code: SearchErrorCode.EMPTY, field: 'search' }));
  });
});

describe('lotQuery', () => {
  it('widens a GTIN-13 to 14 digits and trims the lot', () => {
    expect(lotQuery(' 9506000134352 ', ' L1 ')).toEqual({ kind: 'lot', gtin: '09506000134352', lot: 'L1' });
  });

  it.each([
    ['09506000134353', 'L1', 'gtin', SearchErrorCode.BAD_CHECK_DIGIT],
    ['0950600013435', 'L1', 'gtin', SearchErrorCode.BAD_CHECK_DIGIT],
    ['09506000134352', '', 'lot', SearchErrorCode.BAD_LOT],
    ['09506000134352', 'X'.repeat(21), 'lot', SearchErrorCode.BAD_LOT],
  ])('refuses GTIN %s lot %s, naming the %s field', (gtin, lot, field, code) => {
    expect(() => lotQuery(gtin, lot)).toThrow(expect.objectContaining({ field, code }));
  });
});

describe('packKeys', () => {
  it('reads GTIN, serial or SSCC from a canonical Digital Link', () => {
    expect(packKeys('https://id.gs1.org/01/09506000134352/21/A%2FB')).toEqual({ gtin: '09506000134352', serial: 'A/B', sscc: undefined });
    expect(packKeys(`https://id.gs1.org/00/${SSCC}`)).toEqual({ gtin: undefined, serial: undefined, sscc: SSCC });
    expect(packKeys('urn:epc:id:sscc:0614141.1234567890')).toEqual({});
  });
});

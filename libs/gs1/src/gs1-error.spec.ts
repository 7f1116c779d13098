import { canonicalEpc, companyPrefixLengthFor, gtinToSgtinUrn } from './epc';
import { parseDigitalLink } from './digital-link';
import { parseElementString } from './element-string';
import { Gs1Error, Gs1ErrorCode } from './gs1-error';
import { parsePackScan } from './pack-scan';
import { parseSyntaxDictionary } from './syntax-dictionary';
import { toGtin14 } from './check-digit';

/** One reachable trigger per error code, with the AI, field and rule it must name. */
const TRIGGERS: Record<Gs1ErrorCode, [() => unknown, Partial<Gs1Error>]> = {
  [Gs1ErrorCode.BAD_CHECK_DIGIT]: [
    () => parsePackScan('(01)09506000134353(21)1'),
    { ai: '01', field: 'value', rule: 'csum: check digit must be 2' },
  ],
  [Gs1ErrorCode.BAD_LENGTH]: [() => toGtin14('123'), { ai: '01', field: 'gtin', rule: 'gtin must be 8, 12, 13, 14 digits long, got 3' }],
  [Gs1ErrorCode.BAD_CHARACTER]: [
    () => parseElementString('(01)09506000134352(21)A B'),
    { ai: '21', field: 'value', rule: 'may contain only GS1 character set 82' },
  ],
  [Gs1ErrorCode.UNKNOWN_AI]: [
    () => parseElementString('(01)09506000134352(23)1'),
    { ai: '23', rule: '(23) is not a GS1 Application Identifier' },
  ],
  [Gs1ErrorCode.BAD_FORMAT]: [
    () => parseElementString('(01)09506000134352(422)000'),
    { ai: '422', rule: 'iso3166: "000" is not an ISO 3166-1 numeric country code' },
  ],
  [Gs1ErrorCode.BAD_DATE]: [
    () => parsePackScan('(01)09506000134352(17)260230(21)1'),
    { ai: '17', rule: 'yymmd0: day must be 00-28 for month 2 of 2026' },
  ],
  [Gs1ErrorCode.MISSING_REQUIRED_AI]: [
    () => parseElementString('(10)L1'),
    { ai: '10', rule: 'requires (01) or (02) or (03) or (8006) or (8026)' },
  ],
  [Gs1ErrorCode.INVALID_AI_PAIR]: [
    () => parseElementString('(01)09506000134352(21)1(235)X'),
    { ai: '21', rule: 'must not appear together with (235)' },
  ],
  [Gs1ErrorCode.DUPLICATE_AI]: [
    () => parseElementString('(01)09506000134352(21)1(21)2'),
    { ai: '21', rule: 'appears more than once with different data' },
  ],
  [Gs1ErrorCode.BAD_EPC_URI]: [
    () => canonicalEpc('urn:epc:id:sgtin:0614141.107346.a%41'),
    { field: 'serial', rule: '"%41" is not one of the escapes %22 %25 %26 %2F %3C %3E %3F' },
  ],
  [Gs1ErrorCode.UNKNOWN_COMPANY_PREFIX]: [() => companyPrefixLengthFor('09506000134352', new Set(['0614141'])), { field: 'companyPrefix' }],
  [Gs1ErrorCode.BAD_DIGITAL_LINK]: [() => parseDigitalLink('https://id.gs1.org/01/09506000134352/21/1/10/2'), { ai: '01', field: 'path' }],
  [Gs1ErrorCode.BAD_DICTIONARY]: [() => parseSyntaxDictionary('01 *? N14,csum [X..3] N2'), { field: 'dictionary' }],
};

describe('Gs1Error', () => {
  it.each(Object.entries(TRIGGERS))('%s is raised with the AI, field and rule that failed', (code, [trigger, expected]) => {
    let caught: unknown;
    try {
      trigger();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Gs1Error);
    expect(caught).toMatchObject({ code, ...expected });
    expect((caught as Gs1Error).message).toContain((caught as Gs1Error).rule);
  });

  it('builds its message from AI, field and rule', () => {
    const err = new Gs1Error(Gs1ErrorCode.BAD_LENGTH, 'must be 6 digits', { ai: '17', field: 'value' });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('Gs1Error');
    expect(err.message).toBe('AI (17) value: must be 6 digits');
  });

  it('URN writers reject bad serials with the AI rule', () => {
    expect(() => gtinToSgtinUrn('09506000134352', '', 7)).toThrow(expect.objectContaining({ code: Gs1ErrorCode.BAD_LENGTH, ai: '21' }));
  });
});

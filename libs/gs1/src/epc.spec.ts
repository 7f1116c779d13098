import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { canonicalEpc, companyPrefixLengthFor, epcToDigitalLink, epcToUrn, gtinToSgtinUrn, parseEpc } from './epc';
import { Gs1ErrorCode } from './gs1-error';
import { resolveSyntaxDictionaryPath } from './syntax-dictionary';

const STANDARDS = path.resolve(path.dirname(resolveSyntaxDictionaryPath()), '..');

describe('parseEpc', () => {
  it.each([
    ['urn:epc:id:sgtin:0614141.107346.2017', { kind: 'sgtin', gtin: '10614141073464', serial: '2017' }],
    ['urn:epc:id:sgtin:0614141.812345.6789', { kind: 'sgtin', gtin: '80614141123458', serial: '6789' }],
    ['urn:epc:id:sgtin:0614141.012345.A%2FB%25C%22%26%3C%3E%3F.d', { kind: 'sgtin', gtin: '00614141123452', serial: 'A/B%C"&<>?.d' }],
    ['urn:epc:id:sscc:0614141.1234567890', { kind: 'sscc', sscc: '106141412345678908' }],
    ['urn:epc:id:sgln:0614141.07346.1234', { kind: 'sgln', gln: '0614141073467', extension: '1234' }],
    ['urn:epc:id:sgln:0012345.11111.0', { kind: 'sgln', gln: '0012345111112' }],
    ['urn:epc:class:lgtin:4012345.012345.998877', { kind: 'lgtin', gtin: '04012345123456', lot: '998877' }],
    ['urn:epc:id:pgln:0614141.00777', { kind: 'pgln', gln: '0614141007776' }],
    ['urn:epc:id:grai:4012345.55555.987', { kind: 'grai', grai: '04012345555554', serial: '987' }],
    ['urn:epc:idpat:sgtin:4012345.066666.*', { kind: 'gtin', gtin: '04012345666663' }],
    ['https://example.com/01/09506000134352/21/abc', { kind: 'sgtin', gtin: '09506000134352', serial: 'abc' }],
    ['https://id.gs1.org/01/09506000134352/10/L1/21/abc?17=261231', { kind: 'sgtin', gtin: '09506000134352', serial: 'abc' }],
    ['https://id.gs1.org/01/09506000134352/10/L1', { kind: 'lgtin', gtin: '09506000134352', lot: 'L1' }],
    ['https://id.gs1.org/00/106141412345678908', { kind: 'sscc', sscc: '106141412345678908' }],
    ['https://id.gs1.org/414/9521234543213/254/ext', { kind: 'sgln', gln: '9521234543213', extension: 'ext' }],
    ['https://id.gs1.org/414/9521234543213/254/0', { kind: 'sgln', gln: '9521234543213' }],
    ['https://id.gs1.org/417/9521234543213', { kind: 'pgln', gln: '9521234543213' }],
    ['https://id.gs1.org/8003/09521234543213', { kind: 'grai', grai: '09521234543213' }],
    ['https://id.gs1.org/8003/09521234543213S1', { kind: 'grai', grai: '09521234543213', serial: 'S1' }],
  ])('parses %s', (uri, epc) => {
    expect(parseEpc(uri)).toEqual(epc);
  });

  it.each([
    ['urn:epc:id:sgtin:0614141.107346.20%17', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:sgtin:0614141.10734.2017', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:sgtin:06141.11073461.2017', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:sgtin:0614141.107346', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:sgtin:0614141.107346.', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:sgtin:0614141.107346.123456789012345678901', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:idpat:sgtin:0614141.*.*', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:giai:4000001.111', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:isbn:123', Gs1ErrorCode.BAD_EPC_URI],
    ['0614141.107346.2017', Gs1ErrorCode.BAD_EPC_URI],
    ['https://id.gs1.org/01/09506000134352/22/CPV', Gs1ErrorCode.BAD_EPC_URI],
    ['https://id.gs1.org/253/9521234543213A', Gs1ErrorCode.BAD_EPC_URI],
    ['https://id.gs1.org/01/09506000134353/21/x', Gs1ErrorCode.BAD_CHECK_DIGIT],
    ['https://id.gs1.org/21/x', Gs1ErrorCode.BAD_DIGITAL_LINK],
  ])('rejects %s', (uri, code) => {
    expect(() => parseEpc(uri)).toThrow(expect.objectContaining({ code }));
  });
});

describe('canonicalEpc', () => {
  it('gives one form for URN and Digital Link inputs on any domain', () => {
    const forms = [
      'urn:epc:id:sgtin:0614141.107346.2017',
      'https://id.gs1.org/01/10614141073464/21/2017',
      'https://example.com/01/10614141073464/21/2017',
      'http://example.com/prefix/01/10614141073464/10/LOT/21/2017?17=261231',
    ];
    expect(new Set(forms.map(canonicalEpc))).toEqual(new Set(['https://id.gs1.org/01/10614141073464/21/2017']));
    expect(canonicalEpc('urn:epc:id:sscc:0614141.1234567890')).toBe('https://id.gs1.org/00/106141412345678908');
    expect(canonicalEpc('https://example.com/01/9506000134352/21/abc')).toBe('https://id.gs1.org/01/09506000134352/21/abc');
    expect(canonicalEpc('urn:epc:id:sgtin:0614141.012345.A%2FB')).toBe('https://id.gs1.org/01/00614141123452/21/A%2FB');
  });

  /** The CBV 2.0 event hash reference implementation writes every EPC in canonical Digital Link form in its pre-hash strings. */
  it('matches the CBV 2.0 event-hash reference vectors for every supported URN they contain', () => {
    const dir = path.join(STANDARDS, 'cbv-event-hash');
    let checked = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonld'))) {
      const prehashes = path.join(dir, file.replace(/\.jsonld$/, '.prehashes'));
      if (!readdirSync(dir).includes(path.basename(prehashes))) continue;
      const expected = readFileSync(prehashes, 'utf8');
      const urns = readFileSync(path.join(dir, file), 'utf8').match(/urn:epc:(?:id:(?:sgtin|sscc|sgln|pgln|grai)|class:lgtin|idpat:sgtin):[^"<\s]+/g) ?? [];
      for (const urn of new Set(urns)) {
        expect({ urn, found: expected.includes(canonicalEpc(urn)) }).toEqual({ urn, found: true });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe('EPC URNs', () => {
  it('writes URNs with the company prefix length', () => {
    expect(gtinToSgtinUrn('10614141073464', '2017', 7)).toBe('urn:epc:id:sgtin:0614141.107346.2017');
    expect(gtinToSgtinUrn('9506000134352', 'a/b%"', 7)).toBe('urn:epc:id:sgtin:9506000.013435.a%2Fb%25%22');
    expect(epcToUrn(parseEpc('https://id.gs1.org/01/10614141073464/21/2017'), 7)).toBe('urn:epc:id:sgtin:0614141.107346.2017');
    expect(epcToUrn({ kind: 'sscc', sscc: '106141412345678908' }, 7)).toBe('urn:epc:id:sscc:0614141.1234567890');
    expect(epcToUrn({ kind: 'sgln', gln: '0614141073467', extension: '1234' }, 7)).toBe('urn:epc:id:sgln:0614141.07346.1234');
    expect(epcToUrn({ kind: 'sgln', gln: '0012345111112' }, 7)).toBe('urn:epc:id:sgln:0012345.11111.0');
    expect(epcToUrn({ kind: 'lgtin', gtin: '04012345123456', lot: '998877' }, 7)).toBe('urn:epc:class:lgtin:4012345.012345.998877');
    expect(epcToUrn({ kind: 'pgln', gln: '0614141007776' }, 7)).toBe('urn:epc:id:pgln:0614141.00777');
    expect(epcToUrn({ kind: 'grai', grai: '04012345555554', serial: '987' }, 7)).toBe('urn:epc:id:grai:4012345.55555.987');
    expect(epcToUrn({ kind: 'gtin', gtin: '04012345666663' }, 7)).toBe('urn:epc:idpat:sgtin:4012345.066666.*');
  });

  it('round-trips URN -> Epc -> URN and Epc -> Digital Link -> Epc', () => {
    const urns = ['urn:epc:id:sgtin:9521234.054321.x%2Fy', 'urn:epc:id:sscc:952123456.12345678', 'urn:epc:id:grai:95212345.1234.s1'];
    for (const urn of urns) {
      const epc = parseEpc(urn);
      const cpLength = urn.split(':')[4].split('.')[0].length;
      expect(epcToUrn(epc, cpLength)).toBe(urn);
      expect(parseEpc(epcToDigitalLink(epc))).toEqual(epc);
    }
  });

  it.each([5, 13, 7.5])('rejects company prefix length %d', (length) => {
    expect(() => gtinToSgtinUrn('09506000134352', '1', length)).toThrow(expect.objectContaining({ code: Gs1ErrorCode.BAD_EPC_URI, field: 'companyPrefixLength' }));
  });

  it('rejects a GRAI without serial and a bad serial', () => {
    expect(() => epcToUrn({ kind: 'grai', grai: '04012345555554' }, 7)).toThrow(expect.objectContaining({ code: Gs1ErrorCode.BAD_EPC_URI }));
    expect(() => gtinToSgtinUrn('09506000134352', 'a b', 7)).toThrow(expect.objectContaining({ code: Gs1ErrorCode.BAD_CHARACTER, ai: '21' }));
  });
});

describe('companyPrefixLengthFor', () => {
  const known = ['0614141', '061414', '9506000', '95060001', '0012345'];

  it('finds the longest registered prefix after the indicator or extension digit', () => {
    expect(companyPrefixLengthFor('10614141073464', known)).toBe(7);
    expect(companyPrefixLengthFor('09506000134352', known)).toBe(8);
    expect(companyPrefixLengthFor('9506000134352', known)).toBe(8);
    expect(companyPrefixLengthFor('106141412345678908', known)).toBe(7);
  });

  it('throws UNKNOWN_COMPANY_PREFIX when none matches', () => {
    expect(() => companyPrefixLengthFor('04012345123456', known)).toThrow(expect.objectContaining({ code: Gs1ErrorCode.UNKNOWN_COMPANY_PREFIX }));
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { canonicalDigitalLink } from '@pharmatrace/epcis';
import { canonicalEpc, companyPrefixLengthFor, epcToDigitalLink, epcToUrn, gtinToSgtinUrn, parseEpc } from './epc';
import fc from 'fast-check';
import { gs1CheckDigit } from './check-digit';
import { Gs1Error, Gs1ErrorCode } from './gs1-error';
import { resolveSyntaxDictionaryPath } from './syntax-dictionary';

const STANDARDS = path.resolve(path.dirname(resolveSyntaxDictionaryPath()), '..');
const VECTORS = path.join(STANDARDS, 'cbv-event-hash');

/** Every EPC URN (any scheme) written in the CBV 2.0 event-hash vectors' input documents. */
function vectorUrns(): string[] {
  const urns = new Set<string>();
  for (const file of readdirSync(VECTORS).filter((f) => /\.(jsonld|xml)$/.test(f))) {
    for (const urn of readFileSync(path.join(VECTORS, file), 'utf8').match(/urn:epc:(?:id|class|idpat):[a-z]+:[^"<\s]+/g) ?? [])
      urns.add(urn);
  }
  return [...urns];
}

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
    ['urn:epc:id:giai:735005385.vehicle1', { kind: 'giai', giai: '735005385vehicle1' }],
    ['urn:epc:id:giai:4000001.a.b%2Fc', { kind: 'giai', giai: '4000001a.b/c' }],
    ['https://example.com/8004/4000001111', { kind: 'giai', giai: '4000001111' }],
    ['urn:epc:id:gsrn:95252084.000000001', { kind: 'gsrn', gsrn: '952520840000000010' }],
    ['https://id.gs1.org/8018/401234500000067657', { kind: 'gsrn', gsrn: '401234500000067657' }],
    ['urn:epc:id:gsrnp:4012345.0000000007', { kind: 'gsrnp', gsrnp: '401234500000000074' }],
    ['https://id.gs1.org/8017/401234500000000074', { kind: 'gsrnp', gsrnp: '401234500000000074' }],
    ['urn:epc:id:gdti:95252084.0001.0003555480001000', { kind: 'gdti', gdti: '9525208400014', serial: '0003555480001000' }],
    ['urn:epc:id:gdti:987659999999..9', { kind: 'gdti', gdti: '9876599999992', serial: '9' }],
    ['https://id.gs1.org/253/4012345000092PO-4711', { kind: 'gdti', gdti: '4012345000092', serial: 'PO-4711' }],
    ['https://id.gs1.org/253/4012345000092', { kind: 'gdti', gdti: '4012345000092' }],
    ['urn:epc:idpat:gdti:4012345.00009.*', { kind: 'gdti', gdti: '4012345000092' }],
    ['urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234', { kind: 'cpi', cpid: '061414111111111111111-A#/', serial: '1234' }],
    ['https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234', { kind: 'cpi', cpid: '061414111111111111111-A#/', serial: '1234' }],
    ['urn:epc:idpat:cpi:0614141.5PQ7%2FZ43.*', { kind: 'cpi', cpid: '06141415PQ7/Z43' }],
    ['urn:epc:id:sgcn:4012345.67890.04711', { kind: 'sgcn', gcn: '4012345678901', serial: '04711' }],
    ['https://id.gs1.org/255/401234567890104711', { kind: 'sgcn', gcn: '4012345678901', serial: '04711' }],
    ['urn:epc:id:ginc:0614141.xyz47%2F11', { kind: 'ginc', ginc: '0614141xyz47/11' }],
    ['https://id.gs1.org/401/0614141xyz47%2F11', { kind: 'ginc', ginc: '0614141xyz47/11' }],
    ['urn:epc:id:gsin:4012345.222333444', { kind: 'gsin', gsin: '40123452223334442' }],
    ['https://id.gs1.org/402/40123452223334442', { kind: 'gsin', gsin: '40123452223334442' }],
    ['urn:epc:id:itip:4012345.011111.01.02.987', { kind: 'itip', itip: '040123451111180102', serial: '987' }],
    ['https://id.gs1.org/8006/040123451111180102/21/987', { kind: 'itip', itip: '040123451111180102', serial: '987' }],
    ['https://id.gs1.org/8006/040123451111180102', { kind: 'itip', itip: '040123451111180102' }],
    ["urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB", { kind: 'upui', gtin: '01234567987651', tpx: "51qIgY)<&Jp3*j7'SDB" }],
    ['https://id.gs1.org/01/01234567987651/235/51qIgY%29', { kind: 'upui', gtin: '01234567987651', tpx: '51qIgY)' }],
    ['urn:epc:idpat:grai:4012345.55555.*', { kind: 'grai', grai: '04012345555554' }],
    ['urn:epc:idpat:sgcn:4012345.67890.*', { kind: 'sgcn', gcn: '4012345678901' }],
    ['urn:epc:idpat:itip:4012345.011111.01.02.*', { kind: 'itip', itip: '040123451111180102' }],
    ['urn:epc:idpat:upui:4012345.066666.*', { kind: 'gtin', gtin: '04012345666663' }],
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
    ['urn:epc:id:giai:4000001.', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:giai:4000001.1234567890123456789012345', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:giai:4000001.a%2', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:gsrn:4012345.000000676', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:gdti:4012345.00009.', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:sgcn:4012345.67890.A1', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:cpi:0614141.ab.1', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:cpi:0614141.AB%2D.1', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:cpi:0614141.AB.0123', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:itip:4012345.011111.03.02.987', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:itip:4012345.011111.1.02.987', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:upui:4012345.011111.', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:idpat:gdti:4012345.*.*', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:epc:id:usdod:2S194.12345678901', Gs1ErrorCode.BAD_EPC_URI],
    ['urn:isbn:123', Gs1ErrorCode.BAD_EPC_URI],
    ['0614141.107346.2017', Gs1ErrorCode.BAD_EPC_URI],
    ['https://id.gs1.org/01/09506000134352/22/CPV', Gs1ErrorCode.BAD_EPC_URI],
    ['https://id.gs1.org/415/9521234543213/8020/INV1', Gs1ErrorCode.BAD_EPC_URI],
    ['https://id.gs1.org/8004/4000001111/7040/1A2B', Gs1ErrorCode.BAD_EPC_URI],
    ['https://id.gs1.org/8018/401234500000067657/8019/1', Gs1ErrorCode.BAD_EPC_URI],
    ['https://id.gs1.org/8006/040123451111180102/10/L1', Gs1ErrorCode.BAD_EPC_URI],
    ['https://id.gs1.org/253/9521234543214A', Gs1ErrorCode.BAD_CHECK_DIGIT],
    ['https://id.gs1.org/01/09506000134353/21/x', Gs1ErrorCode.BAD_CHECK_DIGIT],
    ['https://id.gs1.org/21/x', Gs1ErrorCode.BAD_DIGITAL_LINK],
  ])('rejects %s', (uri, code) => {
    expect(() => parseEpc(uri)).toThrow(expect.objectContaining({ code }));
  });

  it('reads a canonical SGTIN Digital Link as the general parse does, valid or not (property)', () => {
    // A trailing slash changes nothing of such a link's meaning but takes it past the canonical form's fast path.
    const outcome = (uri: string) => {
      try {
        return parseEpc(uri);
      } catch (e) {
        return { code: (e as Gs1Error).code, rule: (e as Gs1Error).rule, message: (e as Error).message };
      }
    };
    const gtin = fc.oneof(
      fc.stringMatching(/^\d{13}$/).map((body) => body + gs1CheckDigit(body)),
      fc.stringMatching(/^\d{14}$/),
    );
    fc.assert(
      fc.property(gtin, fc.stringMatching(/^[\w.-]{1,20}$/), (key, serial) => {
        const uri = `https://id.gs1.org/01/${key}/21/${serial}`;
        expect(outcome(uri)).toEqual(outcome(`${uri}/`));
      }),
      { numRuns: 2000 },
    );
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

  it('gives the canonical form of the new schemes for URN and Digital Link inputs alike', () => {
    const pairs = [
      ['urn:epc:id:giai:4000001.111', 'https://id.gs1.org/8004/4000001111'],
      ['urn:epc:id:gsrn:4012345.0000006765', 'https://id.gs1.org/8018/401234500000067657'],
      ['urn:epc:id:gsrnp:4012345.0000000007', 'https://id.gs1.org/8017/401234500000000074'],
      ['urn:epc:id:gdti:4012345.00009.PO-4711', 'https://id.gs1.org/253/4012345000092PO-4711'],
      ['urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234', 'https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234'],
      ['urn:epc:id:sgcn:4012345.67890.04711', 'https://id.gs1.org/255/401234567890104711'],
      ['urn:epc:id:ginc:0614141.xyz47%2F11', 'https://id.gs1.org/401/0614141xyz47%2F11'],
      ['urn:epc:id:gsin:4012345.222333444', 'https://id.gs1.org/402/40123452223334442'],
      ['urn:epc:id:itip:4012345.011111.01.02.987', 'https://id.gs1.org/8006/040123451111180102/21/987'],
      ["urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB", "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7'SDB"],
    ];
    for (const [urn, dl] of pairs) {
      expect({ urn, canonical: canonicalEpc(urn) }).toEqual({ urn, canonical: dl });
      expect(canonicalEpc(dl.replace('https://id.gs1.org', 'http://example.com/x'))).toBe(dl);
    }
    expect(canonicalEpc('https://id.gs1.org/401/0614141a%27%3B%3Db')).toBe("https://id.gs1.org/401/0614141a';=b");
  });

  /** The CBV 2.0 event hash reference implementation writes every EPC in canonical Digital Link form in its pre-hash strings. */
  it('matches the CBV 2.0 event-hash reference vectors for every URN they contain', () => {
    let checked = 0;
    for (const file of readdirSync(VECTORS).filter((f) => f.endsWith('.prehashes'))) {
      const expected = readFileSync(path.join(VECTORS, file), 'utf8');
      const input = readFileSync(path.join(VECTORS, file.replace(/\.prehashes$/, '.jsonld')), 'utf8');
      for (const urn of new Set(input.match(/urn:epc:(?:id|class|idpat):[a-z]+:[^"<\s]+/g) ?? [])) {
        expect({ urn, found: expected.includes(canonicalEpc(urn)) }).toEqual({ urn, found: true });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(70);
  });

  it('agrees with the event-hash normaliser (the reference dl_normaliser port) on every URN in the vectors', () => {
    const urns = vectorUrns();
    const kinds = new Set(urns.map((urn) => parseEpc(urn).kind));
    expect([...kinds].sort()).toEqual([
      'cpi',
      'gdti',
      'giai',
      'ginc',
      'grai',
      'gsin',
      'gsrn',
      'gsrnp',
      'gtin',
      'itip',
      'lgtin',
      'pgln',
      'sgln',
      'sgtin',
      'sscc',
      'upui',
    ]);
    for (const urn of urns) expect({ urn, canonical: canonicalEpc(urn) }).toEqual({ urn, canonical: canonicalDigitalLink(urn) });
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
    expect(epcToUrn({ kind: 'giai', giai: '735005385vehicle/1' }, 9)).toBe('urn:epc:id:giai:735005385.vehicle%2F1');
    expect(epcToUrn({ kind: 'gsrn', gsrn: '952520840000000010' }, 8)).toBe('urn:epc:id:gsrn:95252084.000000001');
    expect(epcToUrn({ kind: 'gsrnp', gsrnp: '401234500000000074' }, 7)).toBe('urn:epc:id:gsrnp:4012345.0000000007');
    expect(epcToUrn({ kind: 'gdti', gdti: '9876599999992', serial: '9' }, 12)).toBe('urn:epc:id:gdti:987659999999..9');
    expect(epcToUrn({ kind: 'cpi', cpid: '061414111111111111111-A#/', serial: '1234' }, 7)).toBe(
      'urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234',
    );
    expect(epcToUrn({ kind: 'sgcn', gcn: '4012345678901', serial: '04711' }, 7)).toBe('urn:epc:id:sgcn:4012345.67890.04711');
    expect(epcToUrn({ kind: 'ginc', ginc: '0614141xyz47/11' }, 7)).toBe('urn:epc:id:ginc:0614141.xyz47%2F11');
    expect(epcToUrn({ kind: 'gsin', gsin: '40123452223334442' }, 7)).toBe('urn:epc:id:gsin:4012345.222333444');
    expect(epcToUrn({ kind: 'itip', itip: '040123451111180102', serial: '987' }, 7)).toBe('urn:epc:id:itip:4012345.011111.01.02.987');
    expect(epcToUrn({ kind: 'upui', gtin: '01234567987651', tpx: "51qIgY)<&Jp3*j7'SDB" }, 7)).toBe(
      "urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB",
    );
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
    expect(() => gtinToSgtinUrn('09506000134352', '1', length)).toThrow(
      expect.objectContaining({ code: Gs1ErrorCode.BAD_EPC_URI, field: 'companyPrefixLength' }),
    );
  });

  it('rejects a GRAI without serial and a bad serial', () => {
    expect(() => epcToUrn({ kind: 'grai', grai: '04012345555554' }, 7)).toThrow(
      expect.objectContaining({ code: Gs1ErrorCode.BAD_EPC_URI }),
    );
    expect(() => epcToUrn({ kind: 'itip', itip: '040123451111180102' }, 7)).toThrow(
      expect.objectContaining({ code: Gs1ErrorCode.BAD_EPC_URI, field: 'serial' }),
    );
    expect(() => epcToUrn({ kind: 'giai', giai: '4000001' }, 7)).toThrow(
      expect.objectContaining({ code: Gs1ErrorCode.BAD_EPC_URI, field: 'giai' }),
    );
    expect(() => epcToUrn({ kind: 'gsrn', gsrn: '401234500000067658' }, 7)).toThrow(
      expect.objectContaining({ code: Gs1ErrorCode.BAD_CHECK_DIGIT, ai: '8018' }),
    );
    expect(() => gtinToSgtinUrn('09506000134352', 'a b', 7)).toThrow(
      expect.objectContaining({ code: Gs1ErrorCode.BAD_CHARACTER, ai: '21' }),
    );
  });
});

describe('companyPrefixLengthFor', () => {
  const known = new Set(['0614141', '061414', '9506000', '95060001', '0012345']);

  it('finds the longest registered prefix after the indicator or extension digit', () => {
    expect(companyPrefixLengthFor('10614141073464', known)).toBe(7);
    expect(companyPrefixLengthFor('09506000134352', known)).toBe(8);
    expect(companyPrefixLengthFor('9506000134352', known)).toBe(8);
    expect(companyPrefixLengthFor('106141412345678908', known)).toBe(7);
  });

  it('throws UNKNOWN_COMPANY_PREFIX when none matches', () => {
    expect(() => companyPrefixLengthFor('04012345123456', known)).toThrow(
      expect.objectContaining({ code: Gs1ErrorCode.UNKNOWN_COMPANY_PREFIX }),
    );
  });
});

import fc from 'fast-check';
import { canonicalDigitalLink } from './epc-normaliser';
import { canonicalValue } from './prehash';

describe('canonicalDigitalLink', () => {
  it.each([
    ['urn:epc:id:sgtin:4012345.011111.9876', 'https://id.gs1.org/01/04012345111118/21/9876'],
    ['urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()', 'https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29'],
    ['urn:epc:id:sscc:4012345.3111111111', 'https://id.gs1.org/00/340123451111111111'],
    ['urn:epc:id:sgln:4012345.00005.0', 'https://id.gs1.org/414/4012345000054'],
    ['urn:epc:id:sgln:4012345.00005.122', 'https://id.gs1.org/414/4012345000054/254/122'],
    ['urn:epc:id:grai:4012345.00022.334455', 'https://id.gs1.org/8003/04012345000221334455'],
    ['urn:epc:id:giai:4012345.ABC345', 'https://id.gs1.org/8004/4012345ABC345'],
    ['urn:epc:id:gsrn:4012345.0000006765', 'https://id.gs1.org/8018/401234500000067657'],
    ['urn:epc:id:gdti:987659999999..9', 'https://id.gs1.org/253/98765999999929'],
    // A 12-digit company prefix leaves the GRAI's asset type empty (check digit worked by hand).
    ['urn:epc:id:grai:999999999999..5', 'https://id.gs1.org/8003/099999999999945'],
    ['urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234', 'https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234'],
    ['urn:epc:id:itip:4012345.011111.01.02.987', 'https://id.gs1.org/8006/040123451111180102/21/987'],
    ['urn:epc:id:pgln:999999999999.', 'https://id.gs1.org/417/9999999999994'],
    ['urn:epc:class:lgtin:4012345.012345.Lot987', 'https://id.gs1.org/01/04012345123456/10/Lot987'],
    ['urn:epc:idpat:sgtin:4012345.044444.*', 'https://id.gs1.org/01/04012345444445'],
    ['https://example.com/gtin/9780345418913/21/765tz?abc=211121', 'https://id.gs1.org/01/09780345418913/21/765tz'],
    ['http://id.example.org/01/04012345111118/10/L1/21/S1', 'https://id.gs1.org/01/04012345111118/21/S1'],
    ['https://id.gs1.org/01/04012345111118/22/2A/10/L1', 'https://id.gs1.org/01/04012345111118/10/L1'],
    ['https://brand.example/8004/401234599999', 'https://id.gs1.org/8004/401234599999'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalDigitalLink(input)).toBe(expected);
  });

  it.each([
    'OBSERVE',
    'urn:epcglobal:cbv:bt:0614141073467:1152',
    'geo:47.506694,11.104301',
    'http://transaction.acme.com/po/12345678',
    'https://ref.gs1.org/cbv/BizStep-shipping',
    'urn:epc:id:sgtin:4012345.011111',
  ])('leaves %s alone', (input) => {
    expect(canonicalDigitalLink(input)).toBeNull();
  });

  it('maps an SGTIN URN and its Digital Link to the same canonical form', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 12 }),
        fc.stringMatching(/^\d{13}$/),
        fc.stringMatching(/^[A-Za-z0-9]{1,20}$/),
        (cpLength, body, serial) => {
          const indicator = body[0];
          const cp = body.slice(1, 1 + cpLength);
          const itemRef = indicator + body.slice(1 + cpLength);
          const fromUrn = canonicalDigitalLink(`urn:epc:id:sgtin:${cp}.${itemRef}.${serial}`);
          expect(fromUrn).toMatch(/^https:\/\/id\.gs1\.org\/01\/\d{14}\/21\//);
          const gtin = fromUrn!.slice('https://id.gs1.org/01/'.length, 'https://id.gs1.org/01/'.length + 14);
          expect(canonicalDigitalLink(`https://shop.example/01/${gtin}/21/${serial}?x=1`)).toBe(fromUrn);
        },
      ),
    );
  });

  it('leaves a canonical SGTIN Digital Link as it is, under every rule and as a number too (canonicalValue answers it first)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{14}$/),
        fc.stringMatching(/^[\w.-]{1,20}$/),
        fc.boolean(),
        fc.constantFrom(1, 2, 3),
        (gtin, serial, numeric, rules) => {
          const uri = `https://id.gs1.org/01/${gtin}/21/${serial}`;
          expect(canonicalDigitalLink(uri)).toBe(uri);
          expect(canonicalValue(uri, numeric, rules as 1 | 2 | 3)).toBe(uri);
        },
      ),
    );
  });

  it('renames short names however many a URI holds, and only when it holds one', () => {
    expect(canonicalDigitalLink('https://example.com/gtin/09506000134352/ser/abc')).toBe('https://id.gs1.org/01/09506000134352/21/abc');
    expect(canonicalDigitalLink('https://example.com/sscc/106141412345678908')).toBe('https://id.gs1.org/00/106141412345678908');
    expect(canonicalDigitalLink('https://id.gs1.org/01/09506000134352/21/ser')).toBe('https://id.gs1.org/01/09506000134352/21/ser');
  });
});

import fc from 'fast-check';
import { gs1CheckDigit } from './check-digit';
import { digitalLinkToElementString, parseDigitalLink, toDigitalLink } from './digital-link';
import { GS, formatElementString, parseElementString } from './element-string';
import { parseEpc } from './epc';
import { Gs1Error } from './gs1-error';
import { parsePackScan } from './pack-scan';

const CSET82 = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const cset82 = (max: number) => fc.string({ unit: fc.constantFrom(...CSET82), minLength: 1, maxLength: max });
const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const withCheckDigit = (n: number) => digits(n - 1).map((body) => body + gs1CheckDigit(body));
const yymmd0 = fc.record({ yy: fc.integer({ min: 0, max: 99 }), mm: fc.integer({ min: 1, max: 12 }), dd: fc.integer({ min: 0, max: 28 }) }).map(
  ({ yy, mm, dd }) => [yy, mm, dd].map((n) => String(n).padStart(2, '0')).join(''),
);

/** Valid pack element sets: GTIN with optional CPV/lot/serial qualifiers and Digital Link data attributes. */
const packElements = fc
  .record(
    {
      '01': withCheckDigit(14),
      '22': cset82(20),
      '10': cset82(20),
      '21': cset82(20),
      '17': yymmd0,
      '11': yymmd0,
      '30': fc.integer({ min: 0, max: 99999999 }).map(String),
      '3103': digits(6),
      '240': cset82(30),
    },
    { requiredKeys: ['01'] },
  )
  .map((byAi) => Object.entries(byAi).map(([ai, value]) => ({ ai, value: value as string })));

const onlyGs1Errors = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof Gs1Error)) throw err;
  }
};

describe('GS1 properties', () => {
  it('element string -> Digital Link -> element string keeps every element', () => {
    fc.assert(
      fc.property(packElements, (elements) => {
        const scanned = parseElementString(formatElementString(elements));
        const uri = toDigitalLink(scanned.elements);
        const back = parseElementString(digitalLinkToElementString(uri));
        expect(back.byAi).toEqual(Object.fromEntries(elements.map(({ ai, value }) => [ai, value])));
        expect(parseDigitalLink(uri).byAi).toEqual(back.byAi);
      }),
      { numRuns: 300 },
    );
  });

  it('bracketed and GS forms parse to the same elements', () => {
    fc.assert(
      fc.property(packElements, (elements) => {
        expect(parseElementString(formatElementString(elements, { style: 'bracketed' })).byAi).toEqual(parseElementString(formatElementString(elements)).byAi);
      }),
      { numRuns: 200 },
    );
  });

  const noise = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(...'0123456789()]dCQe%/:.?=&\x1d'), maxLength: 60 }),
    fc.uint8Array({ maxLength: 60 }).map((bytes) => String.fromCharCode(...bytes)),
    fc.tuple(fc.constantFrom(']d2', '(01)', 'https://id.gs1.org/01/', 'urn:epc:id:sgtin:', 'urn:epc:idpat:sgtin:', '01095060001343521'), fc.string({ maxLength: 40 })).map(([a, b]) => a + b),
  );

  it.each([
    ['parseElementString', (s: string) => parseElementString(s, { gsSubstitute: '~' })],
    ['parsePackScan', (s: string) => parsePackScan(s)],
    ['parseEpc', (s: string) => parseEpc(s)],
    ['parseDigitalLink', (s: string) => parseDigitalLink(s)],
  ])('%s throws nothing but Gs1Error on arbitrary input', (_name, parse) => {
    fc.assert(fc.property(noise, (input) => onlyGs1Errors(() => parse(input))), { numRuns: 1500 });
  });

  it('GS separators are optional after predefined-length AIs', () => {
    fc.assert(
      fc.property(withCheckDigit(14), yymmd0, cset82(20), (gtin, expiry, serial) => {
        const plain = parseElementString(`01${gtin}17${expiry}21${serial}`).byAi;
        const separated = parseElementString(`01${gtin}${GS}17${expiry}${GS}21${serial}`).byAi;
        expect(separated).toEqual(plain);
      }),
    );
  });
});

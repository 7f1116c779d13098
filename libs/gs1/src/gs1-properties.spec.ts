import { canonicalDigitalLink } from '@pharmatrace/epcis';
import fc from 'fast-check';
import { gs1CheckDigit } from './check-digit';
import { digitalLinkToElementString, parseDigitalLink, toDigitalLink } from './digital-link';
import { GS, formatElementString, parseElementString } from './element-string';
import { canonicalEpc, epcToDigitalLink, epcToUrn, escapeUrnComponent, parseEpc } from './epc';
import { Gs1Error } from './gs1-error';
import { packEpc, parsePackScan } from './pack-scan';

const CSET82 = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const cset82 = (max: number) => fc.string({ unit: fc.constantFrom(...CSET82), minLength: 1, maxLength: max });
const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const withCheckDigit = (n: number) => digits(n - 1).map((body) => body + gs1CheckDigit(body));
const yymmd0 = fc
  .record({ yy: fc.integer({ min: 0, max: 99 }), mm: fc.integer({ min: 1, max: 12 }), dd: fc.integer({ min: 0, max: 28 }) })
  .map(({ yy, mm, dd }) => [yy, mm, dd].map((n) => String(n).padStart(2, '0')).join(''));

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

const urnText = (max: number) => cset82(max).map(escapeUrnComponent);
const CSET39 = '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const cpiReference = (max: number) =>
  fc
    .string({ unit: fc.constantFrom(...CSET39), minLength: 1, maxLength: max })
    .map((ref) => ref.replace(/#/g, '%23').replace(/\//g, '%2F'));
const noZeroPrefix = fc.bigInt({ min: 0n, max: 999999999999n }).map(String);
const pieceOfTotal = fc
  .integer({ min: 1, max: 99 })
  .chain((total) => fc.integer({ min: 1, max: total }).map((piece) => [piece, total].map((n) => String(n).padStart(2, '0')).join('.')));

/** A valid EPC URN of every scheme libs/gs1 knows, with the company prefix length it was written with. */
const epcUrn = fc.integer({ min: 6, max: 12 }).chain((L) => {
  const cp = digits(L);
  const ref = (total: number) => digits(total - L);
  const urn = (scheme: string, ...parts: fc.Arbitrary<string>[]) =>
    fc.tuple(...parts).map((p) => ({ urn: `urn:epc:${scheme}:${p.join('.')}`, L }));
  return fc.oneof(
    urn('id:sgtin', cp, ref(13), urnText(20)),
    urn('class:lgtin', cp, ref(13), urnText(20)),
    urn('idpat:sgtin', cp, ref(13), fc.constant('*')),
    urn('id:sscc', cp, ref(17)),
    urn('id:sgln', cp, ref(12), urnText(20)),
    urn('id:pgln', cp, ref(12)),
    urn('id:grai', cp, ref(12), urnText(16)),
    urn('id:giai', cp, urnText(30 - L)),
    urn('id:gsrn', cp, ref(17)),
    urn('id:gsrnp', cp, ref(17)),
    urn('id:gdti', cp, ref(12), urnText(17)),
    urn('id:cpi', cp, cpiReference(30 - L), noZeroPrefix),
    urn('id:sgcn', cp, ref(12), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 12 })),
    urn('id:ginc', cp, urnText(30 - L)),
    urn('id:gsin', cp, ref(16)),
    urn('id:itip', cp, ref(13), pieceOfTotal, urnText(20)),
    urn('id:upui', cp, ref(13), urnText(28)),
  );
});

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
        expect(parseElementString(formatElementString(elements, { style: 'bracketed' })).byAi).toEqual(
          parseElementString(formatElementString(elements)).byAi,
        );
      }),
      { numRuns: 200 },
    );
  });

  const noise = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(...'0123456789()]dCQe%/:.?=&\x1d'), maxLength: 60 }),
    fc.uint8Array({ maxLength: 60 }).map((bytes) => String.fromCharCode(...bytes)),
    fc
      .tuple(
        fc.constantFrom(
          ']d2',
          '(01)',
          'https://id.gs1.org/01/',
          'https://id.gs1.org/8006/',
          'https://id.gs1.org/8010/',
          'urn:epc:id:sgtin:',
          'urn:epc:idpat:sgtin:',
          'urn:epc:id:giai:4000001.',
          'urn:epc:id:cpi:',
          'urn:epc:id:itip:',
          'urn:epc:idpat:itip:',
          '01095060001343521',
        ),
        fc.string({ maxLength: 40 }),
      )
      .map(([a, b]) => a + b),
  );

  it.each([
    ['parseElementString', (s: string) => parseElementString(s, { gsSubstitute: '~' })],
    ['parsePackScan', (s: string) => parsePackScan(s)],
    ['parseEpc', (s: string) => parseEpc(s)],
    ['parseDigitalLink', (s: string) => parseDigitalLink(s)],
  ])('%s throws nothing but Gs1Error on arbitrary input', (_name, parse) => {
    fc.assert(
      fc.property(noise, (input) => onlyGs1Errors(() => parse(input))),
      { numRuns: 1500 },
    );
  });

  it("EPC URN -> Epc -> URN and Digital Link round-trip, and the canonical form is the event-hash normaliser's", () => {
    fc.assert(
      fc.property(epcUrn, ({ urn, L }) => {
        const epc = parseEpc(urn);
        expect(epcToUrn(epc, L)).toBe(urn);
        expect(parseEpc(epcToDigitalLink(epc, 'https://example.com/dl'))).toEqual(epc);
        expect(canonicalEpc(urn)).toBe(canonicalDigitalLink(urn));
      }),
      { numRuns: 500 },
    );
  });

  it("a scan's pack EPC is the canonical form of its Digital Link", () => {
    fc.assert(
      fc.property(withCheckDigit(14), cset82(20), yymmd0, (gtin, serial, expiry) => {
        const identity = parsePackScan(`01${gtin}17${expiry}21${serial}`);
        expect(packEpc(identity)).toBe(canonicalEpc(`https://id.gs1.org/01/${gtin}/21/${encodeURIComponent(serial)}`));
        expect(parsePackScan(packEpc(identity))).toEqual({ gtin, serial });
      }),
      { numRuns: 500 },
    );
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

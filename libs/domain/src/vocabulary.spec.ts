import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cbvShortName } from './vocabulary';

const CONTEXTS = join(__dirname, '../../../standards/epcis-2.0/json-ld-context');

/** Every CBV value GS1's JSON-LD contexts define, as [type as in the Web URI, bare word]. */
const VALUES: [string, string][] = ['bizstep', 'biztransaction-type', 'disposition', 'error-reason', 'sourcedest-type'].flatMap((name) => {
  const context: Record<string, unknown> = JSON.parse(readFileSync(join(CONTEXTS, `cbv-context-${name}.jsonld`), 'utf8'))['@context'];
  return Object.values(context)
    .filter((v): v is string => typeof v === 'string' && v.startsWith('cbv:'))
    .map((curie) => /^cbv:(\w+)-(.+)$/.exec(curie)!.slice(1, 3) as [string, string]);
});

/** A value's spelling: URN, Web URI (http or https, with or without www), compact IRI or bare word, any letter case. */
const spelling = ([type, word]: [string, string]) =>
  fc.oneof(
    fc.constant(word),
    fc.constant(`urn:epcglobal:cbv:${type.toLowerCase()}:${word}`),
    fc
      .constantFrom('https', 'http')
      .chain((scheme) => fc.constantFrom('', 'www.').map((www) => `${scheme}://${www}ref.gs1.org/cbv/${type}-${word}`)),
    fc.constant(`cbv:${type}-${word}`),
  );
const randomCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((up) => [...text].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

describe('cbvShortName', () => {
  it('knows the CBV values of all five vocabularies', () => {
    expect(
      VALUES.map(([type]) => type)
        .filter((t, i, all) => all.indexOf(t) === i)
        .sort(),
    ).toEqual(['BTT', 'BizStep', 'Disp', 'ER', 'SDT']);
    expect(VALUES).toContainEqual(['BizStep', 'commissioning']);
  });

  it('brings every spelling of every CBV value to its bare word (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VALUES).chain((value) =>
          spelling(value)
            .chain(randomCase)
            .map((text) => [value[1], text] as const),
        ),
        fc.constantFrom('', ' ', '\n  '),
        ([word, text], padding) => expect(cbvShortName(`${padding}${text}${padding}`)).toBe(word),
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['cbv:BizStep-commissioning', 'commissioning'],
    ['cbv:BizStep-dispensing', 'dispensing'],
    ['https://www.ref.gs1.org/cbv/Disp-in_transit', 'in_transit'],
    ['URN:EPCGLOBAL:CBV:BIZSTEP:SHIPPING', 'shipping'],
  ])('%s → %s', (input, expected) => expect(cbvShortName(input)).toBe(expected));

  it('keeps a vocabulary of one’s own as written, and nothing as null', () => {
    expect(cbvShortName('https://pharmatrace.org/voc/BizStep-exporting')).toBe('https://pharmatrace.org/voc/BizStep-exporting');
    expect(cbvShortName('https://example.com/cbv/BizStep-shipping')).toBe('https://example.com/cbv/BizStep-shipping');
    expect(cbvShortName('urn:example:bizstep:shipping')).toBe('urn:example:bizstep:shipping');
    expect(cbvShortName(null)).toBeNull();
    expect(cbvShortName('  ')).toBeNull();
  });

  it('is idempotent: a canonical value stays as it is (property)', () => {
    fc.assert(fc.property(fc.string(), (text) => expect(cbvShortName(cbvShortName(text))).toBe(cbvShortName(text))));
  });
});

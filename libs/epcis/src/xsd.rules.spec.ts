import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { standardsDir } from '@pharmatrace/gs1';
import fc from 'fast-check';
import { validateXML } from 'xmllint-wasm';
import { EpcisValidationError } from './epcis.error';
import { createEpcisValidator } from './schema.validator';
import { readEpcisXml } from './xml-reader';

/**
 * XML capture is judged by the EPCIS XSD's rules without an XSD validator in the API (xsd.rules.ts, the XML reader and
 * the JSON Schema). This compares that verdict with libxml2's XSD validation (xmllint-wasm, an independent
 * implementation, run here only) on the official XML examples and on 2,000 mutations of them: an event's child element
 * moved, dropped or repeated; any disagreement fails. Not compared yet: emptied elements. The XSD takes an empty
 * `<bizStep/>` or `<eventID/>` (empty URIs and strings) where the JSON Schema, and so this reader, refuses them.
 */
const STANDARDS = standardsDir();
const XSD_DIR = path.join(STANDARDS, 'epcis-2.0', 'xsd');
const XML_EXAMPLES = path.join(STANDARDS, 'epcis-2.0', 'xml-examples');
const SCHEMA_FILES = [
  'EPCglobal-epcis-2_0.xsd',
  'EPCglobal.xsd',
  'StandardBusinessDocumentHeader.xsd',
  'DocumentIdentification.xsd',
  'Partner.xsd',
  'Manifest.xsd',
  'BusinessScope.xsd',
  'BasicTypes.xsd',
];
const schema = SCHEMA_FILES.map((fileName) => ({ fileName, contents: readFileSync(path.join(XSD_DIR, fileName), 'utf8') }));

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
/** The official EPCIS 2.0 capture documents (not query documents, master data or capture jobs, which other XSDs describe). */
const examples = walk(XML_EXAMPLES)
  .filter((f) => f.endsWith('.xml') && /<(\w+:)?EPCISDocument\b/.test(readFileSync(f, 'utf8')))
  .map((f) => [path.relative(XML_EXAMPLES, f), readFileSync(f, 'utf8')] as const);

const validator = createEpcisValidator();

/** Ours: the XML reader (element order, nil, the 1.2 rules) then the JSON Schema in its XSD view. */
function oursAccepts(xml: string): boolean {
  try {
    return validator.validateDocument(readEpcisXml(xml)).length === 0;
  } catch (e) {
    if (e instanceof EpcisValidationError) return false;
    throw e;
  }
}

/** libxml2's verdict for each document, validated in one call (one worker thread, one schema compilation). */
async function libxml2Accepts(documents: string[]): Promise<boolean[]> {
  const xml = documents.map((contents, i) => ({ fileName: `doc${i}.xml`, contents }));
  const result = await validateXML({ xml, schema: [schema[0]], preload: schema.slice(1) });
  const refused = new Set(result.errors.map((e) => e.loc?.fileName));
  return documents.map((_, i) => !refused.has(`doc${i}.xml`));
}

/** The children of the first event element, as [start, end) ranges of the document text. */
function eventChildren(xml: string): { start: number; end: number }[] {
  const open = /<(ObjectEvent|AggregationEvent|TransactionEvent|TransformationEvent|AssociationEvent)\b[^>]*>/.exec(xml);
  if (!open) return [];
  const children: { start: number; end: number }[] = [];
  let at = open.index + open[0].length;
  const close = xml.indexOf(`</${open[1]}>`, at);
  while (at < close) {
    const start = xml.indexOf('<', at);
    if (start < 0 || start >= close) break;
    if (xml.startsWith('<!--', start)) {
      at = xml.indexOf('-->', start) + 3;
      continue;
    }
    const name = /^<([\w:.-]+)/.exec(xml.slice(start))![1];
    const selfClosing = xml.indexOf('>', start);
    let end: number;
    if (xml[selfClosing - 1] === '/') end = selfClosing + 1;
    else {
      // Children of an event do not nest an element of their own name.
      end = xml.indexOf(`</${name}>`, start) + name.length + 3;
    }
    children.push({ start, end });
    at = end;
  }
  return children;
}

type Mutation = { kind: 'swap' | 'drop' | 'repeat'; at: number };

function mutate(xml: string, { kind, at }: Mutation): string | null {
  const children = eventChildren(xml);
  if (children.length < 2) return null;
  const i = at % children.length;
  const c = children[i];
  const text = xml.slice(c.start, c.end);
  if (kind === 'drop') return xml.slice(0, c.start) + xml.slice(c.end);
  if (kind === 'repeat') return xml.slice(0, c.end) + text + xml.slice(c.end);
  if (i + 1 >= children.length) return null;
  const next = children[i + 1];
  return xml.slice(0, c.start) + xml.slice(next.start, next.end) + xml.slice(c.end, next.start) + text + xml.slice(next.end);
}

describe('XML judged as the EPCIS 2.0 XSD judges it (libxml2, xmllint-wasm)', () => {
  it('finds the official capture documents', () => {
    expect(examples.length).toBeGreaterThanOrEqual(20);
  });

  it('accepts every official example libxml2 accepts', async () => {
    const theirs = await libxml2Accepts(examples.map(([, xml]) => xml));
    const disagreements = examples.flatMap(([name, xml], i) => (theirs[i] && !oursAccepts(xml) ? [name] : []));
    expect(disagreements).toEqual([]);
  }, 60_000);

  it('agrees with libxml2 on official examples with an event child moved, dropped or repeated', async () => {
    const mutation = fc.record({
      example: fc.nat(examples.length - 1),
      kind: fc.constantFrom<Mutation['kind']>('swap', 'drop', 'repeat'),
      at: fc.nat(40),
    });
    const cases = fc
      .sample(mutation, { numRuns: 2000, seed: 14 })
      .map(({ example, kind, at }) => ({ name: `${examples[example][0]} ${kind} ${at}`, xml: mutate(examples[example][1], { kind, at }) }))
      .filter((c): c is { name: string; xml: string } => c.xml !== null);
    const theirs = await libxml2Accepts(cases.map((c) => c.xml));
    const disagreements = cases.flatMap((c, i) => {
      const ours = oursAccepts(c.xml);
      return ours === theirs[i] ? [] : [`${c.name}: libxml2 ${theirs[i] ? 'accepts' : 'refuses'}, we ${ours ? 'accept' : 'refuse'}`];
    });
    expect(cases.length).toBeGreaterThan(1500);
    expect(disagreements).toEqual([]);
  }, 120_000);
});

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { standardsDir } from '@pharmatrace/gs1';
import { EpcisErrorCode, EpcisValidationError } from './epcis.error';
import { eventHashes } from './event-hash';
import { createEpcisValidator } from './schema.validator';
import { readEpcisXml } from './xml-reader';
import { writeEpcisXml } from './xml-writer';

const STANDARDS = standardsDir();
const EXAMPLES = path.join(STANDARDS, 'epcis-2.0', 'examples');
const VECTORS = path.join(STANDARDS, 'cbv-event-hash');
const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8'));
const hashes = (document: unknown): string[] => eventHashes(document).map((r) => r.hash);

const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.jsonld'));
// A document-level `…:ignoreFields` declaration has no place in the XML binding, so those vectors cannot round-trip.
const declaresIgnoreFields = (file: string): boolean =>
  Object.keys(readJson(path.join(VECTORS, file))).some((k) => k === 'ignoreFields' || k.endsWith(':ignoreFields'));
const vectors = readdirSync(VECTORS).filter((f) => f.endsWith('.jsonld') && !declaresIgnoreFields(f));

describe('writeEpcisXml', () => {
  const validator = createEpcisValidator();

  it('finds the 13 official examples', () => {
    expect(examples).toHaveLength(13);
  });

  it.each(examples)('%s: JSON → XML → JSON keeps every event hash and stays schema-valid', (file) => {
    const json = readJson(path.join(EXAMPLES, file));
    const back = readEpcisXml(writeEpcisXml(json, '2.0'));
    expect(hashes(back)).toEqual(hashes(json));
    expect(validator.validateDocument(back)).toEqual([]);
  });

  it.each(vectors)('hash vector %s: JSON → XML → JSON keeps every event hash', (file) => {
    const json = readJson(path.join(VECTORS, file));
    expect(hashes(readEpcisXml(writeEpcisXml(json, '2.0')))).toEqual(hashes(json));
  });

  it('writes the root the caller selects', () => {
    const json = readJson(path.join(EXAMPLES, 'Example_9.6.1-ObjectEvent.jsonld'));
    const query = writeEpcisXml(json, '2.0', { root: 'EPCISQueryDocument' });
    expect(query).toContain('<epcisq:EPCISQueryDocument xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2"');
    const back = readEpcisXml(query);
    expect(back.type).toBe('EPCISQueryDocument');
    expect(hashes(back)).toEqual(hashes(json));
    expect(writeEpcisXml(json, '2.0')).toContain('<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"');
  });

  it('writes CBV terms as URNs and escapes text', () => {
    const xml = writeEpcisXml(
      {
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://ex.example/' }],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2024-01-01T00:00:00Z',
        epcisBody: {
          eventList: [
            {
              type: 'ObjectEvent',
              eventTime: '2024-01-01T00:00:00Z',
              eventTimeZoneOffset: '+00:00',
              epcList: [],
              action: 'OBSERVE',
              bizStep: 'shipping',
              'ex:note': 'a < b & "c"',
            },
          ],
        },
      },
      '2.0',
    );
    expect(xml).toContain('<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>');
    expect(xml).toContain('<ex:note>a &lt; b &amp; "c"</ex:note>');
    expect(xml).toContain('xmlns:ex="https://ex.example/"');
  });

  it('rejects an extension key whose prefix the @context does not declare', () => {
    const write = () =>
      writeEpcisXml(
        {
          type: 'EPCISDocument',
          epcisBody: { eventList: [{ type: 'ObjectEvent', eventTime: '2024-01-01T00:00:00Z', 'nope:x': '1' }] },
        },
        '2.0',
      );
    expect(write).toThrow(EpcisValidationError);
    expect(write).toThrow(
      expect.objectContaining({
        code: EpcisErrorCode.MALFORMED_DOCUMENT,
        issues: [expect.objectContaining({ eventIndex: 0, rule: 'unbound-prefix' })],
      }),
    );
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createEpcisValidator } from './schema.validator';
import { canonicalAttributeId, type DocumentHeaderSink, MASTER_DATA_ELEMENT_LIMIT, readMasterData } from './master-data';
import { readEpcisXml } from './xml-reader';
import { streamEpcisXmlEvents } from './xml-stream';
import { streamEpcisJsonEvents } from './json-stream';

const FIXTURE = readFileSync(path.join(__dirname, '../../../test/fixtures/dscsa-master-data-1.2.xml'), 'utf8');
const MDA = 'urn:epcglobal:cbv:mda#';

const JSON_LD = {
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'http://example.com/mda/' }],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-02-02T08:00:00Z',
  epcisHeader: {
    epcisMasterData: {
      vocabularyList: [
        {
          type: 'urn:epcglobal:epcis:vtype:ReadPoint',
          vocabularyElementList: [
            {
              id: 'https://id.gs1.org/414/0312345000007/254/line1',
              attributes: [
                { id: 'cbvmda:name', attribute: 'Packaging line 1' },
                { id: 'ex:speed', attribute: 120 },
                { id: 'ex:address', attribute: { 'ex:street': 'Gate B' } },
              ],
              children: ['https://id.gs1.org/414/0312345000007/254/line1a'],
            },
          ],
        },
      ],
    },
  },
  epcisBody: { eventList: [] },
};

async function drain(events: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of events) n++;
  return n;
}

describe('master data in EPCIS headers', () => {
  it('reads the 1.2 fixture: every vocabulary, element, attribute and child, in the 2.0 JSON-LD shape the schema accepts', () => {
    const document = readEpcisXml(FIXTURE);
    expect(createEpcisValidator().validateDocument(document)).toEqual([]);
    const { elements, issues } = readMasterData(document);
    expect(issues).toEqual([]);
    expect(elements.map((e) => [e.type, e.id, e.attributes.length, e.children])).toEqual([
      ['urn:epcglobal:epcis:vtype:EPCClass', 'urn:epc:idpat:sgtin:0312345.012345.*', 8, []],
      ['urn:epcglobal:epcis:vtype:BusinessLocation', 'urn:epc:id:sgln:0312345.00000.0', 6, ['urn:epc:id:sgln:0312345.00000.dock1']],
      ['urn:epcglobal:epcis:vtype:BusinessLocation', 'urn:epc:id:sgln:0312345.00000.dock1', 2, []],
    ]);
    expect(elements[0].attributes).toContainEqual({ id: `${MDA}regulatedProductName`, value: 'Amoxicillin Capsules USP' });
    expect(elements[0].attributes).toContainEqual({ id: `${MDA}dosageFormType`, value: 'CAPSULE' });
    // An attribute holding elements keeps them as a structure, its namespace in its own context.
    expect(elements[2].attributes[1]).toEqual({
      id: 'http://example.com/mda/address',
      value: {
        '@context': { ex: 'http://example.com/ns' },
        'ex:Address': { 'ex:Street': '1 Industrial Way, Gate B', 'ex:City': 'Durham' },
      },
    });
  });

  it('reads a 2.0 JSON-LD header, expanding compact attribute ids by the document context', () => {
    const { elements, issues } = readMasterData(JSON_LD);
    expect(issues).toEqual([]);
    expect(elements).toEqual([
      {
        type: 'urn:epcglobal:epcis:vtype:ReadPoint',
        id: 'https://id.gs1.org/414/0312345000007/254/line1',
        attributes: [
          { id: `${MDA}name`, value: 'Packaging line 1' },
          { id: 'http://example.com/mda/speed', value: 120 },
          { id: 'http://example.com/mda/address', value: { 'ex:street': 'Gate B' } },
        ],
        children: ['https://id.gs1.org/414/0312345000007/254/line1a'],
      },
    ]);
  });

  it.each([
    ['urn:epcglobal:cbv:mda#name', `${MDA}name`],
    ['urn:epcglobal:cbv:mda:name', `${MDA}name`],
    ['urn:epcglobal:cbv:mda/name', `${MDA}name`],
    ['urn:epcglobal:cbv:mdax:name', 'urn:epcglobal:cbv:mdax:name'],
    ['http://example.com/name', 'http://example.com/name'],
  ])('spells the CBV attribute %s as %s', (id, canonical) => {
    expect(canonicalAttributeId(id)).toBe(canonical);
  });

  it('names the field of an element or attribute without id, and stores nothing of such a document', () => {
    const bad = structuredClone(JSON_LD);
    const element = bad.epcisHeader.epcisMasterData.vocabularyList[0].vocabularyElementList[0] as Record<string, unknown>;
    (element.attributes as Record<string, unknown>[])[1] = { attribute: 'no id' };
    bad.epcisHeader.epcisMasterData.vocabularyList[0].vocabularyElementList.push({ attributes: [] } as never);
    const { elements, issues } = readMasterData(bad);
    expect(elements).toEqual([]);
    expect(issues.map((i) => [i.field, i.rule])).toEqual([
      ['/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/0/attributes/1/id', 'required:id'],
      ['/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/1/id', 'required:id'],
    ]);
    const xml = readEpcisXml(FIXTURE.replace('<VocabularyElement id="urn:epc:id:sgln:0312345.00000.0">', '<VocabularyElement>'));
    expect(readMasterData(xml).issues.map((i) => i.field)).toEqual([
      '/epcisHeader/epcisMasterData/vocabularyList/1/vocabularyElementList/0/id',
    ]);
  });

  it(`refuses more than ${MASTER_DATA_ELEMENT_LIMIT} elements in one document`, () => {
    const many = structuredClone(JSON_LD);
    many.epcisHeader.epcisMasterData.vocabularyList[0].vocabularyElementList = Array.from(
      { length: MASTER_DATA_ELEMENT_LIMIT + 1 },
      (_, i) => ({ id: `urn:example:${i}`, attributes: [], children: [] }),
    );
    expect(readMasterData(many).issues).toMatchObject([{ field: '/epcisHeader/epcisMasterData/vocabularyList', rule: 'max-items' }]);
  });

  it('a document without master data has none', () => {
    expect(readMasterData({ ...JSON_LD, epcisHeader: undefined })).toEqual({ elements: [], issues: [] });
  });

  it('streamed readers leave the header in their sink: XML (1.2) and JSON-LD alike', async () => {
    const xmlSink: DocumentHeaderSink = {};
    expect(await drain(streamEpcisXmlEvents(Readable.from([Buffer.from(FIXTURE)]), undefined, xmlSink))).toBe(1);
    expect(readMasterData(xmlSink).elements).toEqual(readMasterData(readEpcisXml(FIXTURE)).elements);
    const jsonSink: DocumentHeaderSink = {};
    const withEvent = { ...JSON_LD, epcisBody: { eventList: [{ type: 'ObjectEvent' }] } };
    expect(await drain(streamEpcisJsonEvents(Readable.from([Buffer.from(JSON.stringify(withEvent))]), jsonSink))).toBe(1);
    expect(readMasterData(jsonSink).elements).toEqual(readMasterData(JSON_LD).elements);
  });
});

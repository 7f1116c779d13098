import { EPCIS_CONTEXT } from './document.builder';
import { eventHash } from './event-hash';
import { eventsOf } from './event.model';
import {
  cbvValue,
  cbvXmlForm,
  companyPrefixCandidatesOf,
  companyPrefixLength,
  formatEventEpcs,
  translateIdentifier,
} from './identifier-format';
import { CBV } from './cbv-vocabulary';
import { readEpcisXml } from './xml-reader';
import { writeEpcisXml } from './xml-writer';
import { parseEpc } from '@pharmatrace/gs1';

const PREFIXES = new Set(['0614141', '4012345']);

/** One event using every identifier field, written as URNs. */
const URN_EVENT = {
  type: 'AggregationEvent',
  eventTime: '2024-03-01T10:00:00.000Z',
  eventTimeZoneOffset: '+01:00',
  parentID: 'urn:epc:id:sscc:0614141.1234567890',
  childEPCs: ['urn:epc:id:sgtin:0614141.107346.2017', 'urn:epc:id:sgtin:0614141.107346.2018'],
  childQuantityList: [
    { epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 200, uom: 'KGM' },
    { epcClass: 'urn:epc:idpat:sgtin:4012345.098765.*', quantity: 3 },
  ],
  action: 'ADD',
  bizStep: 'packing',
  readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0' },
  bizLocation: { id: 'urn:epc:id:sgln:0614141.00888.12' },
  sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0614141.00001' }],
  destinationList: [{ type: 'location', destination: 'https://example.com/not-a-gs1-key' }],
};

const hashOf = (event: object) => eventHash(event, [EPCIS_CONTEXT]).hash;

describe('translateIdentifier', () => {
  it('writes an EPC URN as the canonical Digital Link', () => {
    expect(translateIdentifier('urn:epc:id:sgtin:0614141.107346.2017', 'dl', new Set())).toEqual({
      value: 'https://id.gs1.org/01/10614141073464/21/2017',
      untranslated: false,
    });
    expect(translateIdentifier('urn:epc:id:sgln:0614141.00777.0', 'dl', new Set()).value).toBe('https://id.gs1.org/414/0614141007776');
  });

  it('writes a Digital Link as a URN where a known company prefix says where the prefix ends', () => {
    expect(translateIdentifier('https://id.gs1.org/01/10614141073464/21/2017', 'urn', PREFIXES)).toEqual({
      value: 'urn:epc:id:sgtin:0614141.107346.2017',
      untranslated: false,
    });
    expect(translateIdentifier('https://id.gs1.org/00/106141412345678908', 'urn', PREFIXES).value).toBe(
      'urn:epc:id:sscc:0614141.1234567890',
    );
    expect(translateIdentifier('https://id.gs1.org/01/04012345123456/10/L1', 'urn', PREFIXES).value).toBe(
      'urn:epc:class:lgtin:4012345.012345.L1',
    );
  });

  it('keeps a Digital Link whose company prefix is unknown, and says so instead of guessing its length', () => {
    expect(translateIdentifier('https://id.gs1.org/01/09520123456788/21/7', 'urn', PREFIXES)).toEqual({
      value: 'https://id.gs1.org/01/09520123456788/21/7',
      untranslated: true,
    });
  });

  it('leaves values naming no GS1 key, and spellings already in the asked syntax, as written', () => {
    expect(translateIdentifier('https://example.com/not-a-gs1-key', 'urn', PREFIXES)).toEqual({
      value: 'https://example.com/not-a-gs1-key',
      untranslated: false,
    });
    expect(translateIdentifier('https://example.com/01/10614141073464/21/2017', 'dl', PREFIXES).value).toBe(
      'https://example.com/01/10614141073464/21/2017',
    );
    expect(translateIdentifier('urn:epc:id:sgtin:0614141.107346.2017', 'urn', new Set()).value).toBe(
      'urn:epc:id:sgtin:0614141.107346.2017',
    );
  });
});

describe('companyPrefixLength', () => {
  it('takes the longest known prefix at the key’s company prefix position', () => {
    expect(companyPrefixLength(parseEpc('https://id.gs1.org/01/10614141073464/21/1'), new Set(['061414', '0614141']))).toBe(7);
    expect(companyPrefixLength(parseEpc('https://id.gs1.org/417/0614141000012'), new Set(['0614141']))).toBe(7);
    expect(companyPrefixLength(parseEpc('https://id.gs1.org/01/10614141073464/21/1'), new Set(['4012345']))).toBeNull();
  });
});

describe('formatEventEpcs', () => {
  it('writes every identifier field as a Digital Link, and the event still hashes the same', () => {
    const { event, untranslated } = formatEventEpcs(URN_EVENT, 'Always_GS1_Digital_Link');
    expect(untranslated).toEqual([]);
    expect(event).toMatchObject({
      parentID: 'https://id.gs1.org/00/106141412345678908',
      childEPCs: ['https://id.gs1.org/01/10614141073464/21/2017', 'https://id.gs1.org/01/10614141073464/21/2018'],
      childQuantityList: [
        { epcClass: 'https://id.gs1.org/01/04012345123456/10/998877' },
        { epcClass: 'https://id.gs1.org/01/04012345987652' },
      ],
      readPoint: { id: 'https://id.gs1.org/414/0614141007776' },
      bizLocation: { id: 'https://id.gs1.org/414/0614141008889/254/12' },
      sourceList: [{ type: 'owning_party', source: 'https://id.gs1.org/417/0614141000012' }],
      destinationList: [{ destination: 'https://example.com/not-a-gs1-key' }],
    });
    expect(hashOf(event)).toBe(hashOf(URN_EVENT));
  });

  it('writes them back as the same URNs, and the hash still holds', () => {
    const dl = formatEventEpcs(URN_EVENT, 'Always_GS1_Digital_Link').event;
    const { event, untranslated } = formatEventEpcs(dl, 'Always_EPC_URN', PREFIXES);
    expect(untranslated).toEqual([]);
    expect(event).toEqual(URN_EVENT);
    expect(hashOf(event)).toBe(hashOf(URN_EVENT));
  });

  it('needs only the registered prefixes among its candidates, a few per identifier', () => {
    const dl = formatEventEpcs(URN_EVENT, 'Always_GS1_Digital_Link').event;
    const candidates = companyPrefixCandidatesOf(dl);
    expect(candidates).toEqual(expect.arrayContaining(['0614141', '4012345', '061414']));
    expect(candidates.every((c) => /^\d{6,12}$/.test(c))).toBe(true);
    // What persistence reads for them (registeredCompanyPrefixes) serves the event as the whole registry does.
    const registered = new Set(candidates.filter((c) => PREFIXES.has(c)));
    expect(formatEventEpcs(dl, 'Always_EPC_URN', registered)).toEqual(formatEventEpcs(dl, 'Always_EPC_URN', PREFIXES));
    // URNs and keyless identifiers have no candidates: they are served as written.
    expect(companyPrefixCandidatesOf(URN_EVENT)).toEqual([]);
  });

  it('names the identifiers it could not write as URNs', () => {
    const dl = formatEventEpcs(URN_EVENT, 'Always_GS1_Digital_Link').event;
    const { event, untranslated } = formatEventEpcs(dl, 'Always_EPC_URN', new Set(['0614141']));
    expect(untranslated).toEqual(['https://id.gs1.org/01/04012345123456/10/998877', 'https://id.gs1.org/01/04012345987652']);
    expect(event.parentID).toBe('urn:epc:id:sscc:0614141.1234567890');
    expect(hashOf(event)).toBe(hashOf(URN_EVENT));
  });

  it('serves the event untouched when no translation is asked for', () => {
    expect(formatEventEpcs(URN_EVENT, 'Never_Translates').event).toBe(URN_EVENT);
    expect(formatEventEpcs(URN_EVENT, 'No_Preference').event).toBe(URN_EVENT);
  });
});

describe('CBV values in XML', () => {
  it('writes every CBV spelling in the form asked, and user vocabularies as written', () => {
    for (const value of ['shipping', 'urn:epcglobal:cbv:bizstep:shipping', 'https://ref.gs1.org/cbv/BizStep-shipping']) {
      expect(cbvValue(value, CBV.bizStep, 'urn')).toBe('urn:epcglobal:cbv:bizstep:shipping');
      expect(cbvValue(value, CBV.bizStep, 'web')).toBe('https://ref.gs1.org/cbv/BizStep-shipping');
    }
    expect(cbvValue('https://ref.gs1.org/cbv/BizStep-shipping', CBV.bizStep, 'asStored')).toBe('https://ref.gs1.org/cbv/BizStep-shipping');
    expect(cbvValue('shipping', CBV.bizStep, 'asStored')).toBe('urn:epcglobal:cbv:bizstep:shipping');
    expect(cbvValue('https://example.com/steps/x', CBV.bizStep, 'web')).toBe('https://example.com/steps/x');
  });

  it('answers No_Preference with URNs and says so', () => {
    expect(cbvXmlForm('No_Preference')).toEqual({ form: 'urn', answered: 'Always_URN' });
    expect(cbvXmlForm('Always_Web_URI')).toEqual({ form: 'web', answered: 'Always_Web_URI' });
  });

  it('writes XML answers in either form that read back to the same hash', () => {
    const event = {
      ...URN_EVENT,
      disposition: 'https://ref.gs1.org/cbv/Disp-in_progress',
      bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141000012:PO1' }],
    };
    const document = {
      '@context': [EPCIS_CONTEXT],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2024-03-01T10:00:00Z',
      epcisBody: { eventList: [event] },
    };
    for (const cbvForm of ['urn', 'web', 'asStored'] as const) {
      const xml = writeEpcisXml(document, '2.0', { cbvForm });
      if (cbvForm === 'web') expect(xml).toContain('<bizStep>https://ref.gs1.org/cbv/BizStep-packing</bizStep>');
      if (cbvForm === 'urn') expect(xml).toContain('type="urn:epcglobal:cbv:btt:po"');
      const read = readEpcisXml(xml);
      const [readEvent] = eventsOf(read);
      expect(eventHash(readEvent, read['@context'] as string[]).hash).toBe(hashOf(event));
    }
  });
});

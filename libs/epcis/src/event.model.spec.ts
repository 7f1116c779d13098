import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { standardsDir } from '@pharmatrace/gs1';
import fc from 'fast-check';
import { EpcisErrorCode } from './epcis.error';
import { eventsOf, eventTimeOf, extractEpcs } from './event.model';

const STANDARDS = standardsDir();
const example = (name: string): unknown => JSON.parse(readFileSync(path.join(STANDARDS, 'epcis-2.0', 'examples', name), 'utf8'));

describe('eventsOf', () => {
  it('reads a capture document', () => {
    const events = eventsOf(example('Example_9.6.1-ObjectEvent.jsonld'));
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => typeof e.type === 'string')).toBe(true);
  });

  it('reads a query document', () => {
    const events = eventsOf(example('EPCISQueryDocument.jsonld'));
    expect(events.map((e) => e.type)).toEqual(['ObjectEvent', 'ObjectEvent']);
  });

  it.each([
    [null, ''],
    [{ epcisBody: 1 }, '/epcisBody'],
    [{ epcisBody: { eventList: {} } }, '/epcisBody/eventList'],
    [{ epcisBody: { queryResults: {} } }, '/epcisBody/queryResults/resultsBody/eventList'],
    [{ epcisBody: { eventList: [1] } }, '/epcisBody/eventList/0'],
  ])('rejects %j at %s', (doc, field) => {
    expect(() => eventsOf(doc)).toThrow(expect.objectContaining({ code: EpcisErrorCode.MALFORMED_DOCUMENT, field }));
  });
});

describe('eventTimeOf', () => {
  it('uses the offset written in eventTime', () => {
    expect(eventTimeOf({ eventTime: '2005-04-03T20:33:31.116-06:00', eventTimeZoneOffset: '-06:00' }).toISOString()).toBe(
      '2005-04-04T02:33:31.116Z',
    );
  });

  it('falls back to eventTimeZoneOffset when eventTime has no offset', () => {
    expect(eventTimeOf({ eventTime: '2005-04-03T20:33:31', eventTimeZoneOffset: '+02:00' }).toISOString()).toBe('2005-04-03T18:33:31.000Z');
  });

  it('agrees with Date.parse on any instant written with any offset', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
        fc.integer({ min: -56, max: 56 }),
        (date, quarters) => {
          const minutes = quarters * 15;
          const local = new Date(date.getTime() + minutes * 60_000).toISOString().slice(0, 23);
          const abs = Math.abs(minutes);
          const offset = `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          expect(eventTimeOf({ eventTime: local + offset, eventTimeZoneOffset: offset }).getTime()).toBe(date.getTime());
        },
      ),
    );
  });

  it.each([
    [{ eventTimeZoneOffset: '+01:00' }, '/eventTime'],
    [{ eventTime: 'yesterday', eventTimeZoneOffset: '+01:00' }, '/eventTime'],
    [{ eventTime: '2021-02-29T10:00:00Z', eventTimeZoneOffset: '+01:00' }, '/eventTime'],
    [{ eventTime: '2021-02-28T10:00:00Z' }, '/eventTimeZoneOffset'],
    [{ eventTime: '2021-02-28T10:00:00Z', eventTimeZoneOffset: '+1:00' }, '/eventTimeZoneOffset'],
    [{ eventTime: '2021-02-28T10:00:00Z', eventTimeZoneOffset: '+15:00' }, '/eventTimeZoneOffset'],
  ])('rejects %j at %s', (event, field) => {
    expect(() => eventTimeOf(event)).toThrow(expect.objectContaining({ code: EpcisErrorCode.MALFORMED_TIME, field }));
  });
});

describe('extractEpcs', () => {
  it('lists every instance identifier with its role, as written', () => {
    expect(
      extractEpcs({
        type: 'AggregationEvent',
        parentID: 'urn:epc:id:sscc:4047023.0111111122',
        childEPCs: ['urn:epc:id:sgtin:4047023.077551.98', 'https://id.gs1.org/01/04047023775511/21/97'],
        childQuantityList: [{ epcClass: 'urn:epc:class:lgtin:4054739.099902.P2', quantity: 12 }],
      }),
    ).toEqual([
      { epc: 'urn:epc:id:sscc:4047023.0111111122', role: 'parent' },
      { epc: 'urn:epc:id:sgtin:4047023.077551.98', role: 'child' },
      { epc: 'https://id.gs1.org/01/04047023775511/21/97', role: 'child' },
    ]);
  });

  it('covers epcList, inputEPCList and outputEPCList', () => {
    const roles = extractEpcs({ epcList: ['a'], inputEPCList: ['b', 'c'], outputEPCList: ['d'] }).map((e) => e.role);
    expect(roles).toEqual(['epc', 'input', 'input', 'output']);
  });
});

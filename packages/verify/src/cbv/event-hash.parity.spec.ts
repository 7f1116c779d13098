/**
 * The platform (libs/epcis) and the published verifier share the CBV 2.0 core in this folder; each wraps it in its own
 * event-hash entry point. This spec (never shipped) holds the two entry points to the same hashes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { eventHash as libraryEventHash, eventsOf, hashDigest as libraryHashDigest } from '@pharmatrace/epcis';
import { standardsDir } from '@pharmatrace/gs1';
import fc from 'fast-check';
import { eventHash, hashDigest } from './event-hash';

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8'));

describe('the verifier copy of the CBV 2.0 event hash', () => {
  const folders = [path.join(standardsDir(), 'cbv-event-hash'), path.join(standardsDir(), 'epcis-2.0', 'examples')];
  const documents = folders.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.jsonld'))
      .map((f) => path.join(dir, f)),
  );

  it('finds the reference vectors and the official examples', () => {
    expect(documents.length).toBeGreaterThanOrEqual(25);
  });

  it.each(documents.map((file) => [path.relative(standardsDir(), file), file]))(
    '%s: every event hashes as libs/epcis hashes it',
    (_name, file) => {
      const doc = readJson(file);
      for (const event of eventsOf(doc) as object[]) {
        expect(eventHash(event, doc['@context'])).toEqual(libraryEventHash(event, doc['@context']));
        expect(eventHash(event)).toEqual(libraryEventHash(event));
      }
    },
  );

  it('agrees with libs/epcis on random events', () => {
    const epc = fc.oneof(
      fc
        .tuple(
          fc.integer({ min: 1_000_000, max: 9_999_999 }),
          fc.integer({ min: 10_000, max: 99_999 }),
          fc.string({ minLength: 1, maxLength: 8 }),
        )
        .map(([cp, ref, serial]) => `urn:epc:id:sgtin:${cp}.0${ref}.${encodeURIComponent(serial)}`),
      fc.string({ maxLength: 30 }),
      fc.webUrl(),
    );
    const time = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    const event = fc.record(
      {
        type: fc.constantFrom('ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent'),
        eventTime: fc.oneof(time, fc.string()),
        eventTimeZoneOffset: fc.constantFrom('+00:00', '-05:00', '+05:30'),
        epcList: fc.array(epc, { maxLength: 4 }),
        action: fc.constantFrom('ADD', 'OBSERVE', 'DELETE'),
        bizStep: fc.constantFrom(
          'commissioning',
          'shipping',
          'urn:epcglobal:cbv:bizstep:receiving',
          'https://ref.gs1.org/cbv/BizStep-packing',
        ),
        readPoint: fc.record({ id: epc }),
        quantityList: fc.array(
          fc.record({ epcClass: epc, quantity: fc.oneof(fc.double({ noNaN: true }), fc.integer()), uom: fc.constantFrom('KGM', 'EA') }),
          { maxLength: 2 },
        ),
        bizTransactionList: fc.array(fc.record({ type: fc.constantFrom('po', 'inv'), bizTransaction: epc }), { maxLength: 2 }),
        'example:note': fc.jsonValue(),
      },
      { requiredKeys: ['type'] },
    );
    const context = [{ example: 'https://ns.example.com/epcis/' }];
    fc.assert(
      fc.property(event, (e) => {
        expect(eventHash(e, context)).toEqual(libraryEventHash(e, context));
      }),
      { numRuns: 300 },
    );
  });

  it('reads digests as libs/epcis does and rejects what it rejects', () => {
    const hash = 'ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7?ver=CBV2.0';
    expect(hashDigest(hash)).toEqual(libraryHashDigest(hash));
    for (const bad of ['', hash.slice(0, -1), hash.replace('256', '384'), hash.replace('d7?', 'zz?')]) {
      expect(() => hashDigest(bad)).toThrow(/malformed event hash/);
      expect(() => libraryHashDigest(bad)).toThrow();
    }
    expect(() => eventHash({ epcList: [] })).toThrow('an event must name its type');
  });
});

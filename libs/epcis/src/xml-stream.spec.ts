import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { standardsDir } from '@pharmatrace/gs1';
import { Readable } from 'node:stream';
import { EpcisErrorCode, EpcisValidationError } from './epcis.error';
import { eventHash, eventHashes } from './event-hash';
import { eventsOf } from './event.model';
import { measureStream, XML_HEAD, XML_TAIL, xmlDocumentChunks, xmlEvent } from './stream-test.fixtures';
import { readEpcisXml } from './xml-reader';
import { type StreamedEpcisEvent, streamEpcisXmlEvents } from './xml-stream';

const STANDARDS = standardsDir();
const VECTORS = path.join(STANDARDS, 'cbv-event-hash');

async function collect(input: AsyncIterable<Buffer | string>): Promise<StreamedEpcisEvent[]> {
  const items: StreamedEpcisEvent[] = [];
  for await (const item of streamEpcisXmlEvents(input)) items.push(item);
  return items;
}

/** Splits text into byte chunks of `size`, cutting multi-byte characters in two on purpose. */
function byteChunks(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

describe('streamEpcisXmlEvents', () => {
  it.each(['epcisDocWithVariousEventTypes', 'epcisQueryDocument', 'ReferenceEventHashAlgorithm'])(
    '%s: streamed in 7-byte chunks, gives the published hashes',
    async (name) => {
      const xml = readFileSync(path.join(VECTORS, `${name}.xml`), 'utf8');
      const items = await collect(Readable.from(byteChunks(xml, 7)));
      const expected = readFileSync(path.join(VECTORS, `${name}.hashes`), 'utf8')
        .split('\n')
        .filter(Boolean);
      expect(items.map((i) => i.index)).toEqual(expected.map((_, i) => i));
      expect(items.map(({ event, context }) => eventHash(event, context).hash)).toEqual(expected);
    },
  );

  it('decodes characters split across chunks', async () => {
    const xml = XML_HEAD + xmlEvent(0).replace('<ex:seq>0</ex:seq>', '<ex:seq>Größe € 🧪</ex:seq>') + XML_TAIL;
    const [item] = await collect(Readable.from(byteChunks(xml, 3)));
    expect(item.event['ex:seq']).toBe('Größe € 🧪');
  });

  it('yields what readEpcisXml reads, with the root namespaces as context', async () => {
    const xml = XML_HEAD + [0, 1, 2].map(xmlEvent).join('') + XML_TAIL;
    const items = await collect(Readable.from([xml]));
    const document = readEpcisXml(xml);
    expect(items.map((i) => i.event)).toEqual(eventsOf(document));
    expect(items[0].context).toEqual(document['@context']);
    expect(items.map(({ event, context }) => eventHash(event, context).hash)).toEqual(eventHashes(document).map((r) => r.hash));
  });

  it('reports malformed XML met mid-stream with the event index and line', async () => {
    const xml = XML_HEAD + xmlEvent(0) + xmlEvent(1).replace('</action>', '</actoin>') + XML_TAIL;
    const seen: number[] = [];
    const run = async () => {
      for await (const item of streamEpcisXmlEvents(Readable.from(byteChunks(xml, 64)))) seen.push(item.index);
    };
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EpcisValidationError);
    expect(error).toMatchObject({ code: EpcisErrorCode.MALFORMED_XML, issues: [{ eventIndex: 1, rule: 'xml-syntax', line: 4 }] });
    expect(seen).toEqual([0]);
  });

  it('streams a ~50 MB document of 20,000 events with heap growth far below its size', async () => {
    const events = 20_000;
    let lastHash = '';
    const measure = await measureStream(xmlDocumentChunks(events), streamEpcisXmlEvents, (item, n) => {
      expect(item.index).toBe(n);
      if (n === events - 1) lastHash = eventHash(item.event, item.context).hash;
    });
    const expectedLast = eventHashes(readEpcisXml(XML_HEAD + xmlEvent(events - 1) + XML_TAIL))[0].hash;
    expect(measure.events).toBe(events);
    expect(lastHash).toBe(expectedLast);
    expect(measure.bytes).toBeGreaterThan(45 * 2 ** 20);
    expect(measure.peakHeapGrowth).toBeLessThan(25 * 2 ** 20);
    process.stdout.write(
      `XML stream: ${(measure.bytes / 2 ** 20).toFixed(1)} MiB, ${events} events in ${measure.seconds.toFixed(2)} s ` +
        `(${Math.round(events / measure.seconds)} events/s), peak heap growth ${(measure.peakHeapGrowth / 2 ** 20).toFixed(1)} MiB\n`,
    );
  }, 60_000);

  it('reads a long chunk in pieces, a character cut between two pieces included, as the whole document reads', async () => {
    // The parser takes 64 Ki characters at a time: the emoji's two UTF-16 halves land on both sides of the cut.
    const before = XML_HEAD + xmlEvent(0);
    const open =
      '<ObjectEvent><eventTime>2024-01-01T00:00:01.000Z</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset><action>OBSERVE</action><ex:note>';
    const pad = 'x'.repeat(64 * 1024 - 1 - before.length - open.length);
    const xml = `${before}${open}${pad}😀</ex:note></ObjectEvent>\n${xmlEvent(2)}${XML_TAIL}`;
    expect(xml.charCodeAt(64 * 1024 - 1)).toBe('😀'.charCodeAt(0));
    const items = await collect(
      (async function* () {
        yield xml;
      })(),
    );
    expect(items.map((i) => i.event)).toEqual(eventsOf(readEpcisXml(xml)));
    expect(JSON.stringify(items[1].event)).toContain(`${pad}😀`);
  });
});

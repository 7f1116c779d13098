import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { standardsDir } from '@pharmatrace/gs1';
import { Readable } from 'node:stream';
import { EpcisErrorCode } from './epcis.error';
import { eventHash, eventHashes } from './event-hash';
import { streamEpcisJsonEvents } from './json-stream';
import { JSON_CONTEXT, jsonDocumentChunks, jsonEvent, measureStream } from './stream-test.fixtures';
import type { StreamedEpcisEvent } from './xml-stream';

const STANDARDS = standardsDir();
const EXAMPLES = path.join(STANDARDS, 'epcis-2.0', 'examples');

async function collect(input: AsyncIterable<Buffer | string>): Promise<StreamedEpcisEvent[]> {
  const items: StreamedEpcisEvent[] = [];
  for await (const item of streamEpcisJsonEvents(input)) items.push(item);
  return items;
}

const chunked = (text: string, size: number): Readable => {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
};

async function* concat(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let text = '';
  for await (const chunk of source) text += chunk.toString('utf8');
  yield text;
}

describe('streamEpcisJsonEvents', () => {
  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith('.jsonld')))(
    '%s: streamed in 5-byte chunks, gives the same events and hashes as the parsed document',
    async (file) => {
      const text = readFileSync(path.join(EXAMPLES, file), 'utf8');
      const document = JSON.parse(text);
      const items = await collect(chunked(text, 5));
      expect(items.map((i) => i.index)).toEqual(eventHashes(document).map((_, i) => i));
      expect(items.map((i) => i.context)).toEqual(items.map(() => document['@context']));
      expect(items.map(({ event, context }) => eventHash(event, context).hash)).toEqual(eventHashes(document).map((r) => r.hash));
    },
  );

  it('buffers the events when @context comes after epcisBody, then yields them with it', async () => {
    const items = await collect(concat(jsonDocumentChunks(3, false)));
    expect(items.map((i) => i.index)).toEqual([0, 1, 2]);
    expect(items.map((i) => i.event)).toEqual([0, 1, 2].map(jsonEvent));
    expect(items[0].context).toEqual(JSON_CONTEXT);
  });

  it('carries the ignoreFields declarations read before each event, at the top level or in queryResults', async () => {
    const vector = readFileSync(path.join(STANDARDS, 'cbv-event-hash', 'epcisDocHavingEventWithIgnoreFields.jsonld'), 'utf8');
    const document = JSON.parse(vector);
    const items = await collect(chunked(vector, 7));
    expect(items.map((i) => i.ignoreFields)).toEqual(
      items.map(() => ({ 'repository-x:ignoreFields': ['repository-x:hash', 'example:captureID'] })),
    );
    expect(
      items.map((i) => eventHashes({ '@context': i.context, ...i.ignoreFields, epcisBody: { eventList: [i.event] } })[0].hash),
    ).toEqual(eventHashes(document).map((r) => r.hash));

    const query = JSON.stringify({
      type: 'EPCISQueryDocument',
      '@context': JSON_CONTEXT,
      epcisBody: { queryResults: { queryName: 'q', 'ex:ignoreFields': ['ex:a', 3], resultsBody: { eventList: [jsonEvent(0)] } } },
    });
    expect((await collect(chunked(query, 3)))[0].ignoreFields).toEqual({ 'ex:ignoreFields': ['ex:a', 3] });

    // After the events it names nothing for them; a nested key of the same name is no declaration.
    const late = JSON.stringify({
      type: 'EPCISDocument',
      '@context': JSON_CONTEXT,
      epcisBody: { eventList: [{ ...jsonEvent(0), 'ex:x': { 'ex:ignoreFields': ['y'] } }] },
      'ex:ignoreFields': ['ex:a'],
    });
    expect((await collect(chunked(late, 4)))[0].ignoreFields).toBeUndefined();
  });

  it.each([
    ['malformed JSON', '{"type":"EPCISDocument","epcisBody":{"eventList":[{"type":"ObjectEvent",}]}}', 'json-syntax'],
    ['a truncated document', '{"type":"EPCISDocument","epcisBody":{"eventList":[{"type":"ObjectEvent"}', 'json-syntax'],
    ['an event that is not an object', '{"type":"EPCISDocument","epcisBody":{"eventList":[42]}}', 'type:object'],
    ['a JSON value that is not an EPCIS document', '{"epcisBody":{"eventList":[]}}', 'enum'],
  ])('rejects %s with MALFORMED_DOCUMENT', async (_, text, rule) => {
    await expect(collect(Readable.from([text]))).rejects.toMatchObject({ code: EpcisErrorCode.MALFORMED_DOCUMENT, issues: [{ rule }] });
  });

  it('streams a ~50 MB document of 24,000 events with heap growth far below its size', async () => {
    const events = 24_000;
    let lastHash = '';
    const measure = await measureStream(jsonDocumentChunks(events), streamEpcisJsonEvents, (item, n) => {
      expect(item.index).toBe(n);
      if (n === events - 1) lastHash = eventHash(item.event, item.context).hash;
    });
    expect(measure.events).toBe(events);
    expect(lastHash).toBe(eventHash(jsonEvent(events - 1), JSON_CONTEXT).hash);
    expect(measure.bytes).toBeGreaterThan(45 * 2 ** 20);
    expect(measure.peakHeapGrowth).toBeLessThan(25 * 2 ** 20);
    process.stdout.write(
      `JSON stream: ${(measure.bytes / 2 ** 20).toFixed(1)} MiB, ${events} events in ${measure.seconds.toFixed(2)} s ` +
        `(${Math.round(events / measure.seconds)} events/s), peak heap growth ${(measure.peakHeapGrowth / 2 ** 20).toFixed(1)} MiB\n`,
    );
  }, 60_000);
});

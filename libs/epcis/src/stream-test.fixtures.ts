/** Generated EPCIS documents of any size, produced chunk by chunk, for the streaming readers' tests. */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { commissioningEvent, EPCIS_CONTEXT } from './document.builder';

const EPCS_PER_EVENT = 45;
const epc = (event: number, item: number) => `urn:epc:id:sgtin:0614141.107346.${event * EPCS_PER_EVENT + item}`;

export function xmlEvent(i: number): string {
  const epcs = Array.from({ length: EPCS_PER_EVENT }, (_, k) => `<epc>${epc(i, k)}</epc>`).join('');
  return (
    `<ObjectEvent><eventTime>2024-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z</eventTime>` +
    `<eventTimeZoneOffset>+01:00</eventTimeZoneOffset><epcList>${epcs}</epcList><action>ADD</action>` +
    '<bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep><disposition>urn:epcglobal:cbv:disp:active</disposition>' +
    `<readPoint><id>urn:epc:id:sgln:0614141.00777.0</id></readPoint><ilmd><ex:lot>LOT${i}</ex:lot></ilmd>` +
    `<ex:seq>${i}</ex:seq></ObjectEvent>\n`
  );
}

export const XML_HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://ex.example/ns/" ' +
  'schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList>\n';
export const XML_TAIL = '</EventList></EPCISBody></epcis:EPCISDocument>\n';

export function jsonEvent(i: number): Record<string, unknown> {
  return {
    ...commissioningEvent({
      eventTime: `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
      epcs: Array.from({ length: EPCS_PER_EVENT }, (_, k) => epc(i, k)),
      lot: `LOT${i}`,
      expiry: '2026-01-01',
      readPoint: 'urn:epc:id:sgln:0614141.00777.0',
    }),
    'ex:seq': String(i),
  };
}

export const JSON_CONTEXT = [EPCIS_CONTEXT, { ex: 'https://ex.example/ns/' }];

/** A document as chunks of about 64 KiB, built lazily: only one chunk exists at a time. */
export async function* generatedDocument(head: string, events: number, event: (i: number) => string, tail: string): AsyncGenerator<Buffer> {
  let pending = head;
  for (let i = 0; i < events; i++) {
    pending += event(i);
    if (pending.length >= 65_536) {
      yield Buffer.from(pending, 'utf8');
      pending = '';
    }
  }
  yield Buffer.from(pending + tail, 'utf8');
}

export function jsonDocumentChunks(events: number, contextFirst = true): AsyncGenerator<Buffer> {
  const context = `"@context":${JSON.stringify(JSON_CONTEXT)}`;
  const head = `{${contextFirst ? `${context},` : ''}"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2024-01-01T00:00:00Z","epcisBody":{"eventList":[`;
  const tail = `]}${contextFirst ? '' : `,${context}`}}`;
  return generatedDocument(head, events, (i) => (i > 0 ? ',' : '') + JSON.stringify(jsonEvent(i)), tail);
}

export function xmlDocumentChunks(events: number): AsyncGenerator<Buffer> {
  return generatedDocument(XML_HEAD, events, xmlEvent, XML_TAIL);
}

/** V8's gc(), reached without the --expose-gc command-line flag, so heap baselines are taken on a clean heap. */
export function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

export interface StreamMeasure {
  events: number;
  bytes: number;
  seconds: number;
  peakHeapGrowth: number;
}

/**
 * Consumes a stream of events, sampling heapUsed every `every` events, and counts the bytes the source
 * produced. heapUsed also counts garbage V8 has not collected yet, which without a collection grows with
 * the input whatever the reader keeps; a full collection every `collectEvery` events bounds that garbage,
 * so the peak reflects what the reader holds.
 */
export async function measureStream<T>(
  source: AsyncGenerator<Buffer>,
  read: (input: AsyncIterable<Buffer>) => AsyncGenerator<T>,
  onItem: (item: T, n: number) => void,
  every = 100,
  collectEvery = 500,
): Promise<StreamMeasure> {
  const gc = collectGarbage();
  let bytes = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let events = 0;
  const started = process.hrtime.bigint();
  for await (const item of read(counted())) {
    onItem(item, events);
    events++;
    if (events % every === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    if (events % collectEvery === 0) gc();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { events, bytes, seconds, peakHeapGrowth: peak - baseline };
}

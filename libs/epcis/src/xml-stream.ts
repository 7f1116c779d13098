/**
 * Streaming EPCIS XML capture: one mapped event at a time, whatever the document size. Memory holds the
 * parser's state, the event being built and the events completed by the current chunk.
 */
import { decodedChunks } from './document.decoder';
import type { DocumentHeaderSink } from './master-data';
import type { JsonObject } from './xml-element.mapper';
import { slicer } from './time-slice';
import { EpcisXmlEventParser } from './xml-event.parser';

export interface StreamedEpcisEvent {
  /** Position in the document's event list. */
  index: number;
  event: Record<string, unknown>;
  /** The document's `@context`; pass it to eventHash with the event. */
  context: unknown;
  /** The document's ignoreFields declarations read before the event, as the document holds them (`{ [key]: names }`). */
  ignoreFields?: Record<string, unknown>;
  /** Read from XML: judged by the XSD's rules where they differ from the JSON Schema (xsd.rules.ts). */
  fromXml?: true;
}

/** About a millisecond of XML parsing. */
const XML_PIECE_CHARS = 64 * 1024;

export type EpcisInput = NodeJS.ReadableStream | AsyncIterable<Buffer | Uint8Array | string>;

/**
 * Yields each event of an EPCIS 1.2/2.0 XML document as EPCIS 2.0 JSON-LD, in document order. The
 * context comes from the root element's namespace declarations, read before any event; namespaces bound
 * inside an event travel in that event's own `@context`. The header's master data is left in `header` at the end. The bytes are decoded by the XML rules (DocumentDecoder);
 * `charset` is the Content-Type parameter, if any.
 */
export async function* streamEpcisXmlEvents(
  input: EpcisInput,
  charset?: string,
  header?: DocumentHeaderSink,
): AsyncGenerator<StreamedEpcisEvent> {
  const ready: StreamedEpcisEvent[] = [];
  const parser = new EpcisXmlEventParser((event: JsonObject, index: number) => {
    const declared = parser.header?.ignoreFields;
    ready.push({
      index,
      event,
      context: parser.context,
      fromXml: true,
      ...(declared ? { ignoreFields: { [declared.key]: declared.names } } : {}),
    });
  });
  const pause = slicer();
  for await (const text of decodedChunks(input as AsyncIterable<Buffer | Uint8Array | string>, 'xml', charset)) {
    // A stream read after a busy spell hands over everything buffered meanwhile, megabytes at 15 ms each: the parser
    // takes it in pieces, and other requests get a turn between them.
    for (let at = 0; at < text.length; at += XML_PIECE_CHARS) {
      parser.write(text.length <= XML_PIECE_CHARS ? text : text.slice(at, at + XML_PIECE_CHARS));
      for (const item of ready) yield item;
      ready.length = 0;
      await pause();
    }
  }
  parser.end();
  const masterData = parser.header?.masterData;
  if (header && masterData) header.epcisHeader = { epcisMasterData: { vocabularyList: masterData } };
  for (const item of ready) yield item;
}

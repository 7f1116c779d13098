/**
 * Streaming EPCIS 2.0 JSON-LD capture on @streamparser/json (a maintained push parser that emits the
 * values at chosen paths and, with keepStack off, drops them from their parent once emitted), so a large
 * document is read one event at a time.
 */
import { JSONParser } from '@streamparser/json';
import { EpcisErrorCode, EpcisValidationError } from './epcis.error';
import { decodedChunks } from './document.decoder';
import type { EpcisInput, StreamedEpcisEvent } from './xml-stream';

const CONTEXT_PATH = '$.@context';
/**
 * Picked only to learn that the root is an EPCIS document object. Neither the root nor epcisBody can be
 * picked paths: the parser then keeps every emitted event inside them. So an absent event list reads as
 * an empty one here; the schema validation of the stored events' document is what catches that.
 */
const TYPE_PATH = '$.type';
const CAPTURE_EVENTS = '$.epcisBody.eventList.*';
const QUERY_EVENTS = '$.epcisBody.queryResults.resultsBody.eventList.*';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function malformed(eventIndex: number | null, field: string, rule: string, message: string): EpcisValidationError {
  return new EpcisValidationError(EpcisErrorCode.MALFORMED_DOCUMENT, message, [{ eventIndex, field, rule, message }]);
}

/**
 * Yields each event of an EPCIS 2.0 JSON-LD capture or query document with the document's `@context`.
 * Documents put `@context` first in practice; when it comes after `epcisBody`, the events read before it
 * must wait for it, so they are buffered and memory then grows with the document. The bytes must be UTF-8
 * (DocumentDecoder refuses any other, and ill-formed bytes, with their offset).
 */
export async function* streamEpcisJsonEvents(input: EpcisInput): AsyncGenerator<StreamedEpcisEvent> {
  const parser = new JSONParser({ paths: [CONTEXT_PATH, TYPE_PATH, CAPTURE_EVENTS, QUERY_EVENTS], keepStack: false });
  const ready: StreamedEpcisEvent[] = [];
  const waiting: Record<string, unknown>[] = [];
  let context: unknown;
  let contextSeen = false;
  let count = 0;
  let documentType: unknown;

  parser.onValue = ({ value, key, stack }) => {
    if (stack.length === 1 && key === 'type') {
      documentType = value;
      return;
    }
    if (stack.length === 1 && key === '@context') {
      context = value;
      contextSeen = true;
      const first = count - waiting.length;
      waiting.forEach((event, i) => ready.push({ index: first + i, event, context }));
      waiting.length = 0;
      return;
    }
    const index = count++;
    if (!isRecord(value)) throw malformed(index, '', 'type:object', `event ${index} must be a JSON object`);
    if (contextSeen) ready.push({ index, event: value, context });
    else waiting.push(value);
  };
  const write = (text: string) => {
    try {
      parser.write(text);
    } catch (error) {
      if (error instanceof EpcisValidationError) throw error;
      throw malformed(count, '', 'json-syntax', `malformed JSON: ${(error as Error).message}`);
    }
  };

  for await (const text of decodedChunks(input as AsyncIterable<Buffer | Uint8Array | string>, 'json')) {
    write(text);
    for (const item of ready) yield item;
    ready.length = 0;
  }
  if (!parser.isEnded) {
    try {
      parser.end();
    } catch (error) {
      throw malformed(null, '', 'json-syntax', `malformed JSON: ${(error as Error).message}`);
    }
  }
  if (documentType !== 'EPCISDocument' && documentType !== 'EPCISQueryDocument') {
    throw malformed(null, '/type', 'enum', 'not an EPCIS document: its type must be EPCISDocument or EPCISQueryDocument');
  }
  const firstWaiting = count - waiting.length;
  for (const [i, event] of waiting.entries()) yield { index: firstWaiting + i, event, context };
}

/**
 * Streaming EPCIS 2.0 JSON-LD capture on @streamparser/json (a maintained push parser that emits the
 * values at chosen paths and, with keepStack off, drops them from their parent once emitted), so a large
 * document is read one event at a time.
 */
import { JSONParser, type ParsedTokenInfo, TokenType } from '@streamparser/json';
import { isIgnoreFieldsKey } from 'pharmatrace-verify/cbv';
import { EpcisErrorCode, EpcisValidationError } from './epcis.error';
import { decodedChunks } from './document.decoder';
import type { EpcisInput, StreamedEpcisEvent } from './xml-stream';
import type { DocumentHeaderSink } from './master-data';

const CONTEXT_PATH = '$.@context';
/**
 * Picked only to learn that the root is an EPCIS document object. Neither the root nor epcisBody can be
 * picked paths: the parser then keeps every emitted event inside them. So an absent event list reads as
 * an empty one here; the schema validation of the stored events' document is what catches that.
 */
const TYPE_PATH = '$.type';
/** The header holds master data only: small beside the events, and read whole. */
const HEADER_PATH = '$.epcisHeader';
const CAPTURE_EVENTS = '$.epcisBody.eventList.*';
const QUERY_EVENTS = '$.epcisBody.queryResults.resultsBody.eventList.*';

/**
 * Reads a document's `…ignoreFields` declarations (at the top level or in epcisBody.queryResults) from the token
 * stream: picking those paths would make the parser keep the whole document around the events. A declaration applies
 * to the events after it, as in an XML stream.
 */
class DeclarationWatcher {
  readonly declared: Record<string, unknown> = {};
  /** For each open container: the key it is the value of (undefined for the root and array items) and whether it is an object. */
  private readonly open: { key: string | undefined; object: boolean }[] = [];
  private expectingKey = false;
  private key: string | undefined;
  /** The declaration array being read, and the depth of its items. */
  private collecting: unknown[] | null = null;
  private collectingDepth = -1;

  /** Whether a value under `key` in the innermost open object is a declaration. */
  private declares(key: string | undefined): key is string {
    if (key === undefined || !isIgnoreFieldsKey(key)) return false;
    const path = this.open.slice(1).map((c) => c.key);
    return path.length === 0 || (path.length === 2 && path[0] === 'epcisBody' && path[1] === 'queryResults');
  }

  token({ token, value }: ParsedTokenInfo): void {
    const top = this.open[this.open.length - 1];
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      if (this.collecting && top && !top.object && this.open.length === this.collectingDepth) this.collecting.push(null);
      if (token === TokenType.LEFT_BRACKET && top?.object && this.declares(this.key)) {
        this.collecting = [];
        this.declared[this.key] = this.collecting;
        this.collectingDepth = this.open.length + 1;
      }
      this.open.push({ key: top?.object ? this.key : undefined, object: token === TokenType.LEFT_BRACE });
      this.expectingKey = token === TokenType.LEFT_BRACE;
      return;
    }
    if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) {
      if (this.open.length === this.collectingDepth) this.collecting = null;
      this.open.pop();
      return;
    }
    if (token === TokenType.COMMA) {
      this.expectingKey = top?.object === true;
      return;
    }
    if (token === TokenType.COLON) return;
    if (this.expectingKey && token === TokenType.STRING) {
      this.key = value as string;
      this.expectingKey = false;
      return;
    }
    if (this.collecting && this.open.length === this.collectingDepth) this.collecting.push(value);
    else if (top?.object && this.declares(this.key)) this.declared[this.key] = value;
  }

  /** The declarations read so far, as a document holds them. */
  snapshot(): Record<string, unknown> | undefined {
    const entries = Object.entries(this.declared);
    return entries.length ? Object.fromEntries(entries.map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])) : undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function malformed(eventIndex: number | null, field: string, rule: string, message: string): EpcisValidationError {
  return new EpcisValidationError(EpcisErrorCode.MALFORMED_DOCUMENT, message, [{ eventIndex, field, rule, message }]);
}

/**
 * Yields each event of an EPCIS 2.0 JSON-LD capture or query document with the document's `@context`.
 * Documents put `@context` first in practice; when it comes after `epcisBody`, the events read before it
 * must wait for it, so they are buffered and memory then grows with the document. The bytes must be UTF-8
 * (DocumentDecoder refuses any other, and ill-formed bytes, with their offset). The document's context and header
 * (master data) are left in `header` as they are read.
 */
export async function* streamEpcisJsonEvents(input: EpcisInput, header?: DocumentHeaderSink): AsyncGenerator<StreamedEpcisEvent> {
  const parser = new JSONParser({ paths: [CONTEXT_PATH, TYPE_PATH, HEADER_PATH, CAPTURE_EVENTS, QUERY_EVENTS], keepStack: false });
  const declarations = new DeclarationWatcher();
  // A declaration after the first event applies to none (they are hashed as they come), so the tokens of the events
  // and after them are not looked at: on a large document that kept the watcher's cost to a branch per token.
  let watching = true;
  parser.onToken = (token) => {
    if (watching) declarations.token(token);
  };
  const item = (index: number, event: Record<string, unknown>, context: unknown): StreamedEpcisEvent => {
    const ignoreFields = declarations.snapshot();
    return ignoreFields ? { index, event, context, ignoreFields } : { index, event, context };
  };
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
    if (stack.length === 1 && key === 'epcisHeader') {
      if (header) header.epcisHeader = value;
      return;
    }
    if (stack.length === 1 && key === '@context') {
      if (header) header['@context'] = value;
      context = value;
      contextSeen = true;
      const first = count - waiting.length;
      waiting.forEach((event, i) => ready.push(item(first + i, event, context)));
      waiting.length = 0;
      return;
    }
    const index = count++;
    watching = false;
    if (!isRecord(value)) throw malformed(index, '', 'type:object', `event ${index} must be a JSON object`);
    if (contextSeen) ready.push(item(index, value, context));
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
  for (const [i, event] of waiting.entries()) yield item(firstWaiting + i, event, context);
}

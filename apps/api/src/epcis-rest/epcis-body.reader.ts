import {
  afterPoll,
  decodeDocument,
  type DocumentFormat,
  EpcisErrorCode,
  EpcisValidationError,
  InputLimitExceeded,
  MAX_LIST_LENGTH,
  parseJsonSliced,
  SLICED_JSON_MIN_CHARS,
} from '@pharmatrace/epcis';
import { RequestLimitError, RequestLimitErrorCode } from '../common/request-limit.error';
import { EpcisRestError, EpcisRestErrorCode } from './epcis-rest.error';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/** The Content-Type charset parameter, if any. */
export const charsetOf = (req: { headers: { 'content-type'?: string } }): string | undefined =>
  CHARSET.exec(req.headers['content-type'] ?? '')?.[1];

/**
 * A buffered body's bytes as text, by the capture rules (DocumentDecoder): JSON in UTF-8 only, XML in what its
 * byte-order mark, charset or declaration says; an unreadable encoding is UNSUPPORTED_MEDIA_TYPE, a byte sequence
 * not valid in it INVALID_ENCODING with its offset (never replaced by U+FFFD).
 */
export function decodeBody(bytes: Uint8Array, format: DocumentFormat, charset: string | undefined): string {
  try {
    return decodeDocument(bytes, format, charset);
  } catch (e) {
    if (!(e instanceof EpcisValidationError)) throw e;
    const { rule, offset, encoding } = e.issues[0];
    if (e.code === EpcisErrorCode.UNSUPPORTED_ENCODING)
      throw new EpcisRestError(EpcisRestErrorCode.UNSUPPORTED_MEDIA_TYPE, e.message, { rule, encoding });
    throw new EpcisRestError(EpcisRestErrorCode.INVALID_ENCODING, `the body is not valid in its encoding: ${e.message}`, {
      rule,
      offset,
      encoding,
    });
  }
}

/**
 * Every buffered JSON body, on every path (GraphQL, REST JSON and JSON-LD): decoded (decodeBody), then parsed by
 * parseJsonSliced. A long one waits for the event loop to poll first and is parsed in slices, so that a 4 MB body
 * never holds other requests for the 22-60 ms of one JSON.parse; a short one (a scan, a query) is parsed at once, as
 * two more turns of the event loop per request would cost every request. Not JSON: MALFORMED_BODY. A list longer
 * than MAX_LIST_LENGTH: InputLimitExceeded, thrown before the list is built.
 */
export async function readJsonBody(
  bytes: Uint8Array,
  charset: string | undefined,
  fieldOf: (pointer: string) => string = (pointer) => pointer.slice(1) || 'body',
): Promise<unknown> {
  const text = decodeBody(bytes, 'json', charset);
  if (text.length >= SLICED_JSON_MIN_CHARS) await afterPoll();
  try {
    return await parseJsonSliced(text, MAX_LIST_LENGTH);
  } catch (e) {
    if (e instanceof InputLimitExceeded) {
      // Named as InputLimitsPipe names it once a body is built: its path from the root, or fieldOf's.
      const field = fieldOf(e.violation.pointer);
      throw new RequestLimitError(RequestLimitErrorCode.INVALID_INPUT, `${field}: ${e.violation.message}`, {
        field,
        rule: e.violation.rule,
      });
    }
    if (!(e instanceof SyntaxError || e instanceof RangeError)) throw e;
    throw new EpcisRestError(EpcisRestErrorCode.MALFORMED_BODY, `the body is not JSON: ${e.message}`, { rule: 'json' });
  }
}

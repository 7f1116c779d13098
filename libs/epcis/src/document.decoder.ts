/**
 * Bytes → text for captured documents. XML by the rules of XML 1.0 Appendix F and RFC 7303: a byte-order mark
 * decides, then the media type's charset parameter, then the XML declaration's `encoding`, else UTF-8. JSON is
 * UTF-8 (RFC 8259). A byte sequence that is not valid in the encoding is refused with its offset, never replaced
 * by U+FFFD, because a replaced character changes the stored event and its hash without anyone knowing.
 */
import { isUtf8 } from 'node:buffer';
import { EpcisErrorCode, EpcisValidationError } from './epcis.error';

export type DocumentFormat = 'json' | 'xml';

/**
 * The encodings read: UTF-8 and UTF-16, validated here with exact offsets, and the single-byte encodings, where
 * each byte is a character so a bad one is found by itself. Multi-byte legacy encodings (Shift_JIS, GB18030,
 * Big5, EUC-*) keep state across bytes that TextDecoder does not expose, so their errors could not be placed;
 * nobody sends EPCIS in them.
 */
const SINGLE_BYTE = new Set([
  'ibm866',
  'iso-8859-2',
  'iso-8859-3',
  'iso-8859-4',
  'iso-8859-5',
  'iso-8859-6',
  'iso-8859-7',
  'iso-8859-8',
  'iso-8859-8-i',
  'iso-8859-10',
  'iso-8859-13',
  'iso-8859-14',
  'iso-8859-15',
  'iso-8859-16',
  'koi8-r',
  'koi8-u',
  'macintosh',
  'windows-874',
  'windows-1250',
  'windows-1251',
  'windows-1252',
  'windows-1253',
  'windows-1254',
  'windows-1255',
  'windows-1256',
  'windows-1257',
  'windows-1258',
  'x-mac-cyrillic',
]);
const UNICODE = new Set(['utf-8', 'utf-16le', 'utf-16be']);

/** Enough for any XML declaration a document really carries; the encoding is looked for in these first bytes. */
const DECLARATION_WINDOW = 1024;
const DECLARED_ENCODING = /^<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1/;

function invalid(offset: number, encoding: string, what: string): EpcisValidationError {
  const message = `${what} at byte offset ${offset}: not valid ${encoding}`;
  return new EpcisValidationError(EpcisErrorCode.INVALID_ENCODING, message, [
    { eventIndex: null, field: '', rule: 'encoding', message, offset, encoding },
  ]);
}

function unsupported(label: string, source: string): EpcisValidationError {
  const message = `the ${source} names the encoding "${label}", which this server does not read; send UTF-8, UTF-16 or a single-byte encoding such as ISO-8859-1`;
  return new EpcisValidationError(EpcisErrorCode.UNSUPPORTED_ENCODING, message, [
    { eventIndex: null, field: '', rule: 'encoding', message, encoding: label },
  ]);
}

/** The WHATWG name of a label this reader supports, or an UNSUPPORTED_ENCODING error naming where it came from. */
function resolve(label: string, source: string): string {
  let name: string;
  try {
    name = new TextDecoder(label).encoding;
  } catch {
    throw unsupported(label, source);
  }
  if (!UNICODE.has(name) && !SINGLE_BYTE.has(name)) throw unsupported(label, source);
  return name;
}

/** A byte validator that keeps its state across chunks and reports absolute offsets. */
interface Validator {
  /** Throws at the first byte of the first ill-formed sequence; a sequence cut at the chunk's end waits for the next. */
  write(bytes: Uint8Array): void;
  /** Throws when the input ends inside a sequence. */
  end(): void;
}

/** UTF-8 as the WHATWG decoder reads it: no overlong forms, no surrogates, nothing above U+10FFFF. */
function utf8Validator(): Validator {
  let offset = 0;
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  let start = 0;
  const bad = (at: number) => invalid(at, 'UTF-8', 'an ill-formed byte sequence');
  return {
    write(bytes) {
      // Node's native check (SIMD, ~1 ms for 8 MB against ~45 ms for the loop below) settles the common case of a
      // chunk that is whole, valid UTF-8; the loop runs only to find the offset of a fault or to carry a sequence
      // split across chunks.
      if (needed === 0 && isUtf8(bytes)) {
        offset += bytes.length;
        return;
      }
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i];
        if (needed === 0) {
          if (b <= 0x7f) continue;
          start = offset + i;
          if (b >= 0xc2 && b <= 0xdf) needed = 1;
          else if (b >= 0xe0 && b <= 0xef) {
            if (b === 0xe0) lower = 0xa0;
            if (b === 0xed) upper = 0x9f;
            needed = 2;
          } else if (b >= 0xf0 && b <= 0xf4) {
            if (b === 0xf0) lower = 0x90;
            if (b === 0xf4) upper = 0x8f;
            needed = 3;
          } else throw bad(start);
          continue;
        }
        if (b < lower || b > upper) throw bad(start);
        lower = 0x80;
        upper = 0xbf;
        if (++seen === needed) needed = seen = 0;
      }
      offset += bytes.length;
    },
    end() {
      if (needed) throw invalid(start, 'UTF-8', 'a truncated byte sequence');
    },
  };
}

/** UTF-16: an even number of bytes, and every surrogate in a high–low pair. */
function utf16Validator(littleEndian: boolean): Validator {
  const name = littleEndian ? 'UTF-16LE' : 'UTF-16BE';
  let offset = 0;
  let lead = -1;
  let high = -1;
  return {
    write(bytes) {
      for (let i = 0; i < bytes.length; i++) {
        if (lead < 0) {
          lead = bytes[i];
          continue;
        }
        const unit = littleEndian ? lead | (bytes[i] << 8) : (lead << 8) | bytes[i];
        const at = offset + i - 1;
        lead = -1;
        const isHigh = unit >= 0xd800 && unit <= 0xdbff;
        const isLow = unit >= 0xdc00 && unit <= 0xdfff;
        if (high >= 0) {
          if (!isLow) throw invalid(high, name, 'a high surrogate without its low surrogate');
          high = -1;
        } else if (isHigh) high = at;
        else if (isLow) throw invalid(at, name, 'a low surrogate without its high surrogate');
      }
      offset += bytes.length;
    },
    end() {
      if (high >= 0) throw invalid(high, name, 'a high surrogate without its low surrogate');
      if (lead >= 0) throw invalid(offset - 1, name, 'an odd byte at the end');
    },
  };
}

/** Single-byte encodings hold no state, so the chunk is decoded again byte by byte only to place an error. */
function singleByteValidator(encoding: string): Validator {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let offset = 0;
  return {
    write(bytes) {
      try {
        decoder.decode(bytes);
      } catch {
        const at = bytes.findIndex((_, i) => {
          try {
            decoder.decode(bytes.subarray(i, i + 1));
            return false;
          } catch {
            return true;
          }
        });
        throw invalid(offset + at, encoding, 'a byte with no character');
      }
      offset += bytes.length;
    },
    end() {},
  };
}

function validatorFor(encoding: string): Validator {
  if (encoding === 'utf-8') return utf8Validator();
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return utf16Validator(encoding === 'utf-16le');
  return singleByteValidator(encoding);
}

const startsWith = (bytes: Uint8Array, ...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/**
 * The encoding of an XML document from its first bytes, or null when more bytes are needed to tell. `charset`: the
 * Content-Type parameter, which RFC 7303 puts above the declaration and below a byte-order mark.
 */
function xmlEncodingOf(head: Uint8Array, final: boolean, charset?: string): string | null {
  if (head.length < 4 && !final) return null;
  if (startsWith(head, 0xef, 0xbb, 0xbf)) return 'utf-8';
  // UTF-32 marks first: FF FE 00 00 also begins like UTF-16LE's mark.
  if (startsWith(head, 0x00, 0x00, 0xfe, 0xff) || startsWith(head, 0xff, 0xfe, 0x00, 0x00)) throw unsupported('UTF-32', 'byte-order mark');
  if (startsWith(head, 0xfe, 0xff)) return 'utf-16be';
  if (startsWith(head, 0xff, 0xfe)) return 'utf-16le';
  if (charset) return resolve(charset, 'Content-Type charset');
  // Appendix F: a document without a mark that starts with "<?" in UTF-16.
  if (startsWith(head, 0x00, 0x3c, 0x00, 0x3f)) return 'utf-16be';
  if (startsWith(head, 0x3c, 0x00, 0x3f, 0x00)) return 'utf-16le';
  if (!startsWith(head, 0x3c, 0x3f, 0x78, 0x6d, 0x6c)) return head.length < 5 && !final ? null : 'utf-8';
  const window = Buffer.from(head.subarray(0, DECLARATION_WINDOW)).toString('latin1');
  if (!window.includes('?>') && head.length < DECLARATION_WINDOW && !final) return null;
  const declared = DECLARED_ENCODING.exec(window)?.[2];
  if (!declared) return 'utf-8';
  const encoding = resolve(declared, 'XML declaration');
  // The declaration was just read as single bytes, which a UTF-16 document cannot be.
  if (encoding !== 'utf-8' && !SINGLE_BYTE.has(encoding)) throw invalid(0, declared, `an XML declaration written in single bytes`);
  return encoding;
}

/**
 * Decodes a document arriving in chunks: multi-byte characters cut between chunks are put back together, and the
 * first invalid sequence throws INVALID_ENCODING with its byte offset. An encoding this reader does not support
 * throws UNSUPPORTED_ENCODING.
 */
export class DocumentDecoder {
  private head: Uint8Array[] = [];
  private headLength = 0;
  private decoder?: TextDecoder;
  private validator?: Validator;
  /** The encoding found (WHATWG name), once the first bytes have told it. */
  encoding?: string;

  constructor(
    private readonly format: DocumentFormat,
    /** The Content-Type charset parameter, if any. */
    private readonly charset?: string,
  ) {}

  write(bytes: Uint8Array): string {
    if (this.decoder) return this.decode(bytes, false);
    this.head.push(bytes);
    this.headLength += bytes.length;
    return this.start(false) ? this.flushHead() : '';
  }

  /** Keeps bytes to be decoded by end(), as a whole document is. */
  hold(bytes: Uint8Array): void {
    this.head.push(bytes);
    this.headLength += bytes.length;
  }

  end(): string {
    // Bytes all held in the head (a whole document given at once) are decoded in one final call: streaming decodes
    // of a 3.6 MB body took 8-17 ms against 3 ms.
    if (!this.decoder && this.start(true)) {
      const [head] = this.head;
      this.head = [];
      return this.decode(head ?? new Uint8Array(0), true);
    }
    const text = this.decoder ? this.flushHead() : '';
    return text + this.decode(new Uint8Array(0), true);
  }

  private start(final: boolean): boolean {
    // One piece (a whole document) is used as it is: concatenating would copy it.
    const head = this.head.length === 1 ? this.head[0] : Buffer.concat(this.head);
    const encoding = this.format === 'xml' ? xmlEncodingOf(head, final, this.charset) : this.jsonEncoding();
    if (!encoding) return false;
    this.encoding = encoding;
    this.decoder = new TextDecoder(encoding);
    this.validator = validatorFor(encoding);
    this.head = [head];
    return true;
  }

  /** JSON exchanged between systems is UTF-8 (RFC 8259 §8.1); a charset naming UTF-8 is the only one accepted. */
  private jsonEncoding(): string {
    if (this.charset && resolve(this.charset, 'Content-Type charset') !== 'utf-8') throw unsupported(this.charset, 'Content-Type charset');
    return 'utf-8';
  }

  /** The bytes held while the encoding was unknown (start() joined them into one). */
  private flushHead(): string {
    const [head] = this.head;
    this.head = [];
    return head ? this.decode(head, false) : '';
  }

  private decode(bytes: Uint8Array, final: boolean): string {
    this.validator!.write(bytes);
    if (final) this.validator!.end();
    return this.decoder!.decode(bytes, { stream: !final });
  }
}

/** A whole document's bytes as text; see DocumentDecoder. */
export function decodeDocument(bytes: Uint8Array, format: DocumentFormat, charset?: string): string {
  const decoder = new DocumentDecoder(format, charset);
  decoder.hold(bytes);
  return decoder.end();
}

/** The chunks of a byte stream as text; see DocumentDecoder. String chunks are already text and pass through. */
export async function* decodedChunks(
  input: AsyncIterable<Buffer | Uint8Array | string>,
  format: DocumentFormat,
  charset?: string,
): AsyncGenerator<string> {
  const decoder = new DocumentDecoder(format, charset);
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

import { Readable } from 'node:stream';
import { decodedChunks, decodeDocument, DocumentDecoder } from './document.decoder';
import { EpcisErrorCode, EpcisValidationError } from './epcis.error';
import { streamEpcisJsonEvents } from './json-stream';
import { readEpcisXml } from './xml-reader';
import { streamEpcisXmlEvents } from './xml-stream';

const EPCIS = (declaration: string, lot: string) =>
  `${declaration}<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://example.com/ns/" schemaVersion="2.0" creationDate="2026-01-05T09:00:00Z">` +
  '<EPCISBody><EventList><ObjectEvent><eventTime>2026-01-05T10:00:00.000Z</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>' +
  `<epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList><action>OBSERVE</action><ex:note>${lot}</ex:note>` +
  '</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>';

const LATIN1_DECLARATION = '<?xml version="1.0" encoding="ISO-8859-1"?>';
const noteOf = (xml: string) => ((readEpcisXml(xml).epcisBody as any).eventList[0] as Record<string, unknown>)['ex:note'];

/** The error a call throws, for its code and first issue. */
function errorOf(fn: () => unknown): EpcisValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EpcisValidationError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

async function streamedError(chunks: Buffer[], format: 'json' | 'xml'): Promise<EpcisValidationError> {
  try {
    for await (const _ of decodedChunks(Readable.from(chunks), format)) void _;
  } catch (e) {
    if (e instanceof EpcisValidationError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

/** One byte a chunk: every multi-byte character is cut. */
const bytewise = (bytes: Buffer) => [...bytes].map((b) => Buffer.from([b]));

describe('decodeDocument (XML)', () => {
  it('reads the declared ISO-8859-1: "Grün" is one byte for ü, and stays "Grün"', () => {
    const bytes = Buffer.from(EPCIS(LATIN1_DECLARATION, 'Grün'), 'latin1');
    expect(bytes.includes(Buffer.from([0x47, 0x72, 0xfc, 0x6e]))).toBe(true);
    expect(noteOf(decodeDocument(bytes, 'xml'))).toBe('Grün');
  });

  it('reads single quotes and any case in the declaration', () => {
    const bytes = Buffer.from(EPCIS(`<?xml version='1.0' encoding='iso-8859-1' standalone='yes'?>`, 'Grün'), 'latin1');
    expect(noteOf(decodeDocument(bytes, 'xml'))).toBe('Grün');
  });

  it.each([
    ['UTF-16LE', 'utf16le', [0xff, 0xfe]],
    ['UTF-16BE', 'utf16be', [0xfe, 0xff]],
    ['UTF-8', 'utf8', [0xef, 0xbb, 0xbf]],
  ])('reads a %s document with its byte-order mark', (_, encoding, bom) => {
    const text = EPCIS('<?xml version="1.0" encoding="UTF-16"?>', 'Grün 😀');
    const body = encoding === 'utf16be' ? Buffer.from(text, 'utf16le').swap16() : Buffer.from(text, encoding as BufferEncoding);
    expect(noteOf(decodeDocument(Buffer.concat([Buffer.from(bom), body]), 'xml'))).toBe('Grün 😀');
  });

  it('reads UTF-16 without a mark from its first "<?" (XML 1.0 Appendix F)', () => {
    const bytes = Buffer.from(EPCIS('<?xml version="1.0" encoding="UTF-16"?>', 'Grün'), 'utf16le');
    expect(noteOf(decodeDocument(bytes, 'xml'))).toBe('Grün');
  });

  it('takes the Content-Type charset over the declaration, and the byte-order mark over both', () => {
    const latin1 = Buffer.from(EPCIS('<?xml version="1.0" encoding="UTF-8"?>', 'Grün'), 'latin1');
    expect(noteOf(decodeDocument(latin1, 'xml', 'iso-8859-1'))).toBe('Grün');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(EPCIS('', 'Grün'), 'utf16le')]);
    expect(noteOf(decodeDocument(utf16, 'xml', 'iso-8859-1'))).toBe('Grün');
  });

  it('defaults to UTF-8 with no declaration, or one without an encoding', () => {
    expect(noteOf(decodeDocument(Buffer.from(EPCIS('', 'Grün')), 'xml'))).toBe('Grün');
    expect(noteOf(decodeDocument(Buffer.from(EPCIS('<?xml version="1.0"?>', 'Grün')), 'xml'))).toBe('Grün');
  });

  it('refuses a Latin-1 byte in a UTF-8 document with its offset instead of storing U+FFFD', () => {
    const prefix = Buffer.from(EPCIS('<?xml version="1.0" encoding="UTF-8"?>', 'Gr'));
    const bytes = Buffer.from(EPCIS('<?xml version="1.0" encoding="UTF-8"?>', 'Grün'), 'latin1');
    const offset = prefix.indexOf('</ex:note>');
    const error = errorOf(() => decodeDocument(bytes, 'xml'));
    expect(error.code).toBe(EpcisErrorCode.INVALID_ENCODING);
    expect(error.issues).toEqual([expect.objectContaining({ eventIndex: null, field: '', rule: 'encoding', offset, encoding: 'UTF-8' })]);
    expect(error.message).toBe(`an ill-formed byte sequence at byte offset ${offset}: not valid UTF-8`);
  });

  it('refuses a lone UTF-16 surrogate and an odd last byte', () => {
    const good = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a/>', 'utf16le')]);
    const lone = Buffer.concat([good.subarray(0, 4), Buffer.from([0x00, 0xdc]), good.subarray(4)]);
    expect(errorOf(() => decodeDocument(lone, 'xml')).issues[0]).toMatchObject({ offset: 4, encoding: 'UTF-16LE' });
    expect(errorOf(() => decodeDocument(Buffer.concat([good, Buffer.from([0x20])]), 'xml')).issues[0]).toMatchObject({
      offset: good.length,
    });
  });

  it.each([
    ['an unknown declared encoding', '<?xml version="1.0" encoding="EBCDIC-XYZ"?>', undefined, 'EBCDIC-XYZ'],
    ['a multi-byte legacy encoding', '<?xml version="1.0" encoding="Shift_JIS"?>', undefined, 'Shift_JIS'],
    ['an unknown charset parameter', '', 'klingon', 'klingon'],
  ])('refuses %s as UNSUPPORTED_ENCODING naming it', (_, declaration, charset, name) => {
    const error = errorOf(() => decodeDocument(Buffer.from(EPCIS(declaration, 'x')), 'xml', charset));
    expect(error.code).toBe(EpcisErrorCode.UNSUPPORTED_ENCODING);
    expect(error.issues[0]).toMatchObject({ rule: 'encoding', encoding: name });
    expect(error.message).toContain(`"${name}"`);
  });

  it('refuses a UTF-16 declaration written in single bytes', () => {
    const error = errorOf(() => decodeDocument(Buffer.from(EPCIS('<?xml version="1.0" encoding="UTF-16"?>', 'x')), 'xml'));
    expect(error.code).toBe(EpcisErrorCode.INVALID_ENCODING);
    expect(error.issues[0]).toMatchObject({ offset: 0 });
  });
});

describe('decodeDocument (JSON)', () => {
  it('reads UTF-8 and refuses ill-formed bytes with the offset of the first', () => {
    expect(decodeDocument(Buffer.from('{"a":"Grün"}'), 'json')).toBe('{"a":"Grün"}');
    const bytes = Buffer.from('{"a":"Grün"}', 'latin1');
    expect(errorOf(() => decodeDocument(bytes, 'json')).issues[0]).toMatchObject({ rule: 'encoding', offset: 8 });
  });

  it('refuses a charset other than UTF-8', () => {
    expect(errorOf(() => decodeDocument(Buffer.from('{}'), 'json', 'iso-8859-1')).code).toBe(EpcisErrorCode.UNSUPPORTED_ENCODING);
  });
});

describe('the offset of the first ill-formed UTF-8 sequence', () => {
  it.each([
    ['valid text', Buffer.from('Grün 😀 €'), -1],
    ['a stray continuation byte', Buffer.from([0x41, 0x80, 0x41]), 1],
    ['an overlong "/"', Buffer.from([0x41, 0xc0, 0xaf]), 1],
    ['an encoded surrogate', Buffer.from([0x41, 0x42, 0xed, 0xa0, 0x80]), 2],
    ['a code point above U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80]), 0],
    ['a sequence cut by the end', Buffer.from([0x41, 0xe2, 0x82]), 1],
    ['a lead byte followed by ASCII', Buffer.from([0x41, 0x41, 0xc3, 0x41]), 2],
  ])('%s', (_, bytes, offset) => {
    if (offset < 0) expect(() => decodeDocument(bytes, 'json')).not.toThrow();
    else expect(errorOf(() => decodeDocument(bytes, 'json')).issues[0].offset).toBe(offset);
  });
});

describe('decodedChunks', () => {
  it('puts back together multi-byte characters cut between chunks, in UTF-8 and UTF-16', async () => {
    const text = EPCIS('', 'Grün 😀 €');
    for (const bytes of [Buffer.from(text), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])]) {
      let out = '';
      for await (const chunk of decodedChunks(Readable.from(bytewise(bytes)), 'xml')) out += chunk;
      expect(out).toBe(text);
    }
  });

  it('reads the declaration even when it arrives a byte at a time', async () => {
    const bytes = Buffer.from(EPCIS(LATIN1_DECLARATION, 'Grün'), 'latin1');
    const events = [];
    for await (const item of streamEpcisXmlEvents(Readable.from(bytewise(bytes)))) events.push(item.event);
    expect(events.map((e) => e['ex:note'])).toEqual(['Grün']);
  });

  it('gives the absolute offset of a bad byte in a later chunk, and of a sequence cut before the end', async () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"Grün", "b": "'), Buffer.from([0xe2, 0x82, 0x41]), Buffer.from('"}')]);
    const error = await streamedError([bytes.subarray(0, 5), bytes.subarray(5, 20), bytes.subarray(20)], 'json');
    expect(error.issues[0]).toMatchObject({ rule: 'encoding', offset: 20 });
    const cut = await streamedError([Buffer.from('{"a":"'), Buffer.from([0xc3])], 'json');
    expect(cut.issues[0]).toMatchObject({ offset: 6 });
    expect(cut.message).toContain('truncated');
  });

  it('makes the JSON reader refuse what it used to replace', async () => {
    const read = async () => {
      for await (const _ of streamEpcisJsonEvents(Readable.from([Buffer.from('{"type":"EPCISDocument","x":"Gr\xfcn"}', 'latin1')]))) void _;
    };
    await expect(read()).rejects.toMatchObject({
      code: EpcisErrorCode.INVALID_ENCODING,
      issues: [expect.objectContaining({ offset: 31 })],
    });
  });

  it('finds a byte with no character in a single-byte encoding', () => {
    // ISO-8859-3 has no character at 0xA5.
    const decoder = new DocumentDecoder('xml', 'iso-8859-3');
    expect(() => decoder.write(Buffer.from('<a>\xa5</a>', 'latin1'))).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ offset: 3 })] }),
    );
  });
});

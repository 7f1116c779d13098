import fc from 'fast-check';
import { type ItemState, PackStatus } from '@pharmatrace/domain';
import { eventCopyLine, eventEpcCopyLine, type NewEvent } from './event.repository';
import { packStateCopyLine } from './pack-state.sql';
import { copyJson, copyLine, copyNullable, copyText, CopyText, copyTime } from './sql-query';

/** COPY's text format read back as Postgres reads it (the escapes capture writes, and `\N`): a line's fields. */
function readCopyLine(line: string): (string | null)[] {
  expect(line.endsWith('\n')).toBe(true);
  return line
    .slice(0, -1)
    .split('\t')
    .map((field) =>
      field === '\\N' ? null : field.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? c),
    );
}

describe('COPY text', () => {
  it('writes any text, and null, so that Postgres reads back exactly the value', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'binary' }), { nil: null })), (values) => {
        if (!values.length) return;
        const line = values.map(copyNullable).join('\t') + '\n';
        expect(readCopyLine(line)).toEqual(values);
        expect(line).toBe(copyLine(values));
      }),
    );
  });

  it('writes JSON text with only its backslashes doubled, as copyText would', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
        const json = JSON.stringify({ value, text });
        expect(copyJson(json)).toBe(copyText(json));
      }),
    );
  });

  it('writes lines into the very bytes their text encodes to, growing past its first buffer', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40_000 }), { maxLength: 12 }), (lines) => {
        const rows = new CopyText();
        for (const line of lines) rows.add(line);
        expect(rows.empty).toBe(lines.join('') === '');
        expect(rows.toBuffer().equals(Buffer.from(lines.join('')))).toBe(true);
      }),
      { numRuns: 60 },
    );
    const rows = new CopyText();
    const lines = ['a\n', '€'.repeat(30_000), '😀'.repeat(20_000), 'b\n'];
    for (const line of lines) rows.add(line);
    expect(rows.toBuffer().length).toBe(2 + 90_000 + 80_000 + 2);
    expect(rows.toBuffer().toString()).toBe(lines.join(''));
  });

  it('writes the ISO text of any instant, however many instants it has kept', () => {
    fc.assert(
      fc.property(fc.array(fc.date({ noInvalidDate: true }), { minLength: 300, maxLength: 600 }), (dates) => {
        for (const d of [...dates, ...dates]) expect(copyTime(d)).toBe(d.toISOString());
      }),
      { numRuns: 20 },
    );
  });

  const event: NewEvent = {
    hash: Buffer.alloc(32, 0xab),
    eventType: 'ObjectEvent',
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: null,
    eventTime: new Date('2026-01-01T00:00:00Z'),
    readPoint: 'urn:epc:id:sgln:0614141.00777.0',
    bizLocation: null,
    body: { type: 'ObjectEvent', 'example:note': 'tab\there, "quoted", back\\slash\nline' },
    ignoreFields: ['https://example.com/ns#a"b', 'c\\d'],
    epcs: [],
    documentIndex: 0,
    facts: {} as NewEvent['facts'],
    errorDeclaration: null,
  };

  it('writes an event row field by field in the order of EVENT_COPY', () => {
    const fields = readCopyLine(eventCopyLine(event, 7, '2026-01-02 00:00:00+00', '00000000-0000-4000-8000-000000000001'));
    expect(fields).toEqual([
      '7',
      `\\x${'ab'.repeat(32)}`,
      'ObjectEvent',
      'ADD',
      'commissioning',
      null,
      '2026-01-01T00:00:00.000Z',
      '2026-01-02 00:00:00+00',
      'urn:epc:id:sgln:0614141.00777.0',
      null,
      '00000000-0000-4000-8000-000000000001',
      JSON.stringify(event.body),
      '{"https://example.com/ns#a\\"b","c\\\\d"}',
    ]);
    expect(JSON.parse(fields[11]!)).toEqual(event.body);
  });

  it('writes EPC index and pack state rows field by field', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(readCopyLine(eventEpcCopyLine('urn:epc:id:sscc:0614141.1234567890', at, 9, 'parent', 'rt'))).toEqual([
      'urn:epc:id:sscc:0614141.1234567890',
      '2026-01-01T00:00:00.000Z',
      '9',
      'parent',
      'rt',
    ]);
    const state: ItemState = {
      epc: 'https://id.gs1.org/01/00614141073467/21/A\tB',
      kind: 'sgtin',
      gtin: '00614141073467',
      serial: 'A\tB',
      lot: 'L1',
      expiry: '2029-12-31',
      status: PackStatus.ACTIVE,
      statusChangedAt: at,
      statusChangedBy: null,
      statusRecordedAt: new Date('2026-01-01T00:00:01Z'),
      custodianId: '00000000-0000-4000-8000-000000000001',
      location: null,
      destination: null,
      containerEpc: null,
      commissionedBy: '00000000-0000-4000-8000-000000000001',
      lastEventId: 9,
      lastEventTime: new Date('2026-01-01T00:00:02Z'),
    };
    expect(readCopyLine(packStateCopyLine(state, 'first', 'last'))).toEqual([
      state.epc,
      'sgtin',
      '00614141073467',
      'A\tB',
      'L1',
      '2029-12-31',
      'ACTIVE',
      state.custodianId,
      null,
      null,
      null,
      state.commissionedBy,
      '9',
      '2026-01-01T00:00:02.000Z',
      '2026-01-01T00:00:00.000Z',
      null,
      '2026-01-01T00:00:01.000Z',
      'first',
      'last',
    ]);
  });
});

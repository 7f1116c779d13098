import { sha256 } from '@noble/hashes/sha2';
import fc from 'fast-check';
import { CASE_ENTRY_HASH_PREFIX, canonicalJson, caseEntryHash, caseEntryPreimage, CaseEntryRecord, checkCaseChain } from './case-record';

const GLN = '0614141000012';
const CASE = '7d0c6a1e-7f43-4d8e-9a57-0b1c2d3e4f50';

const opening: CaseEntryRecord = {
  caseId: CASE,
  actor: GLN,
  at: '2026-12-03T10:00:00.000Z',
  action: 'OPEN',
  fromState: null,
  toState: 'OPEN',
  resolution: null,
  message: 'two packs missing',
  attachments: [],
  opening: {
    category: 'DATA_WITHOUT_PRODUCT',
    source: 'MANUAL',
    summary: 'two packs missing',
    counterparty: '0614141000029',
    items: ['https://id.gs1.org/01/00614141073467/21/B', 'https://id.gs1.org/01/00614141073467/21/A'],
  },
};

const hexArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `0x${Buffer.from(b).toString('hex')}`);
const entryArb: fc.Arbitrary<CaseEntryRecord> = fc.record({
  caseId: fc.constant(CASE),
  actor: fc.stringMatching(/^\d{13}$/),
  at: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
  action: fc.constantFrom('INVESTIGATE', 'ESCALATE', 'RESOLVE', 'REOPEN', 'COMMENT'),
  fromState: fc.constantFrom('OPEN', 'INVESTIGATING', 'ESCALATED', 'RESOLVED'),
  toState: fc.constantFrom('OPEN', 'INVESTIGATING', 'ESCALATED', 'RESOLVED'),
  resolution: fc.option(fc.constantFrom('CLEARED', 'TECHNICAL_CAUSE', 'ILLEGITIMATE')),
  message: fc.option(fc.string({ unit: 'grapheme', maxLength: 40 })),
  attachments: fc.array(
    hexArb.map((h) => `sha256:${h.slice(2)}`),
    { maxLength: 3 },
  ),
});

function chainOf(records: CaseEntryRecord[]) {
  let previous: string | null = null;
  return records.map((record) => {
    const hash = caseEntryHash(record, previous);
    const link = { record, hash, previousHash: previous };
    previous = hash;
    return link;
  });
}

/** Changes one field of an entry to a different value of its kind. */
const tamper = fc.constantFrom<(e: CaseEntryRecord) => CaseEntryRecord>(
  (e) => ({ ...e, actor: e.actor === '0000000000000' ? '0000000000001' : '0000000000000' }),
  (e) => ({ ...e, at: new Date(Date.parse(e.at) + 1).toISOString() }),
  (e) => ({ ...e, action: e.action === 'COMMENT' ? 'RESOLVE' : 'COMMENT' }),
  (e) => ({ ...e, toState: e.toState === 'RESOLVED' ? 'OPEN' : 'RESOLVED' }),
  (e) => ({ ...e, fromState: e.fromState === null ? 'OPEN' : null }),
  (e) => ({ ...e, resolution: e.resolution === 'ILLEGITIMATE' ? 'CLEARED' : 'ILLEGITIMATE' }),
  (e) => ({ ...e, message: `${e.message ?? ''}.` }),
  (e) => ({ ...e, attachments: [...e.attachments, `sha256:${'0'.repeat(64)}`] }),
);

describe('case entry hash chain', () => {
  it('hashes the prefixed canonical JSON of the entry and the previous hash, items sorted', () => {
    const preimage = caseEntryPreimage(opening, null);
    expect(preimage.startsWith(CASE_ENTRY_HASH_PREFIX)).toBe(true);
    const json = JSON.parse(preimage.slice(CASE_ENTRY_HASH_PREFIX.length));
    expect(json.previousHash).toBeNull();
    expect(json.opening.items).toEqual([...opening.opening!.items].sort());
    expect(caseEntryHash(opening, null)).toBe(`0x${Buffer.from(sha256(Buffer.from(preimage))).toString('hex')}`);
    // The order packs were given in is not part of the case.
    const reordered = { ...opening, opening: { ...opening.opening!, items: [...opening.opening!.items].reverse() } };
    expect(caseEntryHash(reordered, null)).toBe(caseEntryHash(opening, null));
  });

  it('hashes an owner and class quantities when an entry has them, and leaves every other entry’s hash as it was', () => {
    const plain = caseEntryHash(opening, null);
    expect(caseEntryHash({ ...opening, opening: { ...opening.opening!, quantities: [] } }, null)).toBe(plain);
    const lot = 'https://id.gs1.org/01/00614141073467/10/L1';
    const withQuantities = (quantities: { epcClass: string; uom: string | null; shipped: number; received: number }[]) =>
      caseEntryHash({ ...opening, opening: { ...opening.opening!, quantities } }, null);
    const short = withQuantities([
      { epcClass: lot, uom: null, shipped: 10, received: 8 },
      { epcClass: lot, uom: 'KGM', shipped: 2.5, received: 2 },
    ]);
    expect(short).not.toBe(plain);
    // Listed in any order, one hash; any quantity changed, another.
    expect(
      withQuantities([
        { epcClass: lot, uom: 'KGM', shipped: 2.5, received: 2 },
        { epcClass: lot, uom: null, shipped: 10, received: 8 },
      ]),
    ).toBe(short);
    expect(withQuantities([{ epcClass: lot, uom: null, shipped: 10, received: 9 }])).not.toBe(short);

    const assign: CaseEntryRecord = { ...opening, action: 'ASSIGN_OWNER', fromState: 'OPEN', opening: undefined };
    const owned = caseEntryHash({ ...assign, owner: { side: 'REPORTER', name: 'Dana Reyes' } }, plain);
    expect(owned).not.toBe(caseEntryHash(assign, plain));
    expect(caseEntryHash({ ...assign, owner: { side: 'COUNTERPARTY', name: 'Dana Reyes' } }, plain)).not.toBe(owned);
    expect(caseEntryHash({ ...assign, owner: { side: 'REPORTER', name: 'Dana Reyes', email: 'd@x.example' } }, plain)).not.toBe(owned);
  });

  it('writes canonical JSON whatever order the keys came in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(obj);
      }),
    );
  });

  it('refuses a previous hash that is not 32 bytes of lowercase hex', () => {
    expect(() => caseEntryHash(opening, '0xABC')).toThrow(/previousHash/);
  });

  it('any change to any entry breaks the chain at that entry, and every later hash changes', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 6 }), fc.nat(), tamper, (rest, at, change) => {
        const records = [opening, ...rest];
        const chain = chainOf(records);
        expect(checkCaseChain(chain)).toEqual({ ok: true, head: chain.at(-1)!.hash });
        const i = at % records.length;
        const edited = records.map((r, j) => (j === i ? change(r) : r));
        // Stored hashes kept, content edited: the check names the edited entry.
        const forged = chain.map((link, j) => ({ ...link, record: edited[j] }));
        expect(checkCaseChain(forged)).toMatchObject({ ok: false, index: i });
        // Rehashed from the edit on: every hash from there differs, so the anchored ones no longer match.
        const rehashed = chainOf(edited);
        for (let j = 0; j < records.length; j++) expect(rehashed[j].hash === chain[j].hash).toBe(j < i);
      }),
    );
  });

  it('notices an entry removed or two swapped', () => {
    const chain = chainOf([
      opening,
      { ...opening, action: 'COMMENT', opening: undefined, fromState: 'OPEN' },
      { ...opening, action: 'INVESTIGATE', opening: undefined },
    ]);
    expect(checkCaseChain([chain[0], chain[2]])).toMatchObject({ ok: false, index: 1 });
    expect(checkCaseChain([chain[0], chain[2], chain[1]])).toMatchObject({ ok: false, index: 1 });
  });
});

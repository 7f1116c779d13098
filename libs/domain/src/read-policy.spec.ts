import fc from 'fast-check';
import { epcToDigitalLink, epcToUrn, gs1CheckDigit } from '@pharmatrace/gs1';
import {
  decideRead,
  glnLikePatterns,
  readerKeys,
  glnOf,
  HistoryVisibility,
  isPartyTo,
  PackSubject,
  partyGlns,
  Reader,
  ReaderRole,
  ReadGrant,
  ReadQuery,
} from './read-policy';

const MAKER_GLN = '0614141000012';
const PHARMACY_GLN = '0614141000036';
const GTIN = '00614141073468';
const reader = (role: ReaderRole, organizationId = role.toLowerCase(), gln = PHARMACY_GLN): Reader => ({ organizationId, role, gln });
const regulator = reader('REGULATOR');
const maker = reader('MANUFACTURER', 'maker', MAKER_GLN);
const rival = reader('MANUFACTURER', 'rival', '0950600000019');
const distributor = reader('DISTRIBUTOR', 'distributor', '0614141000029');
const dispenser = reader('DISPENSER', 'pharmacy', PHARMACY_GLN);
const grantee = reader('DISTRIBUTOR', 'grantee', '0614141000050');

const NOW = new Date('2026-11-25T12:00:00Z');
const day = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
const grant = (over: Partial<ReadGrant> = {}): ReadGrant => ({
  granteeId: 'grantee',
  gtin: GTIN,
  lot: null,
  validFrom: day(-1),
  validUntil: day(1),
  revokedAt: null,
  ...over,
});
const pack: PackSubject = { gtin: GTIN, lot: 'L1', manufacturerId: 'maker' };

/** SQL LIKE semantics (% any run, _ one character), to check the patterns the lists filter with. */
const like = (value: string, pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%/g, '.*')
      .replace(/_/g, '.')}$`,
    's',
  ).test(value);

describe('read policy', () => {
  const history = (r: Reader, partyEvents: number, grants: ReadGrant[] = [], subject: PackSubject = pack, historyEvents = 5) =>
    decideRead(r, { query: ReadQuery.HISTORY, pack: subject, historyEvents, partyEvents }, grants, NOW);
  const lot = (r: Reader, heldPacks: number, grants: ReadGrant[] = [], subject: PackSubject = pack) =>
    decideRead(r, { query: ReadQuery.LOT, pack: subject, heldPacks }, grants, NOW);
  const custody = (r: Reader, custodianId: string | null, grants: ReadGrant[] = [], subject: PackSubject = pack) =>
    decideRead(r, { query: ReadQuery.CUSTODY, pack: subject, custodianId }, grants, NOW);

  it('is party to an event it captured or whose GLNs name it', () => {
    expect(isPartyTo(dispenser, { capturedBy: 'maker', glns: new Set([PHARMACY_GLN]) })).toBe(true);
    expect(isPartyTo(distributor, { capturedBy: 'distributor', glns: new Set() })).toBe(true);
    expect(isPartyTo(distributor, { capturedBy: 'someone', glns: new Set(['0614141000098']) })).toBe(false);
  });

  it.each([
    ['regulator', regulator, 0, [], HistoryVisibility.FULL],
    ['the GTIN owner', maker, 0, [], HistoryVisibility.FULL],
    ['another manufacturer party to none', rival, 0, [], HistoryVisibility.FORBIDDEN],
    ['another manufacturer party to some', rival, 2, [], HistoryVisibility.PARTY_EVENTS],
    ['a distributor party to some', distributor, 2, [], HistoryVisibility.PARTY_EVENTS],
    ['a dispenser party to none', dispenser, 0, [], HistoryVisibility.FORBIDDEN],
    ['a grantee of the GTIN', grantee, 0, [grant()], HistoryVisibility.FULL],
    ['a grantee of the lot', grantee, 0, [grant({ lot: 'L1' })], HistoryVisibility.FULL],
    ['a grantee of another lot', grantee, 0, [grant({ lot: 'L2' })], HistoryVisibility.FORBIDDEN],
    ['a grantee of another GTIN', grantee, 1, [grant({ gtin: '00950600013435' })], HistoryVisibility.PARTY_EVENTS],
    ['an expired grantee', grantee, 0, [grant({ validFrom: day(-3), validUntil: day(-1) })], HistoryVisibility.FORBIDDEN],
    ['a grantee at the very end of its grant', grantee, 0, [grant({ validUntil: NOW })], HistoryVisibility.FORBIDDEN],
    ['a grantee before its grant starts', grantee, 0, [grant({ validFrom: day(1), validUntil: day(2) })], HistoryVisibility.FORBIDDEN],
    ['a revoked grantee', grantee, 0, [grant({ revokedAt: day(-0.5) })], HistoryVisibility.FORBIDDEN],
    ['an organization holding someone else’s grant', dispenser, 0, [grant()], HistoryVisibility.FORBIDDEN],
  ] as const)('history: %s', (_, r, party, grants, expected) => {
    expect(history(r, party, [...grants])).toBe(expected);
  });

  it('answers an empty history in full to anyone, and grants nothing on a case or pallet', () => {
    expect(history(dispenser, 0, [], { gtin: null, lot: null, manufacturerId: null }, 0)).toBe(HistoryVisibility.FULL);
    expect(history(grantee, 0, [grant()], { gtin: null, lot: null, manufacturerId: null })).toBe(HistoryVisibility.FORBIDDEN);
  });

  it.each([
    ['regulator', regulator, 0, [], { kind: 'all' }],
    ['the GTIN owner', maker, 0, [], { kind: 'all' }],
    ['another manufacturer', rival, 3, [], { kind: 'forbidden' }],
    ['a holder', distributor, 3, [], { kind: 'own-custody', organizationId: 'distributor' }],
    ['a non-holder', dispenser, 0, [], { kind: 'forbidden' }],
    ['a grantee of the GTIN', grantee, 0, [grant()], { kind: 'all' }],
    ['a grantee of the lot', grantee, 0, [grant({ lot: 'L1' })], { kind: 'all' }],
    ['a grantee of another lot holding some', grantee, 2, [grant({ lot: 'L2' })], { kind: 'own-custody', organizationId: 'grantee' }],
    ['a revoked grantee', grantee, 0, [grant({ revokedAt: day(-0.5) })], { kind: 'forbidden' }],
  ] as const)('lot: %s', (_, r, held, grants, expected) => {
    expect(lot(r, held, [...grants])).toEqual(expected);
  });

  it.each([
    ['regulator', regulator, 'distributor', [], true],
    ['the GTIN owner', maker, 'distributor', [], true],
    ['the custodian', distributor, 'distributor', [], true],
    ['another manufacturer', rival, 'distributor', [], false],
    ['a pharmacy not holding it', dispenser, 'distributor', [], false],
    ['anyone, of a pack in transit', dispenser, null, [], false],
    ['a grantee', grantee, 'distributor', [grant()], true],
    ['an expired grantee', grantee, 'distributor', [grant({ validUntil: day(-0.5), validFrom: day(-2) })], false],
  ] as const)('verify custodian and container: %s', (_, r, custodianId, grants, expected) => {
    expect(custody(r, custodianId, [...grants])).toBe(expected);
  });

  it('narrows lists to the reader, its GTINs and its active grants', () => {
    const grants = [
      grant(),
      grant({ lot: 'L9', gtin: '00950600013435' }),
      grant({ revokedAt: day(-1), gtin: '00000000000000' }),
      grant({ granteeId: 'other' }),
    ];
    expect(decideRead(regulator, { query: ReadQuery.EVENTS }, grants, NOW)).toEqual({ kind: 'all' });
    expect(decideRead(maker, { query: ReadQuery.EVENTS }, [], NOW)).toEqual({
      kind: 'restricted',
      organizationId: 'maker',
      gln: MAKER_GLN,
      ownGtins: true,
      granted: [],
    });
    expect(decideRead(dispenser, { query: ReadQuery.EVENTS }, [], NOW)).toEqual({
      kind: 'restricted',
      organizationId: 'pharmacy',
      gln: PHARMACY_GLN,
      ownGtins: false,
      granted: [],
    });
    expect(decideRead(grantee, { query: ReadQuery.EVENTS }, grants, NOW)).toMatchObject({
      ownGtins: false,
      granted: [
        { gtin: GTIN, lot: null },
        { gtin: '00950600013435', lot: 'L9' },
      ],
    });
    expect(decideRead(regulator, { query: ReadQuery.ALERTS }, [], NOW)).toEqual({ kind: 'all' });
    expect(decideRead(maker, { query: ReadQuery.ALERTS }, [], NOW)).toEqual({
      kind: 'involved',
      organizationId: 'maker',
      ownGtins: true,
      granted: [],
    });
    expect(decideRead(grantee, { query: ReadQuery.ALERTS }, grants, NOW)).toEqual({
      kind: 'involved',
      organizationId: 'grantee',
      ownGtins: false,
      granted: [
        { gtin: GTIN, lot: null },
        { gtin: '00950600013435', lot: 'L9' },
      ],
    });
  });

  it('opens the directory and the verdict to every role', () => {
    for (const r of [regulator, maker, distributor, dispenser]) {
      expect(decideRead(r, { query: ReadQuery.ORGANIZATIONS }, [], NOW)).toBe(true);
      expect(decideRead(r, { query: ReadQuery.VERIFY }, [], NOW)).toBe(true);
    }
  });

  it('never lets a grant narrow what a reader sees without it', () => {
    const roles = [regulator, maker, rival, distributor, dispenser, grantee];
    const grantArb = fc.record({
      granteeId: fc.constantFrom('grantee', 'pharmacy', 'maker'),
      gtin: fc.constantFrom(GTIN, '00950600013435'),
      lot: fc.constantFrom(null, 'L1', 'L2'),
      validFrom: fc.integer({ min: -3, max: 3 }).map(day),
      validUntil: fc.integer({ min: -3, max: 3 }).map(day),
      revokedAt: fc.constantFrom(null, day(-1)),
    });
    const rank = { FORBIDDEN: 0, PARTY_EVENTS: 1, FULL: 2 };
    fc.assert(
      fc.property(
        fc.constantFrom(...roles),
        fc.array(grantArb, { maxLength: 4 }),
        fc.nat(3),
        fc.nat(3),
        fc.constantFrom(null, 'distributor', 'grantee'),
        (r, grants, party, held, custodian) => {
          expect(rank[history(r, party, grants)]).toBeGreaterThanOrEqual(rank[history(r, party)]);
          if (custody(r, custodian)) expect(custody(r, custodian, grants)).toBe(true);
          if (lot(r, held).kind === 'all') expect(lot(r, held, grants).kind).toBe('all');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds the GLNs an event names as read point, location, source and destination, in any spelling', () => {
    const glns = partyGlns({
      readPoint: { id: 'urn:epc:id:sgln:0614141.00001.0' },
      bizLocation: { id: 'https://example.com/414/0614141000029/254/dock-2' },
      sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0614141.00003' }],
      destinationList: [
        { type: 'location', destination: 'https://id.gs1.org/417/0950600013439' },
        { type: 'owning_party', destination: 'urn:example:x' },
      ],
    });
    expect([...glns].sort()).toEqual(['0614141000012', '0614141000029', '0614141000036', '0950600013439']);
    expect(partyGlns({ readPoint: 'not-a-uri' }).size).toBe(0);
  });

  it('reads the same GLN from a location however often it is asked, valid or not', () => {
    const gln = fc.stringMatching(/^\d{12}$/).map((d) => d + gs1CheckDigit(d));
    fc.assert(
      fc.property(gln, fc.integer({ min: 6, max: 12 }), (g, length) => {
        const uris = [epcToUrn({ kind: 'sgln', gln: g, extension: '0' }, length), epcToDigitalLink({ kind: 'pgln', gln: g })];
        for (let i = 0; i < 3; i++) for (const uri of uris) expect(glnOf(uri)).toBe(g);
        expect(glnOf(`${uris[1]}x`)).toBeNull();
        expect(glnOf(`${uris[1]}x`)).toBeNull();
      }),
      { numRuns: 100 },
    );
  });

  it('writes LIKE patterns that match every spelling of the GLN and no spelling of another', () => {
    const gln = fc.stringMatching(/^\d{12}$/).map((d) => d + gs1CheckDigit(d));
    fc.assert(
      fc.property(gln, gln, fc.integer({ min: 6, max: 12 }), fc.constantFrom('0', '7', 'dock-2'), (mine, other, length, ext) => {
        const spellings = (g: string) => [
          epcToUrn({ kind: 'sgln', gln: g, extension: ext }, length),
          epcToUrn({ kind: 'pgln', gln: g }, length),
          epcToDigitalLink({ kind: 'sgln', gln: g, extension: ext === '0' ? undefined : ext }, 'https://example.org'),
          epcToDigitalLink({ kind: 'pgln', gln: g }),
        ];
        const patterns = glnLikePatterns(mine);
        for (const s of spellings(mine)) expect(patterns.some((p) => like(s, p))).toBe(true);
        if (other !== mine) for (const s of spellings(other)) expect(patterns.some((p) => like(s, p))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('files a reader under its capturer id and its GLN as URNs (no check digit) and Digital Links spell it', () => {
    expect(readerKeys('org-1', '0614141000005')).toEqual(['c:org-1', 'u:061414100000', 'n:0614141000005']);
    // No GLN, no GLN branch: as glnLikePatterns gives no pattern.
    expect(readerKeys('org-1', '')).toEqual(['c:org-1']);
    expect(glnLikePatterns('')).toEqual([]);
  });
});

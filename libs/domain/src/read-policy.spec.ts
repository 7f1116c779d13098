import fc from 'fast-check';
import { epcToDigitalLink, epcToUrn, gs1CheckDigit } from '@pharmatrace/gs1';
import {
  alertScopeFor,
  eventScopeFor,
  glnLikePatterns,
  glnOf,
  historyVisibility,
  HistoryVisibility,
  lotScopeFor,
  mayReadEvent,
  mayReadOrganizations,
  mayVerify,
  partyGlns,
  Reader,
  ReaderRole,
} from './read-policy';

const MAKER_GLN = '0614141000012';
const PHARMACY_GLN = '0614141000036';
const reader = (role: ReaderRole, organizationId = role.toLowerCase(), gln = PHARMACY_GLN): Reader => ({ organizationId, role, gln });
const regulator = reader('REGULATOR');
const maker = reader('MANUFACTURER', 'maker', MAKER_GLN);
const distributor = reader('DISTRIBUTOR', 'distributor', '0614141000029');
const dispenser = reader('DISPENSER', 'pharmacy', PHARMACY_GLN);

/** SQL LIKE semantics (% any run, _ one character), to check the patterns the lists filter with. */
const like = (value: string, pattern: string) =>
  new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 's').test(value);

describe('read policy', () => {
  const strangersEvent = { capturedBy: 'someone', glns: new Set(['0614141000098']) };
  const toPharmacy = { capturedBy: 'maker', glns: new Set([PHARMACY_GLN]) };

  it('lets regulators read any event, manufacturers events on their GTINs, others only events they are party to', () => {
    expect(mayReadEvent(regulator, strangersEvent, false)).toBe(true);
    expect(mayReadEvent(maker, strangersEvent, true)).toBe(true);
    expect(mayReadEvent(maker, strangersEvent, false)).toBe(false);
    expect(mayReadEvent(distributor, strangersEvent, true)).toBe(false);
    expect(mayReadEvent(dispenser, strangersEvent, false)).toBe(false);
    expect(mayReadEvent(dispenser, toPharmacy, false)).toBe(true);
    expect(mayReadEvent(distributor, { capturedBy: 'distributor', glns: new Set() }, false)).toBe(true);
  });

  it('scopes event lists by role', () => {
    expect(eventScopeFor(regulator)).toEqual({ kind: 'all' });
    expect(eventScopeFor(maker)).toEqual({ kind: 'party-or-own-gtins', organizationId: 'maker', gln: MAKER_GLN });
    expect(eventScopeFor(distributor).kind).toBe('party');
    expect(eventScopeFor(dispenser).kind).toBe('party');
  });

  it('shows a full history to regulators and the GTIN owner, party events to others, and refuses non-parties', () => {
    expect(historyVisibility(regulator, 'maker', 5, 0)).toBe(HistoryVisibility.FULL);
    expect(historyVisibility(maker, 'maker', 5, 0)).toBe(HistoryVisibility.FULL);
    expect(historyVisibility(reader('MANUFACTURER', 'rival'), 'maker', 5, 0)).toBe(HistoryVisibility.FORBIDDEN);
    expect(historyVisibility(reader('MANUFACTURER', 'rival'), 'maker', 5, 2)).toBe(HistoryVisibility.PARTY_EVENTS);
    expect(historyVisibility(distributor, 'maker', 5, 2)).toBe(HistoryVisibility.PARTY_EVENTS);
    expect(historyVisibility(dispenser, 'maker', 5, 0)).toBe(HistoryVisibility.FORBIDDEN);
    expect(historyVisibility(dispenser, null, 0, 0)).toBe(HistoryVisibility.FULL);
  });

  it('shows lots to regulators and their manufacturer, the held packs to custodians, and refuses everyone else', () => {
    expect(lotScopeFor(regulator, 'maker', 0)).toEqual({ kind: 'all' });
    expect(lotScopeFor(maker, 'maker', 0)).toEqual({ kind: 'all' });
    expect(lotScopeFor(reader('MANUFACTURER', 'rival'), 'maker', 3)).toEqual({ kind: 'forbidden' });
    expect(lotScopeFor(distributor, 'maker', 3)).toEqual({ kind: 'own-custody', organizationId: 'distributor' });
    expect(lotScopeFor(dispenser, 'maker', 0)).toEqual({ kind: 'forbidden' });
  });

  it('scopes alerts by role, and opens the directory and verification to all', () => {
    expect(alertScopeFor(regulator)).toEqual({ kind: 'all' });
    expect(alertScopeFor(maker)).toEqual({ kind: 'involved-or-manufacturer', organizationId: 'maker' });
    expect(alertScopeFor(distributor)).toEqual({ kind: 'involved', organizationId: 'distributor' });
    expect(alertScopeFor(dispenser)).toEqual({ kind: 'involved', organizationId: 'pharmacy' });
    for (const r of [regulator, maker, distributor, dispenser]) {
      expect(mayReadOrganizations(r)).toBe(true);
      expect(mayVerify(r)).toBe(true);
    }
  });

  it('finds the GLNs an event names as read point, location, source and destination, in any spelling', () => {
    const glns = partyGlns({
      readPoint: { id: 'urn:epc:id:sgln:0614141.00001.0' },
      bizLocation: { id: 'https://example.com/414/0614141000029/254/dock-2' },
      sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0614141.00003' }],
      destinationList: [{ type: 'location', destination: 'https://id.gs1.org/417/0950600013439' }, { type: 'owning_party', destination: 'urn:example:x' }],
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
});

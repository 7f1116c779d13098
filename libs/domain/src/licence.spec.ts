import fc from 'fast-check';
import { Actor, AuthorityCode, RecordContext } from './authority';
import {
  hasValidLicence,
  isLicenceValid,
  LicenceRecord,
  licenceStatus,
  LicenceStatus,
  LicenceEnforcement,
  needsLicence,
  TradingPartnerLicences,
  TradingPartner,
  unlicensedPartners,
  unlicensedPartnersSpan,
} from './licence';
import { applyEvents, EventFacts, HistoryFlagCode } from './pack-state';

const day = (d: number) => new Date(Date.UTC(2026, 0, d));
const licence = (over: Partial<LicenceRecord> = {}): LicenceRecord => ({
  validFrom: day(1),
  validUntil: day(31),
  verifiedAt: day(2),
  rejectedAt: null,
  ...over,
});

describe('licences', () => {
  it('is valid only once verified, while not rejected, from validFrom up to (not including) validUntil', () => {
    expect(isLicenceValid(licence(), day(10))).toBe(true);
    expect(isLicenceValid(licence(), day(1))).toBe(true);
    expect(isLicenceValid(licence(), day(31))).toBe(false);
    expect(isLicenceValid(licence({ validFrom: day(12) }), day(11))).toBe(false);
    expect(isLicenceValid(licence({ verifiedAt: null }), day(10))).toBe(false);
    expect(isLicenceValid(licence({ rejectedAt: day(5) }), day(10))).toBe(false);
  });

  it('names the status from the regulator decision', () => {
    expect(licenceStatus(licence({ verifiedAt: null }))).toBe(LicenceStatus.PENDING);
    expect(licenceStatus(licence())).toBe(LicenceStatus.VERIFIED);
    expect(licenceStatus(licence({ verifiedAt: null, rejectedAt: day(3) }))).toBe(LicenceStatus.REJECTED);
  });

  it('hasValidLicence: any one valid licence is enough; none, or only lapsed or pending ones, is not', () => {
    expect(hasValidLicence([], day(10))).toBe(false);
    expect(hasValidLicence([licence({ validUntil: day(5) }), licence({ verifiedAt: null })], day(10))).toBe(false);
    expect(hasValidLicence([licence({ validUntil: day(5) }), licence({ validFrom: day(5), validUntil: day(60) })], day(40))).toBe(true);
  });

  it('asks no licence of a regulator', () => {
    expect(['MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER', 'REGULATOR'].filter(needsLicence)).toEqual([
      'MANUFACTURER',
      'DISTRIBUTOR',
      'DISPENSER',
    ]);
  });

  it('unlicensedPartners: every non-regulator without a valid licence, by id and GLN', () => {
    const partners = [
      { id: 'maker', gln: '0614141000012', role: 'MANUFACTURER', licences: [licence()] },
      { id: 'wholesaler', gln: '0614141000029', role: 'DISTRIBUTOR', licences: [licence({ verifiedAt: null })] },
      { id: 'pharmacy', gln: '0614141000036', role: 'DISPENSER', licences: [] },
      { id: 'agency', gln: '0614141000043', role: 'REGULATOR', licences: [] },
    ];
    expect(unlicensedPartners(partners, day(10))).toEqual({
      unlicensedIds: new Set(['wholesaler', 'pharmacy']),
      unlicensedGlns: new Set(['0614141000029', '0614141000036']),
    });
    expect(unlicensedPartners(partners, day(40)).unlicensedIds).toEqual(new Set(['maker', 'wholesaler', 'pharmacy']));
  });

  it('unlicensedPartnersSpan: the span around an instant in which no licence begins or lapses', () => {
    const partners = [
      { id: 'maker', gln: '0614141000012', role: 'MANUFACTURER', licences: [licence()] },
      { id: 'wholesaler', gln: '0614141000029', role: 'DISTRIBUTOR', licences: [licence({ validFrom: day(20), validUntil: day(50) })] },
    ];
    expect(unlicensedPartnersSpan(partners, day(10))).toMatchObject({ from: day(1).getTime(), until: day(20).getTime() });
    // A bound is the first instant of the span it opens (validFrom valid, validUntil lapsed).
    expect(unlicensedPartnersSpan(partners, day(31))).toMatchObject({ from: day(31).getTime(), until: day(50).getTime() });
    expect(unlicensedPartnersSpan(partners, day(60))).toMatchObject({ from: day(50).getTime(), until: Infinity });
    expect(unlicensedPartnersSpan([], day(60))).toMatchObject({ from: -Infinity, until: Infinity, unlicensedIds: new Set() });
  });

  it('unlicensedPartnersSpan: every instant of the span has the same unlicensed partners as the instant asked', () => {
    const instant = fc.integer({ min: 0, max: 100 }).map((d) => new Date(Date.UTC(2026, 0, 1) + d * 3_600_000));
    const record = fc.record({
      validFrom: instant,
      length: fc.integer({ min: 1, max: 60 }),
      verified: fc.boolean(),
      rejected: fc.boolean(),
    });
    const partner = fc.record({
      role: fc.constantFrom('MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER', 'REGULATOR'),
      licences: fc.array(record, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(partner, { maxLength: 8 }), instant, instant, (drawn, at, other) => {
        const partners: TradingPartner[] = drawn.map((p, i) => ({
          id: `org-${i}`,
          gln: String(i).padStart(13, '0'),
          role: p.role,
          licences: p.licences.map((l) => ({
            validFrom: l.validFrom,
            validUntil: new Date(l.validFrom.getTime() + l.length * 3_600_000),
            verifiedAt: l.verified ? day(1) : null,
            rejectedAt: l.rejected ? day(2) : null,
          })),
        }));
        const span = unlicensedPartnersSpan(partners, at);
        expect(span.from).toBeLessThanOrEqual(at.getTime());
        expect(span.until).toBeGreaterThan(at.getTime());
        const t = other.getTime();
        if (t >= span.from && t < span.until) expect(unlicensedPartners(partners, other)).toEqual(unlicensedPartners(partners, at));
      }),
    );
  });
});

describe('the licence rule in the capture reducer', () => {
  const PACK = 'https://id.gs1.org/01/09506000134352/21/S1';
  const actors = new Map<string, Actor>(
    [
      { id: 'maker', role: 'MANUFACTURER', gln: '9506000000011', companyPrefixes: ['9506000'] },
      { id: 'wholesaler', role: 'DISTRIBUTOR', gln: '9506000000028', companyPrefixes: [] },
    ].map((a) => [a.id, a as Actor]),
  );
  let id = 1;
  const fact = (minute: number, capturedBy: string, bizStep: string, over: Partial<EventFacts> = {}): EventFacts => ({
    eventId: id++,
    eventType: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep,
    disposition: null,
    eventTime: new Date(Date.UTC(2026, 0, 1, 8, minute)),
    capturedBy,
    bizLocation: null,
    epcs: [PACK],
    parent: null,
    children: [],
    lot: null,
    expiry: null,
    destination: null,
    ...over,
  });
  const flow = () => [
    fact(0, 'maker', 'commissioning', { action: 'ADD' }),
    fact(1, 'maker', 'shipping', { destination: '9506000000028' }),
    fact(2, 'wholesaler', 'receiving'),
  ];
  const run = (unlicensed: string[], enforcement: LicenceEnforcement) => {
    const licences: TradingPartnerLicences = {
      unlicensedIds: new Set(unlicensed),
      unlicensedGlns: new Set(unlicensed.map((u) => actors.get(u)!.gln)),
      enforcement,
    };
    const context: RecordContext = {
      actorOf: (a) => actors.get(a)!,
      recordTime: new Date(Date.UTC(2026, 0, 2)),
      maxFutureSkewMs: 0,
      licences,
    };
    const identify = () => ({ kind: 'sgtin' as const, gtin: '09506000134352', serial: 'S1' });
    return applyEvents([], flow(), identify, context);
  };

  it('lets licensed partners ship and receive', () => {
    expect(run([], LicenceEnforcement.REFUSE)).toMatchObject({ violations: [], flags: [] });
  });

  it('refuses a shipment addressed to an unlicensed organization, and a receipt from an unlicensed shipper', () => {
    // The refused shipment moved nothing, so the receipt after it has no shipment addressed to the wholesaler.
    expect(run(['wholesaler'], LicenceEnforcement.REFUSE).violations.map((v) => [v.code, v.status])).toEqual([
      [AuthorityCode.UNLICENSED_TRADING_PARTNER, 'ACTIVE'],
      [AuthorityCode.NOT_DESTINATION, 'ACTIVE'],
    ]);
    expect(run(['maker'], LicenceEnforcement.REFUSE).violations).toEqual([
      { eventId: expect.any(Number), epc: PACK, code: AuthorityCode.UNLICENSED_TRADING_PARTNER, status: 'IN_TRANSIT' },
    ]);
  });

  it('under alert, stores both trades and flags each', () => {
    const applied = run(['wholesaler', 'maker'], LicenceEnforcement.ALERT);
    expect(applied.violations).toEqual([]);
    expect(applied.flags.map((f) => [f.code, f.epc])).toEqual([
      [HistoryFlagCode.UNLICENSED_TRADING_PARTNER, PACK],
      [HistoryFlagCode.UNLICENSED_TRADING_PARTNER, PACK],
    ]);
    expect(applied.states[0]).toMatchObject({ custodianId: 'wholesaler', status: 'ACTIVE' });
  });
});

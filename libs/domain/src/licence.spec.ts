import { hasValidLicence, isLicenceValid, LicenceRecord, licenceStatus, LicenceStatus, needsLicence } from './licence';

const day = (d: number) => new Date(Date.UTC(2026, 0, d));
const licence = (over: Partial<LicenceRecord> = {}): LicenceRecord => ({ validFrom: day(1), validUntil: day(31), verifiedAt: day(2), rejectedAt: null, ...over });

describe('licences', () => {
  it('is valid only once verified, while not rejected, from validFrom up to (not including) validUntil', () => {
    expect(isLicenceValid(licence(), day(10))).toBe(true);
    expect(isLicenceValid(licence(), day(1))).toBe(false); // not yet verified then
    expect(isLicenceValid(licence({ verifiedAt: day(1) }), day(1))).toBe(true);
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
    expect(['MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER', 'REGULATOR'].filter(needsLicence)).toEqual(['MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER']);
  });
});

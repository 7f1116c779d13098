import fc from 'fast-check';
import { companyPrefixCandidates, longestCompanyPrefix } from './company-prefix';

/** The rule as it was written first: every registered prefix tested against the digits, the longest kept. */
function longestByScan(digits: string, registered: string[]): number {
  let best = 0;
  for (const prefix of registered) {
    if (prefix.length >= 6 && prefix.length <= 12 && /^\d+$/.test(prefix) && digits.startsWith(prefix))
      best = Math.max(best, prefix.length);
  }
  return best;
}

const digitString = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));

describe('company prefix lookup', () => {
  it('lists the 6- to 12-digit beginnings of a key, longest first', () => {
    expect(companyPrefixCandidates('6141411234567')).toEqual([
      '614141123456',
      '61414112345',
      '6141411234',
      '614141123',
      '61414112',
      '6141411',
      '614141',
    ]);
    expect(companyPrefixCandidates('1234567')).toEqual(['1234567', '123456']);
    expect(companyPrefixCandidates('12345')).toEqual([]);
  });

  it('takes the longest registered prefix, and 0 for none', () => {
    const known = new Set(['0614141', '061414', '95060001']);
    expect(longestCompanyPrefix('0614141073464', known)).toBe(7);
    expect(longestCompanyPrefix('9506000134352', known)).toBe(8);
    expect(longestCompanyPrefix('4012345123456', known)).toBe(0);
  });

  it('agrees with testing every registered prefix, whatever is registered', () => {
    fc.assert(
      fc.property(
        digitString(13, 17),
        // Prefixes that share the key's beginning, others, and strings that are no prefix at all.
        fc.array(fc.oneof(fc.nat(12), digitString(6, 12), fc.string({ maxLength: 14 })), { maxLength: 30 }),
        (digits, picks) => {
          const registered = picks.map((p) => (typeof p === 'number' ? digits.slice(0, p) : p));
          expect(longestCompanyPrefix(digits, new Set(registered))).toBe(longestByScan(digits, registered));
          // A set read for the key's candidates alone (registeredCompanyPrefixes) answers the same.
          const candidates = companyPrefixCandidates(digits);
          expect(longestCompanyPrefix(digits, new Set(registered.filter((p) => candidates.includes(p))))).toBe(
            longestByScan(digits, registered),
          );
        },
      ),
    );
  });
});

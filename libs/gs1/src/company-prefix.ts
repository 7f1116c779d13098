/**
 * Finding a key's registered GS1 Company Prefix. A GS1 Company Prefix is 6 to 12 digits (GS1 General Specifications,
 * 1.4.4), so a key's company-prefix position has seven candidates, whatever the number of prefixes registered: looking
 * each up in a set costs seven lookups where reading every registered prefix cost one test per prefix (3.2 ms a key
 * against 100,000 of them, so an EPCIS query page of 10,000 EPCs served as URNs held the event loop for half a minute).
 */

/** Registered GS1 Company Prefixes, as a set (registeredCompanyPrefixes in persistence reads the ones that matter). */
export type CompanyPrefixes = ReadonlySet<string>;

const LENGTHS = [12, 11, 10, 9, 8, 7, 6] as const;

/** The prefixes a key's company-prefix position (its digits after the indicator or extension digit) could start with. */
export function companyPrefixCandidates(digits: string): string[] {
  return LENGTHS.filter((length) => digits.length >= length).map((length) => digits.slice(0, length));
}

/** The length of the longest registered prefix `digits` starts with; 0 when none does. */
export function longestCompanyPrefix(digits: string, known: CompanyPrefixes): number {
  for (const length of LENGTHS) if (digits.length >= length && known.has(digits.slice(0, length))) return length;
  return 0;
}

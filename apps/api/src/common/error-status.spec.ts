import { AuditErrorCode } from '../audit/audit.error';
import { EpcisRestErrorCode } from '../epcis-rest/epcis-rest.error';
import { ERROR_CODE_ENUMS, statusOf } from './error-status';

/** Codes deliberately shared by features, each for one meaning; any other value in two enums is a collision. */
const SHARED = { INVALID_EPC: ['ProvenanceErrorCode', 'ProofBundleErrorCode'] };

describe('error codes and their statuses', () => {
  const owners = new Map<string, string[]>();
  for (const [name, codes] of Object.entries(ERROR_CODE_ENUMS)) {
    for (const code of Object.values(codes)) owners.set(code, [...(owners.get(code) ?? []), name]);
  }

  it('are unique across features, apart from the shared ones declared here', () => {
    const collisions = Object.fromEntries([...owners].filter(([, names]) => names.length > 1));
    expect(collisions).toEqual(SHARED);
  });

  it('give every code a 4xx or 5xx status', () => {
    for (const code of owners.keys()) expect([code, statusOf(code) >= 400 && statusOf(code) < 600]).toEqual([code, true]);
  });

  it('answer a code outside the enums as the bug it is, 500', () => {
    expect(statusOf('NOT_A_CODE')).toBe(500);
    expect(statusOf('toString')).toBe(500);
  });

  it('say retry later for a stop or an unreachable chain, not a server fault', () => {
    expect(statusOf(EpcisRestErrorCode.CAPTURE_INTERRUPTED)).toBe(503);
    expect(statusOf(AuditErrorCode.FOREIGN_CHAIN)).toBe(503);
  });
});

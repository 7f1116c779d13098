import { caseAlerts, defaultCategory, defaultCounterparty, DirectoryEntry, prefillSummary } from './case-prefill';
import type { Verdict } from './verdict.presenter';

const verdict = (over: Partial<Verdict> = {}): Verdict => ({
  status: 'UNKNOWN',
  saleable: false,
  alerts: ['UNKNOWN_SERIAL'],
  epc: 'https://id.gs1.org/01/09506000134352/21/X1',
  product: { gtin: '09506000134352', serial: 'X1', lot: 'L1' },
  anchored: false,
  checkedOnChain: false,
  ...over,
});
const org = (id: string, role: string, companyPrefixes: string[] = [], gln = `gln-${id}`): DirectoryEntry => ({
  id,
  name: id,
  gln,
  role,
  companyPrefixes,
});

describe('what the scan page fills in when a pharmacist opens a case', () => {
  it('offers a case for alerts that warn, not for a proof still pending', () => {
    expect(caseAlerts(['ANCHORING_PENDING'])).toEqual([]);
    expect(caseAlerts(['ANCHORING_PENDING', 'EXPIRED'])).toEqual(['EXPIRED']);
  });

  it('chooses the category of the most serious alert', () => {
    expect(defaultCategory(['EXPIRED', 'UNKNOWN_SERIAL'])).toBe('SUSPECT_PRODUCT');
    expect(defaultCategory(['LOT_MISMATCH'])).toBe('PACKAGING_OR_LABELLING');
    expect(defaultCategory(['NOT_IN_CUSTODY'])).toBe('PRODUCT_WITHOUT_DATA');
    expect(defaultCategory(['RECALLED', 'LOT_MISMATCH'])).toBe('UNAVAILABLE_FOR_DISTRIBUTION');
  });

  it('sends the case to the brand owner of the GTIN, else to the custodian, never to itself or a regulator', () => {
    const directory = [
      org('me', 'DISPENSER'),
      org('agency', 'REGULATOR'),
      org('w', 'DISTRIBUTOR', [], '111'),
      org('acme', 'MANUFACTURER', ['9506000']),
    ];
    expect(defaultCounterparty(verdict(), directory, 'me')?.id).toBe('acme');
    const custodian = verdict({ product: { gtin: '04012345000012', serial: 'X' }, custodian: { name: 'w', gln: '111' } });
    expect(defaultCounterparty(custodian, directory, 'me')?.id).toBe('w');
    expect(defaultCounterparty(verdict({ product: { gtin: '04012345000012', serial: 'X' } }), directory, 'me')).toBeUndefined();
    expect(defaultCounterparty(verdict(), directory, 'acme')).toBeUndefined();
  });

  it('summarises the pack and what the verdict said', () => {
    expect(prefillSummary(verdict(), ['Never registered.', 'May be falsified.'])).toBe(
      'Scanned GTIN 09506000134352, serial X1, lot L1. Never registered. May be falsified.',
    );
    expect(prefillSummary(verdict(), ['x'.repeat(3000)])).toHaveLength(2000);
  });
});

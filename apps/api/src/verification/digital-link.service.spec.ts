import type { Organization } from '@pharmatrace/domain';
import { OrganizationDirectory } from '../common/organization.directory';
import { DigitalLinkService } from './digital-link.service';
import { VerificationError, VerificationErrorCode } from './verification.error';
import { VerificationService } from './verification.service';

const EPC = 'https://id.gs1.org/01/00614141123452/21/S1';
const MAKER = { id: 'org-maker', name: 'ACME Pharma', gln: '0614141000012' } as Organization;
const HOLDER = { id: 'org-holder', name: 'Secret Wholesaler' };

/** A verification that knows one pack, held by a custodian an anonymous answer must never name. */
function setup() {
  const viewers: unknown[] = [];
  const verdict = {
    status: 'ACTIVE',
    saleable: true,
    alerts: [],
    anchored: true,
    checkedOnChain: false,
    epc: EPC,
    product: { gtin: '00614141123452', serial: 'S1', lot: 'LOT42', expiry: '2028-01-31', name: 'Amoxicillin 500 mg' },
    custodian: HOLDER,
    container: 'https://id.gs1.org/00/106141410000000018',
    ambiguousReadings: 0,
    declaredInError: 0,
  };
  const invalid = () => new VerificationError(VerificationErrorCode.INVALID_CODE, 'code: not a GS1 Digital Link', { field: 'code' });
  const verification = {
    verify: async (uri: string, viewer?: unknown) => {
      viewers.push(viewer);
      if (uri !== EPC) throw invalid();
      return verdict;
    },
    evaluate: async (uri: string, viewer?: unknown) => {
      viewers.push(viewer);
      if (uri === 'boom') throw new Error('database down');
      if (uri !== EPC) throw invalid();
      return { view: { product: { manufacturerGln: MAKER.gln } }, verdict };
    },
    toGraphql: () => verdict,
  };
  const directory = { byGln: async (gln: string) => (gln === MAKER.gln ? MAKER : null) };
  const service = new DigitalLinkService(verification as unknown as VerificationService, directory as unknown as OrganizationDirectory);
  return { service, viewers };
}

describe('GS1 Digital Link resolution', () => {
  it('answers an API client JSON with the verdict and product, never the custodian or container', async () => {
    const { service, viewers } = setup();
    for (const accept of [undefined, 'application/json', '*/*', 'application/ld+json, text/html']) {
      const answer = await service.resolve(EPC, accept);
      expect(answer).toEqual({
        status: 200,
        type: 'json',
        body: {
          epc: EPC,
          status: 'ACTIVE',
          saleable: true,
          alerts: [],
          product: expect.objectContaining({ serial: 'S1' }),
          anchored: true,
          checkedOnChain: false,
        },
      });
      expect(answer.csp).toBeUndefined();
    }
    expect(viewers.every((v) => v === undefined)).toBe(true);
  });

  it('answers a browser an HTML page naming the maker, with its own CSP', async () => {
    const { service, viewers } = setup();
    const answer = await service.resolve(EPC, 'text/html,application/xhtml+xml');
    expect(answer).toMatchObject({ status: 200, type: 'html', csp: expect.any(String) });
    expect(answer.body).toEqual(expect.stringContaining('ACME Pharma'));
    expect(answer.body).not.toEqual(expect.stringContaining(HOLDER.name));
    expect(viewers).toEqual([undefined]);
  });

  it('answers a browser an unreadable code with a 400 page, and passes any other failure on', async () => {
    const { service } = setup();
    await expect(service.resolve('garbage', 'text/html')).resolves.toMatchObject({ status: 400, type: 'html', csp: expect.any(String) });
    await expect(service.resolve('boom', 'text/html')).rejects.toThrow('database down');
    await expect(service.resolve('garbage', 'application/json')).rejects.toMatchObject({ code: VerificationErrorCode.INVALID_CODE });
  });
});

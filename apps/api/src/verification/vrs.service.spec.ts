import type { Organization } from '@pharmatrace/domain';
import type { PackIdentity } from '@pharmatrace/gs1';
import { VerificationErrorCode } from './verification.error';
import { VerificationService } from './verification.service';
import { VrsRequest, VrsService } from './vrs.service';

const GTIN = '00614141123452';
const PHARMACY = { id: 'org-pharmacy', name: 'Corner Pharmacy', role: 'DISPENSER', gln: '0614141000029' } as Organization;

/** Verification keyed by serial: what each identity is judged, and every identity asked about. */
function setup(verdicts: Record<string, { status: string; alerts: string[] }> = {}) {
  const asked: { scan: PackIdentity; viewer?: Organization }[] = [];
  const verification = {
    evaluateIdentity: async (scan: PackIdentity, viewer?: Organization) => {
      asked.push({ scan, viewer });
      const verdict = verdicts[scan.serial] ?? { status: 'UNKNOWN', alerts: ['UNKNOWN_SERIAL'] };
      return { view: { product: verdict.status === 'UNKNOWN' ? null : { manufacturerGln: '0614141000012' } }, verdict };
    },
  };
  return { asked, service: new VrsService(verification as unknown as VerificationService) };
}

const request = (over: Partial<VrsRequest> = {}): VrsRequest => ({
  gtin: GTIN,
  lot: 'LOT42',
  serial: 'S1',
  exp: '280131',
  reqGLN: PHARMACY.gln,
  ...over,
});

describe('VRS verification', () => {
  it('verifies an active pack, answering the responder GLN and echoing corrUUID', async () => {
    const { service, asked } = setup({ S1: { status: 'ACTIVE', alerts: [] } });
    const corrUUID = '1f0e4a6c-1d2b-4c3a-9e8f-0a1b2c3d4e5f';
    const answer = await service.verify(request({ corrUUID, context: 'dscsaSaleableReturn' }), PHARMACY);
    expect(answer).toMatchObject({ responderGLN: '0614141000012', data: { verified: true }, corrUUID });
    expect(Date.parse(answer.verificationTimestamp)).not.toBeNaN();
    expect(asked).toEqual([
      { scan: { gtin: GTIN, serial: 'S1', lot: 'LOT42', expiry: '280131', expiryDate: '2028-01-31' }, viewer: PHARMACY },
    ]);
  });

  it('answers the DSCSA failure reason of an unknown serial or a mismatching lot', async () => {
    const { service } = setup({ S2: { status: 'ACTIVE', alerts: ['LOT_MISMATCH'] } });
    await expect(service.verify(request({ serial: 'S9' }), PHARMACY)).resolves.toMatchObject({
      responderGLN: null,
      data: { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' },
    });
    await expect(service.verify(request({ serial: 'S2' }), PHARMACY)).resolves.toMatchObject({
      data: { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' },
    });
  });

  it.each([
    [{ gtin: '614141123452' }, 'gtin'],
    [{ gtin: '00614141123453' }, 'gtin'],
    [{ lot: 'LOT 42 THAT IS FAR TOO LONG' }, 'lot'],
    [{ serial: '' }, 'ser'],
    [{ exp: '2028-01-31' }, 'exp'],
    [{ exp: '281331' }, 'exp'],
    [{ linkType: 'pip' }, 'linkType'],
    [{ context: 'curiosity' }, 'context'],
    [{ corrUUID: 'not-a-uuid' }, 'corrUUID'],
    [{ reqGLN: undefined }, 'reqGLN'],
  ])('refuses %j naming the parameter %s, without verifying', async (over, parameter) => {
    const { service, asked } = setup();
    await expect(service.verify(request(over), PHARMACY)).rejects.toMatchObject({
      code: VerificationErrorCode.INVALID_VRS_REQUEST,
      details: expect.objectContaining({ parameter }),
    });
    expect(asked).toHaveLength(0);
  });

  it('refuses a reqGLN other than the requesting organization', async () => {
    const { service, asked } = setup();
    await expect(service.verify(request({ reqGLN: '0614141000012' }), PHARMACY)).rejects.toMatchObject({
      code: VerificationErrorCode.REQUESTOR_NOT_ALLOWED,
    });
    expect(asked).toHaveLength(0);
  });

  it('accepts both spellings of the verification link type and no expiry at all', async () => {
    const { service, asked } = setup({ S1: { status: 'ACTIVE', alerts: [] } });
    await service.verify(request({ linkType: 'gs1:verificationService', exp: undefined }), PHARMACY);
    await service.verify(request({ linkType: 'verificationService' }), PHARMACY);
    expect(asked[0].scan.expiryDate).toBeUndefined();
    expect(asked).toHaveLength(2);
  });
});

import { CaptureErrorCode } from '../capture/capture.error';
import { OrganizationErrorCode } from '../organizations/organization.error';
import { ProvenanceErrorCode } from '../provenance/provenance.error';
import { VerificationErrorCode } from '../verification/verification.error';
import { AuthErrorCode } from './auth.error';

/** The one table from every feature's error codes to the HTTP status they answer with. */
export const ERROR_STATUS: Record<string, number> = {
  [AuthErrorCode.UNAUTHENTICATED]: 401,
  [AuthErrorCode.FORBIDDEN]: 403,
  [OrganizationErrorCode.INVALID_ORGANIZATION]: 400,
  [OrganizationErrorCode.GLN_TAKEN]: 409,
  [CaptureErrorCode.INVALID_DOCUMENT]: 400,
  [CaptureErrorCode.CAPTURE_FORBIDDEN]: 403,
  [VerificationErrorCode.INVALID_CODE]: 400,
  [ProvenanceErrorCode.INVALID_EPC]: 400,
};

import { AlertErrorCode } from '../alerts/alert.error';
import { ApiKeyErrorCode } from '../api-keys/api-key.error';
import { AuditErrorCode } from '../audit/audit.error';
import { AuditLogErrorCode } from '../audit-log/audit-log.error';
import { CaptureErrorCode } from '../capture/capture.error';
import { DispensingErrorCode } from '../dispensing/dispensing.error';
import { RecallErrorCode } from '../recall/recall.error';
import { FlowErrorCode } from '../capture/flow.error';
import { HealthErrorCode } from '../health/health.error';
import { EpcisRestErrorCode } from '../epcis-rest/epcis-rest.error';
import { EventQueryErrorCode } from '../events/event-query.error';
import { EventVocabularyErrorCode } from '../events/event-vocabulary.error';
import { NamedQueryErrorCode } from '../epcis-queries/named-query.error';
import { SubscriptionErrorCode } from '../epcis-queries/subscription.error';
import { ReadGrantErrorCode } from '../grants/read-grant.error';
import { LicenceErrorCode } from '../licences/licence.error';
import { LotErrorCode } from '../lots/lot.error';
import { OrganizationErrorCode } from '../organizations/organization.error';
import { ProofBundleErrorCode } from '../proofs/proof-bundle.error';
import { ProvenanceErrorCode } from '../provenance/provenance.error';
import { SignatureErrorCode } from '../signatures/signature.error';
import { VerificationErrorCode } from '../verification/verification.error';
import { RateLimitErrorCode } from '../rate-limits/rate-limit.error';
import { AuthErrorCode } from './auth.error';
import { PagingErrorCode } from './paging.error';
import { CaseErrorCode } from '../cases/case.error';
import { RequestLimitErrorCode } from './request-limit.error';

/** Every feature's error codes (error-status.spec.ts holds them unique across features). */
export const ERROR_CODE_ENUMS = {
  AuthErrorCode,
  RateLimitErrorCode,
  ApiKeyErrorCode,
  OrganizationErrorCode,
  LicenceErrorCode,
  CaptureErrorCode,
  VerificationErrorCode,
  DispensingErrorCode,
  RecallErrorCode,
  ProvenanceErrorCode,
  LotErrorCode,
  AlertErrorCode,
  ProofBundleErrorCode,
  EventQueryErrorCode,
  EventVocabularyErrorCode,
  NamedQueryErrorCode,
  SubscriptionErrorCode,
  ReadGrantErrorCode,
  EpcisRestErrorCode,
  FlowErrorCode,
  AuditErrorCode,
  AuditLogErrorCode,
  SignatureErrorCode,
  HealthErrorCode,
  RequestLimitErrorCode,
  PagingErrorCode,
  CaseErrorCode,
} as const;

type Enums = typeof ERROR_CODE_ENUMS;
/** Any feature's code: one added to these enums without a status below does not compile. */
export type ErrorCode = { [Name in keyof Enums]: Enums[Name][keyof Enums[Name]] }[keyof Enums];

/** The one table from every feature's error codes to the HTTP status they answer with; the type makes it exhaustive. */
const ERROR_STATUS = {
  [PagingErrorCode.INVALID_PAGE_ARGUMENTS]: 400,
  [CaseErrorCode.INVALID_CASE]: 400,
  [CaseErrorCode.CASE_NOT_FOUND]: 404,
  [CaseErrorCode.CASE_ACTION_REFUSED]: 409,
  [CaseErrorCode.CASE_CHANGED]: 409,
  [AuthErrorCode.UNAUTHENTICATED]: 401,
  [AuthErrorCode.FORBIDDEN]: 403,
  [AuthErrorCode.API_KEY_EXPIRED]: 401,
  [AuthErrorCode.API_KEY_REVOKED]: 401,
  [RateLimitErrorCode.RATE_LIMITED]: 429,
  [ApiKeyErrorCode.INVALID_API_KEY_INPUT]: 400,
  [ApiKeyErrorCode.API_KEY_NOT_FOUND]: 404,
  [ApiKeyErrorCode.API_KEY_NOT_ACTIVE]: 409,
  [OrganizationErrorCode.INVALID_ORGANIZATION]: 400,
  [OrganizationErrorCode.GLN_TAKEN]: 409,
  [OrganizationErrorCode.COMPANY_PREFIX_OVERLAP]: 409,
  [OrganizationErrorCode.INVALID_DIRECTORY_QUERY]: 400,
  [OrganizationErrorCode.DIRECTORY_TOO_LARGE]: 413,
  [LicenceErrorCode.INVALID_LICENCE]: 400,
  [LicenceErrorCode.LICENCE_EXISTS]: 409,
  [LicenceErrorCode.UNKNOWN_LICENCE]: 404,
  [CaptureErrorCode.INVALID_DOCUMENT]: 400,
  [CaptureErrorCode.EVENT_ID_MISMATCH]: 400,
  [CaptureErrorCode.INVALID_IGNORE_FIELDS]: 400,
  [CaptureErrorCode.CORRECTION_FORBIDDEN]: 403,
  [CaptureErrorCode.CAPTURE_FORBIDDEN]: 403,
  [CaptureErrorCode.CAPTURE_CONFLICT]: 409,
  [VerificationErrorCode.INVALID_CODE]: 400,
  [VerificationErrorCode.INVALID_VRS_REQUEST]: 400,
  [VerificationErrorCode.REQUESTOR_NOT_ALLOWED]: 403,
  [DispensingErrorCode.UNKNOWN_PACK]: 404,
  [RecallErrorCode.INVALID_RECALL]: 400,
  [RecallErrorCode.RECALL_FORBIDDEN]: 403,
  [RecallErrorCode.UNKNOWN_PRODUCT]: 404,
  [DispensingErrorCode.ALREADY_DISPENSED]: 409,
  [DispensingErrorCode.NOT_SALEABLE]: 409,
  [DispensingErrorCode.UNDO_STATUS_MISMATCH]: 409,
  [DispensingErrorCode.UNDO_WINDOW_EXCEEDED]: 409,
  [DispensingErrorCode.UNDO_BY_OTHER_LOCATION]: 403,
  [DispensingErrorCode.PACK_INACTIVE]: 409,
  [DispensingErrorCode.QUARANTINED]: 409,
  // Also ProofBundleErrorCode.INVALID_EPC, the same code.
  [ProvenanceErrorCode.INVALID_EPC]: 400,
  [ProvenanceErrorCode.INVALID_PROVENANCE_CURSOR]: 400,
  [ProvenanceErrorCode.INVALID_PROVENANCE_PAGE]: 400,
  [LotErrorCode.INVALID_LOT_QUERY]: 400,
  [AlertErrorCode.INVALID_ALERT_QUERY]: 400,
  [ProofBundleErrorCode.NO_EVENTS]: 404,
  [EventQueryErrorCode.INVALID_QUERY_PARAMETER]: 400,
  [EventQueryErrorCode.EVENT_NOT_FOUND]: 404,
  [EventQueryErrorCode.QUERY_TOO_LARGE]: 413,
  [EventQueryErrorCode.QUERY_TOO_COMPLEX]: 413,
  [EventVocabularyErrorCode.RESOURCE_NOT_FOUND]: 404,
  [EventVocabularyErrorCode.PAGE_TOKEN_NOT_FOUND]: 404,
  [NamedQueryErrorCode.INVALID_NAMED_QUERY]: 400,
  [NamedQueryErrorCode.QUERY_NOT_FOUND]: 404,
  [NamedQueryErrorCode.QUERY_EXISTS]: 409,
  [SubscriptionErrorCode.INVALID_SUBSCRIPTION]: 400,
  [SubscriptionErrorCode.SUBSCRIPTION_NOT_FOUND]: 404,
  [ReadGrantErrorCode.INVALID_GRANT]: 400,
  [ReadGrantErrorCode.GRANT_FORBIDDEN]: 403,
  [ReadGrantErrorCode.GRANT_NOT_FOUND]: 404,
  [EpcisRestErrorCode.CAPTURE_JOB_NOT_FOUND]: 404,
  [EpcisRestErrorCode.CAPTURE_LIMIT_EXCEEDED]: 413,
  [EpcisRestErrorCode.NOT_ACCEPTABLE]: 406,
  [EpcisRestErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [EpcisRestErrorCode.MALFORMED_BODY]: 400,
  [EpcisRestErrorCode.INVALID_ENCODING]: 400,
  [EpcisRestErrorCode.CAPTURE_INTERRUPTED]: 503,
  [EpcisRestErrorCode.INVALID_HEADER]: 400,
  [FlowErrorCode.INVALID_FLOW_INPUT]: 400,
  [AuditErrorCode.UNKNOWN_BATCH]: 404,
  [AuditErrorCode.BATCH_NOT_MINED]: 409,
  [AuditErrorCode.AUDIT_UNAVAILABLE]: 503,
  // The configured chain is not the anchoring one: the audit cannot run here, as when no chain answers.
  [AuditErrorCode.FOREIGN_CHAIN]: 503,
  [AuditLogErrorCode.INVALID_AUDIT_LOG_QUERY]: 400,
  [SignatureErrorCode.INVALID_SIGNATURE]: 401,
  [HealthErrorCode.NOT_READY]: 503,
  [RequestLimitErrorCode.INVALID_INPUT]: 400,
  [RequestLimitErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [RequestLimitErrorCode.OPERATION_TOO_LARGE]: 400,
} satisfies Record<ErrorCode, number>;

const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_STATUS, code);

/** The status of a typed error's code; a code outside the enums can only be a bug, answered as one. */
export function statusOf(code: string): number {
  return isErrorCode(code) ? ERROR_STATUS[code] : 500;
}

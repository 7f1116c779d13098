import { CAPTURE_EVENT_LIMIT } from '@pharmatrace/epcis';
import { AppError } from '../common/app.error';

export enum EpcisRestErrorCode {
  CAPTURE_JOB_NOT_FOUND = 'CAPTURE_JOB_NOT_FOUND',
  /** More events or more bytes than the GS1-EPCIS-Capture-Limit / GS1-EPCIS-Capture-File-Size-Limit headers announce. */
  CAPTURE_LIMIT_EXCEEDED = 'CAPTURE_LIMIT_EXCEEDED',
  /** The Accept header names no representation this server writes. */
  NOT_ACCEPTABLE = 'NOT_ACCEPTABLE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  /** The body is not JSON, or not a JSON object. */
  MALFORMED_BODY = 'MALFORMED_BODY',
  /** Bytes that are not valid in the body's encoding (its byte offset is in the answer); never replaced by U+FFFD. */
  INVALID_ENCODING = 'INVALID_ENCODING',
  /** A capture job whose server stopped before it reported: the capture was all or nothing, so it can be sent again. */
  CAPTURE_INTERRUPTED = 'CAPTURE_INTERRUPTED',
  /** A binding header (GS1-EPC-Format, GS1-CBV-XML-Format, GS1-Capture-Error-Behaviour) with a value it does not take. */
  INVALID_HEADER = 'INVALID_HEADER',
}

export class EpcisRestError extends AppError<EpcisRestErrorCode> {
  constructor(code: EpcisRestErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/** A capture of more events than GS1-EPCIS-Capture-Limit, refused before any is read further (REST and GraphQL alike). */
export const tooManyEvents = (count: number) =>
  new EpcisRestError(
    EpcisRestErrorCode.CAPTURE_LIMIT_EXCEEDED,
    `the document has ${count} events or more; GS1-EPCIS-Capture-Limit is ${CAPTURE_EVENT_LIMIT}`,
    {
      rule: 'capture-limit',
      limit: CAPTURE_EVENT_LIMIT,
    },
  );

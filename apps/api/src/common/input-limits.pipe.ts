import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { findInputViolation } from '@pharmatrace/epcis';
import { RequestLimitError, RequestLimitErrorCode } from './request-limit.error';

/**
 * Holds every argument of every GraphQL resolver and REST handler (documents, filters, names, query parameters)
 * to the input limits of libs/epcis input-limits.ts before a handler sees it: a NUL, an over-long string or
 * hostile nesting is a 400 naming the field here, rather than a database error or a stack overflow later.
 */
@Injectable()
export class InputLimitsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    // Custom parameters (the caller's organization, the request) come from the server, not the client.
    if (metadata.type === 'custom') return value;
    const violation = findInputViolation(value);
    if (!violation) return value;
    // A named argument (`document`, `input`) heads the path; a whole query or body is named by the pointer alone.
    const field = metadata.data ? `${metadata.data}${violation.pointer}` : violation.pointer.slice(1) || metadata.type;
    throw new RequestLimitError(RequestLimitErrorCode.INVALID_INPUT, `${field}: ${violation.message}`, { field, rule: violation.rule });
  }
}

import { HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from '../common/app.error';
import { statusOf } from '../common/error-status';
import { EPCIS_HEADERS } from './epcis-binding';
import { unexpectedErrorLine } from '../logging/unexpected-error';

/** RFC 7807 problem details with the EPCIS 2.0 binding's exception types. */
export interface EpcisProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

const EXCEPTIONS: Record<string, { name: string; title: string }> = {
  UNAUTHENTICATED: { name: 'SecurityException', title: 'Unauthorised request' },
  FORBIDDEN: { name: 'SecurityException', title: 'Access to resource forbidden' },
  CAPTURE_FORBIDDEN: { name: 'SecurityException', title: 'Capture of these events forbidden' },
  INVALID_SIGNATURE: { name: 'SecurityException', title: 'Capture signature refused' },
  INVALID_DOCUMENT: { name: 'ValidationException', title: 'Invalid EPCIS document' },
  EVENT_ID_MISMATCH: { name: 'ValidationException', title: 'A hash-form eventID is not the event hash' },
  INVALID_IGNORE_FIELDS: { name: 'ValidationException', title: 'ignoreFields may name extension fields only' },
  CORRECTION_FORBIDDEN: { name: 'SecurityException', title: 'Only the capturer of an event may declare it in error' },
  MALFORMED_BODY: { name: 'ValidationException', title: 'Malformed request body' },
  INVALID_ENCODING: { name: 'ValidationException', title: 'Invalid character encoding' },
  INVALID_HEADER: { name: 'ValidationException', title: 'Invalid header value' },
  INVALID_QUERY_PARAMETER: { name: 'QueryParameterException', title: 'Invalid query parameter' },
  EVENT_NOT_FOUND: { name: 'NoSuchResourceException', title: 'No such event' },
  RESOURCE_NOT_FOUND: { name: 'NoSuchResourceException', title: 'No such resource' },
  PAGE_TOKEN_NOT_FOUND: { name: 'NoSuchResourceException', title: 'No such page token' },
  QUERY_TOO_LARGE: { name: 'QueryTooLargeException', title: 'More events match than maxEventCount' },
  QUERY_TOO_COMPLEX: { name: 'QueryTooComplexException', title: 'The query took too long to answer' },
  CAPTURE_JOB_NOT_FOUND: { name: 'NoSuchResourceException', title: 'No such capture job' },
  INVALID_NAMED_QUERY: { name: 'ValidationException', title: 'Invalid query definition' },
  // The binding's 404 for an unknown query name (EPCIS 1.2's NoSuchNameException).
  QUERY_NOT_FOUND: { name: 'NoSuchNameException', title: 'No such query' },
  QUERY_EXISTS: { name: 'ResourceAlreadyExistsException', title: 'A query with this name already exists' },
  INVALID_SUBSCRIPTION: { name: 'SubscriptionControlsException', title: 'Invalid subscription controls' },
  SUBSCRIPTION_NOT_FOUND: { name: 'NoSuchResourceException', title: 'No such subscription' },
  CAPTURE_LIMIT_EXCEEDED: { name: 'CaptureLimitExceededException', title: 'Capture limit exceeded' },
  // Not a server error to report but a stop to retry after: the binding's ServiceUnavailable reading, 503.
  CAPTURE_INTERRUPTED: { name: 'ImplementationException', title: 'Capture interrupted by a server stop; send it again' },
  NOT_ACCEPTABLE: { name: 'NotAcceptableException', title: 'Not acceptable' },
  UNSUPPORTED_MEDIA_TYPE: { name: 'UnsupportedMediaTypeException', title: 'Unsupported media type' },
  INVALID_INPUT: { name: 'ValidationException', title: 'Invalid input value' },
  PAYLOAD_TOO_LARGE: { name: 'CaptureLimitExceededException', title: 'Request body too large' },
  // The binding names no exception for throttling; a SecurityException says the request was refused for its caller.
  RATE_LIMITED: { name: 'SecurityException', title: 'Too many requests' },
};

const IMPLEMENTATION = { name: 'ImplementationException', title: 'A server-side error occurred' };
const logger = new Logger('EpcisProblem');

export function epcisProblem(code: string, detail: string, details: Record<string, unknown> = {}, instance?: string): EpcisProblem {
  const exception = EXCEPTIONS[code] ?? IMPLEMENTATION;
  return {
    type: `epcisException:${exception.name}`,
    title: exception.title,
    status: statusOf(code),
    detail,
    ...(instance ? { instance } : {}),
    code,
    ...details,
  };
}

/**
 * Any exception as an EPCIS problem; untyped ones are bugs, logged in full with the request id (X-Request-Id) and
 * answered with that id, without internals.
 */
export function problemOf(exception: unknown, instance?: string, requestId?: string): EpcisProblem {
  if (exception instanceof AppError) return epcisProblem(exception.code, exception.message, exception.details, instance);
  if (exception instanceof HttpException && exception.getStatus() === 404) {
    return { ...epcisProblem('EVENT_NOT_FOUND', exception.message, {}, instance), title: 'No such resource' };
  }
  logger.error(unexpectedErrorLine(exception, requestId));
  return {
    type: `epcisException:${IMPLEMENTATION.name}`,
    title: IMPLEMENTATION.title,
    status: 500,
    detail: `internal error; it has been logged${requestId ? ` under request id ${requestId}` : ''}`,
    instance,
    code: 'INTERNAL_SERVER_ERROR',
    requestId: requestId ?? null,
  };
}

export function sendProblem(res: Response, problem: EpcisProblem): void {
  res.set(EPCIS_HEADERS).status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

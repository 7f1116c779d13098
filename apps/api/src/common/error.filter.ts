import { ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { epcisProblem, sendProblem } from '../epcis-rest/epcis-problem';
import { EpcisRestError, EpcisRestErrorCode } from '../epcis-rest/epcis-rest.error';
import { AppError } from './app.error';
import { statusOf } from './error-status';
import { RequestLimitError, RequestLimitErrorCode } from './request-limit.error';
import { unexpectedErrorLine } from '../logging/unexpected-error';

/** Statuses a GraphQL answer carries too (Apollo takes `extensions.http` and leaves it out of the body). */
const REQUEST_REFUSALS = new Set([413, 429]);

interface Described {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** An error of Express's body parser (http-errors): `type` says which, `status` is the one it means. */
interface BodyParserError extends Error {
  type: string;
  status: number;
  limit?: number;
}

const isBodyParserError = (e: unknown): e is BodyParserError =>
  e instanceof Error &&
  typeof (e as Partial<BodyParserError>).type === 'string' &&
  typeof (e as Partial<BodyParserError>).status === 'number';

/** Express's JSON parser refusing a body before any handler runs: too large (a 100 MB GraphQL request), a charset it cannot read, cut short. */
function bodyRefusal(e: BodyParserError): AppError {
  if (e.type === 'entity.too.large') {
    return new RequestLimitError(
      RequestLimitErrorCode.PAYLOAD_TOO_LARGE,
      `the body is larger than the ${e.limit} bytes this endpoint reads`,
      {
        rule: 'body-size',
        limit: e.limit,
      },
    );
  }
  const code = e.status === 415 ? EpcisRestErrorCode.UNSUPPORTED_MEDIA_TYPE : EpcisRestErrorCode.MALFORMED_BODY;
  return new EpcisRestError(code, `the body could not be read: ${e.message}`, { rule: e.type });
}

/**
 * Maps every typed error to GraphQL `extensions.code` (the feature's enum value) and an HTTP status, in one place.
 * Anything untyped is a bug: logged in full with the request id (X-Request-Id), answered as INTERNAL_SERVER_ERROR
 * with that id and without internals.
 */
@Catch()
export class ErrorFilter implements GqlExceptionFilter {
  private readonly logger = new Logger(ErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost) {
    const graphql = host.getType<string>() === 'graphql';
    const req = graphql ? host.getArgByIndex<{ req?: { id?: unknown } } | undefined>(2)?.req : host.switchToHttp().getRequest();
    const { status, code, message, details } = this.describe(exception, req?.id);
    if (graphql) {
      // GraphQL over HTTP answers 200 with the error in the body, except for a refusal of the request itself (too
      // large, too frequent): its status tells a client or proxy to back off without reading the body.
      const http = REQUEST_REFUSALS.has(status) ? { http: { status } } : {};
      return new GraphQLError(message, { extensions: { code, ...(details ? { details } : {}), ...http } });
    }
    const res = host.switchToHttp().getResponse();
    // A request to /graphql refused before GraphQL ran (by the body parser) still gets an answer a GraphQL client reads.
    const { path = '', originalUrl } = host.switchToHttp().getRequest<{ path?: string; originalUrl?: string }>();
    if (path.startsWith('/graphql'))
      return res.status(status).json({ errors: [{ message, extensions: { code, ...(details ? { details } : {}) } }] });
    // Likewise an EPCIS route's body refused by the platform's parser is answered as the binding answers (RFC 7807).
    if (path.startsWith('/epcis')) return sendProblem(res, epcisProblem(code, message, details, originalUrl));
    res.status(status).json({ type: `urn:pharmatrace:error:${code}`, title: code, status, detail: message, ...(details ?? {}) });
  }

  private describe(exception: unknown, requestId: unknown): Described {
    // Typed errors first: the body parser stamps its own `type` and `status` on an error its `verify` hook throws.
    if (exception instanceof AppError) {
      return { status: statusOf(exception.code), code: exception.code, message: exception.message, details: exception.details };
    }
    if (isBodyParserError(exception) && exception.status < 500) return this.describe(bodyRefusal(exception), requestId);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, code: status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message: exception.message };
    }
    const id = typeof requestId === 'string' ? requestId : undefined;
    this.logger.error(unexpectedErrorLine(exception, id));
    return {
      status: 500,
      code: 'INTERNAL_SERVER_ERROR',
      message: `internal error; it has been logged${id ? ` under request id ${id}` : ''}`,
      details: { requestId: id ?? null },
    };
  }
}

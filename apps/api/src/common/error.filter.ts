import { ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { AppError } from './app.error';
import { ERROR_STATUS } from './error-status';

/**
 * Maps every typed error to GraphQL `extensions.code` (the feature's enum value) and an HTTP status, in one place.
 * Anything untyped is a bug: logged in full, answered as INTERNAL_SERVER_ERROR without internals.
 */
@Catch()
export class ErrorFilter implements GqlExceptionFilter {
  private readonly logger = new Logger(ErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost) {
    const { status, code, message, details } = this.describe(exception);
    if (host.getType<string>() === 'graphql') {
      // GraphQL over HTTP answers 200 with the error in the body; the status is for REST callers.
      return new GraphQLError(message, { extensions: { code, ...(details ? { details } : {}) } });
    }
    const res = host.switchToHttp().getResponse();
    res.status(status).json({ type: `urn:pharmatrace:error:${code}`, title: code, status, detail: message, ...(details ?? {}) });
  }

  private describe(exception: unknown): { status: number; code: string; message: string; details?: Record<string, unknown> } {
    if (exception instanceof AppError) {
      return { status: ERROR_STATUS[exception.code] ?? 400, code: exception.code, message: exception.message, details: exception.details };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, code: status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message: exception.message };
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'internal error; it has been logged' };
  }
}

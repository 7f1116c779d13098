import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { problemOf, sendProblem } from './epcis-problem';

/** On the EPCIS binding's routes errors are RFC 7807 problems with EPCIS exception types, not the platform's own. */
@Catch()
export class EpcisProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const requestId = (req as { id?: unknown }).id;
    sendProblem(http.getResponse<Response>(), problemOf(exception, req.originalUrl, typeof requestId === 'string' ? requestId : undefined));
  }
}

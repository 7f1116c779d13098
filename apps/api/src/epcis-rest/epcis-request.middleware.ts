import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { CAPTURE_FILE_SIZE_LIMIT, EPCIS_HEADERS, JSON_MEDIA_TYPES, negotiate } from './epcis-binding';
import { epcisProblem, sendProblem } from './epcis-problem';
import { EpcisRestErrorCode } from './epcis-rest.error';

/**
 * Runs before authentication on every EPCIS route: the binding's headers, content negotiation, and the body.
 * The platform's JSON parser does not read application/ld+json, so such bodies are read here, within the size limit.
 */
@Injectable()
export class EpcisRequestMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction) {
    res.set(EPCIS_HEADERS);
    if (req.method === 'OPTIONS') return next();
    const fail = (code: EpcisRestErrorCode, detail: string, details?: Record<string, unknown>) =>
      sendProblem(res, epcisProblem(code, detail, details, req.originalUrl));

    const negotiated = negotiate(req.headers.accept);
    if (!negotiated.format) return fail(EpcisRestErrorCode.NOT_ACCEPTABLE, negotiated.reason);
    res.locals.epcisFormat = negotiated.format;
    if (req.method !== 'POST') return next();

    const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!JSON_MEDIA_TYPES.includes(mediaType)) {
      return fail(EpcisRestErrorCode.UNSUPPORTED_MEDIA_TYPE, `Content-Type must be ${JSON_MEDIA_TYPES.join(' or ')}, not "${mediaType || 'none'}"`);
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > CAPTURE_FILE_SIZE_LIMIT) return this.tooLarge(req, res, declared);
    // application/json was already read by the platform's parser.
    if (req.body !== undefined || req.readableEnded) return next();

    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > CAPTURE_FILE_SIZE_LIMIT) {
        done = true;
        this.tooLarge(req, res, size);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (e) => {
      if (!done) next(e);
      done = true;
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      try {
        req.body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        return fail(EpcisRestErrorCode.MALFORMED_BODY, `the body is not JSON: ${(e as Error).message}`, { rule: 'json' });
      }
      next();
    });
  }

  private tooLarge(req: Request, res: Response, size: number) {
    sendProblem(
      res,
      epcisProblem(
        EpcisRestErrorCode.CAPTURE_LIMIT_EXCEEDED,
        `the body has ${size} bytes or more; GS1-EPCIS-Capture-File-Size-Limit is ${CAPTURE_FILE_SIZE_LIMIT}`,
        { rule: 'file-size-limit', limit: CAPTURE_FILE_SIZE_LIMIT },
        req.originalUrl,
      ),
    );
    req.resume();
  }
}

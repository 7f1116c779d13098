import { Injectable, NestMiddleware } from '@nestjs/common';
import { EpcisValidationError, readEpcisXmlSliced } from '@pharmatrace/epcis';
import type { NextFunction, Request, Response } from 'express';
import {
  bindingPreferences,
  CAPTURE_FILE_SIZE_LIMIT,
  DISCOVERY_HEADERS,
  EPCIS_HEADERS,
  isStreamedCapture,
  JSON_MEDIA_TYPES,
  negotiate,
  STREAMED_CAPTURE_THRESHOLD,
  versionRefusal,
  XML_MEDIA_TYPES,
} from './epcis-binding';
import { charsetOf, decodeBody, readJsonBody } from './epcis-body.reader';
import { epcisProblem, sendProblem } from './epcis-problem';
import { EpcisRestError, EpcisRestErrorCode } from './epcis-rest.error';

/** What EpcisCaptureController finds in res.locals.epcisStream when the body was left unread, to be streamed. */
export interface StreamedBody {
  format: 'json' | 'xml';
  /** The Content-Type charset parameter, which the XML reader weighs with the byte-order mark and the declaration. */
  charset?: string;
}

const CAPTURE_PATH = /^\/epcis\/capture\/?(\?|$)/;

/**
 * Runs before authentication on every EPCIS route: the binding's headers, content negotiation, and the body.
 * Bodies up to STREAMED_CAPTURE_THRESHOLD are read here (the platform's JSON parser reads only application/json)
 * and XML ones mapped to JSON-LD; larger capture bodies are left unread for the controller to stream.
 */
@Injectable()
export class EpcisRequestMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction) {
    res.set(EPCIS_HEADERS);
    if (req.method === 'OPTIONS') {
      res.set(DISCOVERY_HEADERS);
      return next();
    }
    const fail = (code: EpcisRestErrorCode, detail: string, details?: Record<string, unknown>) =>
      sendProblem(res, epcisProblem(code, detail, details, req.originalUrl));

    const negotiated = negotiate(req.headers.accept);
    if (!negotiated.format) return fail(EpcisRestErrorCode.NOT_ACCEPTABLE, negotiated.reason);
    const version = versionRefusal(req.headers);
    if (version) return fail(EpcisRestErrorCode.NOT_ACCEPTABLE, version);
    res.locals.epcisFormat = negotiated.format;
    const preferences = bindingPreferences(req.headers);
    if (!preferences.preferences)
      return fail(EpcisRestErrorCode.INVALID_HEADER, preferences.reason, { header: preferences.header, rule: 'enum' });
    res.locals.epcisPreferences = preferences.preferences;
    if (req.method !== 'POST') return next();

    const capture = CAPTURE_PATH.test(req.originalUrl);
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const charset = charsetOf(req);
    const xml = XML_MEDIA_TYPES.includes(mediaType);
    if (!JSON_MEDIA_TYPES.includes(mediaType) && !(capture && xml)) {
      const accepted = capture ? [...JSON_MEDIA_TYPES, ...XML_MEDIA_TYPES] : JSON_MEDIA_TYPES;
      return fail(EpcisRestErrorCode.UNSUPPORTED_MEDIA_TYPE, `Content-Type must be ${accepted.join(' or ')}, not "${mediaType || 'none'}"`);
    }
    const limit = capture ? CAPTURE_FILE_SIZE_LIMIT : STREAMED_CAPTURE_THRESHOLD;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return this.tooLarge(req, res, declared, limit);
    // application/json was already read by the platform's parser.
    if (req.body !== undefined || req.readableEnded) return next();
    if (capture && isStreamedCapture(req, req.originalUrl)) {
      res.locals.epcisStream = { format: xml ? 'xml' : 'json', charset } satisfies StreamedBody;
      return next();
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > STREAMED_CAPTURE_THRESHOLD) {
        done = true;
        this.tooLarge(req, res, size, STREAMED_CAPTURE_THRESHOLD);
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
      const refuse = (e: unknown) => (e instanceof EpcisRestError ? fail(e.code, e.message, e.details) : next(e));
      const bytes = Buffer.concat(chunks);
      if (!xml) {
        readJsonBody(bytes, charset).then((document) => {
          req.body = document;
          next();
        }, refuse);
        return;
      }
      let text: string;
      try {
        text = decodeBody(bytes, 'xml', charset);
      } catch (e) {
        return refuse(e);
      }
      // In slices: parsing XML costs about 15 ms per MB, too long to hold other requests for a 4 MiB body.
      readEpcisXmlSliced(text).then(
        (document) => {
          req.body = document;
          next();
        },
        (e: unknown) => {
          if (!(e instanceof EpcisValidationError)) return next(e);
          const [first] = e.issues;
          const where = first?.line === undefined ? '' : ` (line ${first.line}, column ${first.column})`;
          fail(EpcisRestErrorCode.MALFORMED_BODY, `the body is not an EPCIS XML document${where}: ${e.message}`, {
            rule: first?.rule ?? e.code,
            line: first?.line ?? null,
            column: first?.column ?? null,
            issues: e.issues,
          });
        },
      );
    });
  }

  private tooLarge(req: Request, res: Response, size: number, limit: number) {
    sendProblem(
      res,
      epcisProblem(
        EpcisRestErrorCode.CAPTURE_LIMIT_EXCEEDED,
        `the body has ${size} bytes or more; the limit here is ${limit}` +
          (limit === CAPTURE_FILE_SIZE_LIMIT ? ' (GS1-EPCIS-Capture-File-Size-Limit)' : ''),
        { rule: 'file-size-limit', limit },
        req.originalUrl,
      ),
    );
    req.resume();
  }
}

import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { isBufferedJsonBody, STREAMED_CAPTURE_THRESHOLD } from '../epcis-rest/epcis-binding';
import { charsetOf, readJsonBody } from '../epcis-rest/epcis-body.reader';

/**
 * Bytes of an application/json body (GraphQL operations, REST JSON) read into memory: the size up to which the
 * REST binding reads a capture whole, so a GraphQL capture is held to the same bound. Larger ones are refused
 * with PAYLOAD_TOO_LARGE (413) by the error filter; large EPCIS captures go to the streaming REST binding.
 */
export const JSON_BODY_LIMIT = STREAMED_CAPTURE_THRESHOLD;

/**
 * The platform's JSON body parser, as main.ts and the test platform both install it before the app starts:
 * Express's raw parser reads the bytes (size limit: 413), readJsonBody turns them into the value.
 */
export function useJsonBodyParser(app: NestExpressApplication): void {
  // Large EPCIS capture bodies are streamed by the binding, not buffered here.
  app.useBodyParser('raw', { limit: JSON_BODY_LIMIT, type: isBufferedJsonBody });
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (!Buffer.isBuffer(req.body) || !isBufferedJsonBody(req)) return next();
    const bytes = req.body;
    req.body = undefined;
    readJsonBody(bytes, charsetOf(req), req.path === '/graphql' ? graphqlField : undefined).then((value) => {
      req.body = value;
      next();
    }, next);
  });
}

/** A GraphQL variable is named as InputLimitsPipe names an argument: by its name and path, past `/variables/`. */
const graphqlField = (pointer: string) =>
  pointer.startsWith('/variables/') ? pointer.slice('/variables/'.length) : pointer.slice(1) || 'body';

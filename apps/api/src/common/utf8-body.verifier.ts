import { firstInvalidUtf8 } from '@pharmatrace/epcis';
import type { IncomingMessage } from 'node:http';
import { EpcisRestError, EpcisRestErrorCode } from '../epcis-rest/epcis-rest.error';

/**
 * The `verify` of the platform's JSON body parser (json-body.parser.ts), for GraphQL and REST JSON alike. express.json
 * decodes leniently: an ill-formed sequence would become U+FFFD, stored and hashed as such. This refuses the body
 * instead, with the offset of the first bad byte; body-parser passes the error on as it is, to the error filter.
 */
export function refuseInvalidUtf8(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  const offset = firstInvalidUtf8(body);
  if (offset < 0) return;
  throw new EpcisRestError(EpcisRestErrorCode.INVALID_ENCODING, `the body is not valid UTF-8: an ill-formed byte sequence at byte offset ${offset}`, {
    rule: 'encoding',
    offset,
    encoding: 'UTF-8',
  });
}

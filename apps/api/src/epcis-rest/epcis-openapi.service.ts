import { Injectable } from '@nestjs/common';
import { standardsDir } from '@pharmatrace/gs1';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WebAssetsService } from '../web/web-assets.service';
import { OpenApiDocument, ourOpenApiDocument } from './openapi.document';

/** Reads GS1's binding once at boot and keeps our document, serialized, for every request. */
@Injectable()
export class EpcisOpenApiService {
  readonly document: OpenApiDocument;
  readonly json: string;

  constructor(web: WebAssetsService) {
    const official = JSON.parse(readFileSync(path.join(standardsDir(), 'epcis-2.0', 'rest-binding', 'openapi.json'), 'utf8'));
    // The repository's package.json, from the sources as from dist/ (webRoot is <root>/dist/web either way).
    const { version } = JSON.parse(readFileSync(path.join(web.webRoot, '..', '..', 'package.json'), 'utf8')) as { version: string };
    this.document = ourOpenApiDocument(official as OpenApiDocument, version);
    this.json = JSON.stringify(this.document);
  }
}

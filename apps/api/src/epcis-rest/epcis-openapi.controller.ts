import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Public } from '../common/auth.decorators';
import { WebAssetsService } from '../web/web-assets.service';
import {
  API_EXPLORER_BOOT_JS,
  API_EXPLORER_CONTENT_SECURITY_POLICY,
  API_EXPLORER_HTML,
  API_EXPLORER_PAGE_CSS,
  API_EXPLORER_VENDOR_FILES,
} from './api-explorer.page';
import { EpcisOpenApiService } from './epcis-openapi.service';

const VENDOR = new Set<string>(API_EXPLORER_VENDOR_FILES);

/** The REST binding described (our OpenAPI document) and explorable in a browser; public, as GraphiQL is. */
@Public()
@Controller('epcis')
export class EpcisOpenApiController {
  constructor(
    private readonly openApi: EpcisOpenApiService,
    private readonly web: WebAssetsService,
  ) {}

  @Get('openapi.json')
  document(@Res() res: Response) {
    res.type('application/vnd.oai.openapi+json').set('Cache-Control', 'no-cache').send(this.openApi.json);
  }

  @Get('explorer')
  page(@Res() res: Response) {
    res
      .set({ 'Content-Security-Policy': API_EXPLORER_CONTENT_SECURITY_POLICY, 'Cache-Control': 'no-cache' })
      .type('html')
      .send(API_EXPLORER_HTML);
  }

  @Get('explorer/assets/:file')
  asset(@Param('file') file: string, @Res() res: Response) {
    if (file === 'api-explorer.boot.js') return void res.type('js').set('Cache-Control', 'no-cache').send(API_EXPLORER_BOOT_JS);
    if (file === 'api-explorer.page.css') return void res.type('css').set('Cache-Control', 'no-cache').send(API_EXPLORER_PAGE_CSS);
    if (!VENDOR.has(file)) throw new NotFoundException(`no API explorer asset ${file}`);
    const built = path.join(this.web.webRoot, 'vendor', file);
    if (!existsSync(built)) throw new NotFoundException(`API explorer asset ${file} is not built: run npm run build:web on the server`);
    res.sendFile(built, { maxAge: '1d' });
  }
}

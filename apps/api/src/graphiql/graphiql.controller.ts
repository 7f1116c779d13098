import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Public } from '../common/auth.decorators';
import { WebAssetsService } from '../web/web-assets.service';
import {
  GRAPHIQL_BOOT_JS,
  GRAPHIQL_CONTENT_SECURITY_POLICY,
  GRAPHIQL_HTML,
  GRAPHIQL_PAGE_CSS,
  GRAPHIQL_VENDOR_FILES,
} from './graphiql.page';

const VENDOR = new Set<string>(GRAPHIQL_VENDOR_FILES);

@Public()
@Controller('graphiql')
export class GraphiqlController {
  constructor(private readonly web: WebAssetsService) {}

  @Get()
  page(@Res() res: Response) {
    res.set({ 'Content-Security-Policy': GRAPHIQL_CONTENT_SECURITY_POLICY, 'Cache-Control': 'no-cache' }).type('html').send(GRAPHIQL_HTML);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response) {
    if (file === 'graphiql.boot.js') return void res.type('js').set('Cache-Control', 'no-cache').send(GRAPHIQL_BOOT_JS);
    if (file === 'graphiql.page.css') return void res.type('css').set('Cache-Control', 'no-cache').send(GRAPHIQL_PAGE_CSS);
    const built = path.join(this.web.webRoot, 'vendor', file);
    if (!VENDOR.has(file)) throw new NotFoundException(`no GraphiQL asset ${file}`);
    if (!existsSync(built)) throw new NotFoundException(`GraphiQL asset ${file} is not built: run npm run build:web on the server`);
    res.sendFile(built, { maxAge: '1d' });
  }
}

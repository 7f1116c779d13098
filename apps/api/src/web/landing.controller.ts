import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Public } from '../common/auth.decorators';
import { LANDING_CSP, landingPage } from './landing.page';
import { WebAssetsService } from './web-assets.service';

/** Someone who types the server's address into a browser: the pages there are, and where the documentation is. */
@Public()
@Controller()
export class LandingController {
  private readonly html: string;

  constructor(assets: WebAssetsService) {
    // The build goes to <repository>/dist/web; the docs folder, when the checkout or image has one, sits beside dist.
    const docs = path.resolve(assets.webRoot, '../../docs');
    this.html = landingPage(existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith('.md')).sort() : []);
  }

  @Get()
  landing(@Res() res: Response) {
    res.set({ 'Content-Security-Policy': LANDING_CSP, 'Cache-Control': 'no-cache' }).type('html').send(this.html);
  }
}

import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../common/auth.decorators';
import { LANDING_CSP, landingPage } from './landing.page';
import { DocsCatalog } from './docs.catalog';

/** Someone who types the server's address into a browser: the pages there are, and where the documentation is. */
@Public()
@Controller()
export class LandingController {
  private readonly html: string;

  constructor(docs: DocsCatalog) {
    this.html = landingPage(docs.names());
  }

  @Get()
  landing(@Res() res: Response) {
    res.set({ 'Content-Security-Policy': LANDING_CSP, 'Cache-Control': 'no-cache' }).type('html').send(this.html);
  }
}

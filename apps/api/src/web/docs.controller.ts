import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import { Public } from '../common/auth.decorators';
import { DocsCatalog } from './docs.catalog';

/**
 * The documentation as plain text, so the landing page's links lead somewhere on a closed network too. Only the
 * files listed at boot are served: a name is looked up, never joined to a path.
 */
@Public()
@Controller('docs')
export class DocsController {
  constructor(private readonly catalog: DocsCatalog) {}

  @Get(':file')
  file(@Param('file') file: string, @Res() res: Response) {
    const found = this.catalog.path(file);
    if (!found) throw new NotFoundException(`no document ${file}; the documents are ${this.catalog.names().join(', ')}`);
    res
      .set({ 'Content-Security-Policy': "default-src 'none'", 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' })
      .type('text/plain; charset=utf-8')
      .send(readFileSync(found, 'utf8'));
  }
}

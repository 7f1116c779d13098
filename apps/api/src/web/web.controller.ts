import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../common/auth.decorators';
import { WebAssetsService } from './web-assets.service';

/** The pharmacist's pages; they call /graphql with the pharmacy's API key, so serving them needs none. */
@Public()
@Controller('scan')
export class WebController {
  constructor(private readonly assets: WebAssetsService) {}

  @Get()
  scan(@Res() res: Response) {
    this.assets.sendPage(res, 'index.html');
  }

  @Get('self-test')
  selfTest(@Res() res: Response) {
    this.assets.sendPage(res, 'self-test.html');
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response) {
    this.assets.sendAsset(res, file);
  }

  @Get('zxing/:file')
  zxing(@Param('file') file: string, @Res() res: Response) {
    this.assets.sendModuleFile(res, file);
  }
}

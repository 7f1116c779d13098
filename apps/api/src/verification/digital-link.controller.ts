import { Controller, Get, Headers, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../common/auth.decorators';
import { DigitalLinkService } from './digital-link.service';

/**
 * GS1 Digital Link resolver for packs: `/01/{gtin}/21/{serial}`, `/01/{gtin}/10/{lot}/21/{serial}`, with `?17=`
 * attributes. A browser (a phone camera on a QR code) gets the verdict page; an API client the JSON verdict.
 */
@Public()
@Controller('01')
export class DigitalLinkController {
  constructor(private readonly service: DigitalLinkService) {}

  @Get('*path')
  async resolve(@Req() req: Request, @Headers('accept') accept: string | undefined, @Res() res: Response) {
    const answer = await this.service.resolve(`${req.protocol}://${req.get('host')}${req.originalUrl}`, accept);
    if (answer.csp) res.set('Content-Security-Policy', answer.csp);
    res.status(answer.status).type(answer.type).send(answer.body);
  }
}

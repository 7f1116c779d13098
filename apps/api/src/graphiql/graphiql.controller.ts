import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../common/auth.decorators';
import { GRAPHIQL_ASSETS, GRAPHIQL_HTML } from './graphiql.page';

@Public()
@Controller('graphiql')
export class GraphiqlController {
  @Get()
  page(@Res() res: Response) {
    res.type('html').send(GRAPHIQL_HTML);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response) {
    const path = GRAPHIQL_ASSETS[file];
    if (!path) throw new NotFoundException(`no GraphiQL asset ${file}`);
    res.sendFile(require.resolve(path), { maxAge: '1d' });
  }
}

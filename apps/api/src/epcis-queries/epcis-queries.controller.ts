import type { Organization } from '@pharmatrace/domain';
import { Body, Controller, Delete, Get, HttpCode, Options, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentOrganization, Public } from '../common/auth.decorators';
import { EpcisProblemFilter } from '../epcis-rest/epcis-problem.filter';
import type { BindingPreferences } from '../epcis-rest/epcis-binding';
import { EpcisServingService } from '../epcis-rest/epcis-serving.service';
import { answer, nextEventsPage, nextLink, pageSize, paramList, queryParams } from '../epcis-rest/epcis-response';
import { namedQueryView, NamedQueryService } from './named-query.service';

/** The binding's named queries: `/epcis/queries`, `/epcis/queries/{queryName}` and the query's events. */
@Controller('epcis/queries')
@UseFilters(EpcisProblemFilter)
export class EpcisQueriesController {
  constructor(
    private readonly queries: NamedQueryService,
    private readonly serving: EpcisServingService,
  ) {}

  @Post()
  async create(@CurrentOrganization() org: Organization, @Body() body: unknown, @Res() res: Response) {
    const query = await this.queries.create(org, body);
    res.status(201).location(`/epcis/queries/${query.name}`).end();
  }

  @Get()
  async list(@CurrentOrganization() org: Organization, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const page = await this.queries.list(org, pageSize(query), paramList(query, 'nextPageToken')[0]);
    if (page.nextPageToken) res.links({ next: nextLink(req, page.nextPageToken) });
    answer(res, page.queries.map(namedQueryView), { json: true });
  }

  @Get(':queryName')
  async one(@CurrentOrganization() org: Organization, @Param('queryName') name: string, @Res() res: Response) {
    // The binding answers GET /queries/{queryName} with a list, as GET /queries does: the one query, alone.
    answer(res, [namedQueryView(await this.queries.find(org, name))], { json: true });
  }

  @Delete(':queryName')
  @HttpCode(204)
  async delete(@CurrentOrganization() org: Organization, @Param('queryName') name: string) {
    await this.queries.delete(org, name);
  }

  @Get(':queryName/events')
  async events(
    @CurrentOrganization() org: Organization,
    @Param('queryName') name: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const page = await this.queries.events(org, name, queryParams(query));
    nextEventsPage(req, res, page);
    const format = (res.locals.epcisPreferences as BindingPreferences).epcFormat;
    const served = await this.serving.queryDocument(page.events, format, name);
    answer(res.set(served.headers), served.body);
  }

  @Options()
  @Public()
  @HttpCode(204)
  optionsCollection(@Res({ passthrough: true }) res: Response) {
    res.set('Allow', 'OPTIONS, GET, POST');
  }

  @Options(':queryName')
  @Public()
  @HttpCode(204)
  optionsQuery(@Res({ passthrough: true }) res: Response) {
    res.set('Allow', 'OPTIONS, GET, DELETE');
  }

  @Options(':queryName/events')
  @Public()
  @HttpCode(204)
  optionsEvents(@Res({ passthrough: true }) res: Response) {
    res.set('Allow', 'OPTIONS, GET');
  }
}

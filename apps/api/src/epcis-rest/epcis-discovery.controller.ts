import type { Organization } from '@pharmatrace/domain';
import { Controller, Delete, Get, HttpCode, Options, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentOrganization, Public } from '../common/auth.decorators';
import { CollectionPage, EventVocabularyService, VOCABULARY_RESOURCES, VocabularyResource } from '../events/event-vocabulary.service';
import { EpcisProblemFilter } from './epcis-problem.filter';
import type { BindingPreferences } from './epcis-binding';
import { answer, nextEventsPage, nextLink, queryParams } from './epcis-response';
import { EpcisServingService } from './epcis-serving.service';

const LISTS = [...VOCABULARY_RESOURCES];
const VALUES = LISTS.map((r) => `${r}/:value`);
const VALUE_EVENTS = LISTS.map((r) => `${r}/:value/events`);

/** Which resource a route serves: the path segment after /epcis of the route it matched (`/epcis/bizSteps/:value`). */
const resourceOf = (req: Request) => String((req.route as { path: string }).path).split('/')[2] as VocabularyResource;

function sendPage(req: Request, res: Response, page: CollectionPage) {
  if (page.nextPageToken) res.links({ next: nextLink(req, page.nextPageToken) });
  answer(res, page.collection, { json: true });
}

/**
 * The binding's discovery (OPTIONS and GET /epcis) and browsing resources: /epcis/eventTypes, /epcs, /bizSteps,
 * /bizLocations, /readPoints, /dispositions, each `{value}` and `{value}/events`, and DELETE /epcis/nextPageToken/{token}.
 * Values in the path are URL-encoded URIs (`urn:epc:id:sgtin:…`, `https:%2F%2Fid.gs1.org%2F01%2F…`) or CBV words.
 */
@Controller('epcis')
@UseFilters(EpcisProblemFilter)
export class EpcisDiscoveryController {
  constructor(
    private readonly vocabulary: EventVocabularyService,
    private readonly serving: EpcisServingService,
  ) {}

  @Get()
  root(@Res() res: Response) {
    answer(res, this.vocabulary.topLevel(), { json: true });
  }

  @Get(LISTS)
  async list(@CurrentOrganization() org: Organization, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    sendPage(req, res, await this.vocabulary.list(resourceOf(req), queryParams(query), org));
  }

  @Get(VALUES)
  async value(@CurrentOrganization() org: Organization, @Param('value') value: string, @Req() req: Request, @Res() res: Response) {
    answer(res, await this.vocabulary.resource(resourceOf(req), value, org), { json: true });
  }

  @Get(VALUE_EVENTS)
  async events(
    @CurrentOrganization() org: Organization,
    @Param('value') value: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const page = await this.vocabulary.events(resourceOf(req), value, queryParams(query), org);
    nextEventsPage(req, res, page);
    // Served as GET /epcis/events serves them, in the GS1-EPC-Format the request asked for.
    const served = await this.serving.queryDocument(page.events, (res.locals.epcisPreferences as BindingPreferences).epcFormat);
    answer(res.set(served.headers), served.body);
  }

  @Delete('nextPageToken/:token')
  @HttpCode(204)
  release(@Param('token') token: string) {
    this.vocabulary.releaseToken(token);
  }

  @Options(['', ...LISTS, ...VALUES, ...VALUE_EVENTS])
  @Public()
  @HttpCode(204)
  options(@Res({ passthrough: true }) res: Response) {
    res.set('Allow', 'OPTIONS, GET');
  }
}

import type { Organization } from '@pharmatrace/domain';
import { Body, Controller, Delete, Get, HttpCode, Options, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentOrganization, Public } from '../common/auth.decorators';
import { EpcisProblemFilter } from '../epcis-rest/epcis-problem.filter';
import { answer, nextLink, pageSize, paramList } from '../epcis-rest/epcis-response';
import { deliveryView, SubscriptionService, subscriptionView } from './subscription.service';

/** The binding's webhook subscriptions of a named query, and their delivery log (an extension). */
@Controller('epcis/queries/:queryName/subscriptions')
@UseFilters(EpcisProblemFilter)
export class EpcisSubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionService) {}

  @Post()
  async create(@CurrentOrganization() org: Organization, @Param('queryName') name: string, @Body() body: unknown, @Res() res: Response) {
    const created = await this.subscriptions.create(org, name, body);
    res
      .status(201)
      .location(`/epcis/queries/${name}/subscriptions/${created.id}`)
      .type('application/json')
      .send(JSON.stringify(subscriptionView(created)));
  }

  @Get()
  async list(
    @CurrentOrganization() org: Organization,
    @Param('queryName') name: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const page = await this.subscriptions.list(org, name, pageSize(query), paramList(query, 'nextPageToken')[0]);
    if (page.nextPageToken) res.links({ next: nextLink(req, page.nextPageToken) });
    answer(res, page.subscriptions.map(subscriptionView), { json: true });
  }

  @Get(':subscriptionID')
  async one(
    @CurrentOrganization() org: Organization,
    @Param('queryName') name: string,
    @Param('subscriptionID') id: string,
    @Res() res: Response,
  ) {
    answer(res, subscriptionView(await this.subscriptions.find(org, name, id)), { json: true });
  }

  @Delete(':subscriptionID')
  @HttpCode(204)
  async delete(@CurrentOrganization() org: Organization, @Param('queryName') name: string, @Param('subscriptionID') id: string) {
    await this.subscriptions.delete(org, name, id);
  }

  @Get(':subscriptionID/deliveries')
  async deliveries(
    @CurrentOrganization() org: Organization,
    @Param('queryName') name: string,
    @Param('subscriptionID') id: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const page = await this.subscriptions.deliveries(org, name, id, pageSize(query), paramList(query, 'nextPageToken')[0]);
    if (page.nextPageToken) res.links({ next: nextLink(req, page.nextPageToken) });
    answer(res, page.deliveries.map(deliveryView), { json: true });
  }

  @Options()
  @Public()
  @HttpCode(204)
  optionsCollection(@Res({ passthrough: true }) res: Response) {
    res.set('Allow', 'OPTIONS, GET, POST');
  }

  @Options(':subscriptionID')
  @Public()
  @HttpCode(204)
  optionsSubscription(@Res({ passthrough: true }) res: Response) {
    res.set('Allow', 'OPTIONS, GET, DELETE');
  }

  @Options(':subscriptionID/deliveries')
  @Public()
  @HttpCode(204)
  optionsDeliveries(@Res({ passthrough: true }) res: Response) {
    res.set('Allow', 'OPTIONS, GET');
  }
}

import type { Organization } from '@pharmatrace/domain';
import { Body, Controller, Get, HttpCode, Options, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { EPCIS_CONTEXT } from '@pharmatrace/epcis';
import type { Request, Response } from 'express';
import { CaptureService } from '../capture/capture.service';
import { CurrentOrganization, Public } from '../common/auth.decorators';
import { EventQueryService } from '../events/event-query.service';
import { EpcisProblemFilter } from './epcis-problem.filter';
import { EpcisRestError, EpcisRestErrorCode } from './epcis-rest.error';
import type { BindingPreferences } from './epcis-binding';
import { answer, nextEventsPage, queryParams } from './epcis-response';
import { EpcisServingService } from './epcis-serving.service';

/** Set by EpcisRequestMiddleware from the binding's headers. */
const preferencesOf = (res: Response): BindingPreferences => res.locals.epcisPreferences as BindingPreferences;

/**
 * Read policy (docs/read-policy.md): GET /epcis/events lists only the events the caller may read. GET
 * /epcis/events/{id} answers the first of them with that hash or eventID, and 404 when it may read none: another
 * organization's event with the same eventID neither hides the caller's own nor is revealed to exist.
 */
@Controller('epcis/events')
@UseFilters(EpcisProblemFilter)
export class EpcisEventsController {
  constructor(
    private readonly capture: CaptureService,
    private readonly query: EventQueryService,
    private readonly serving: EpcisServingService,
  ) {}

  /** One event, stored synchronously through the same capture as documents. */
  @Post()
  async captureOne(@CurrentOrganization() org: Organization, @Body() event: unknown, @Res() res: Response) {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw new EpcisRestError(EpcisRestErrorCode.MALFORMED_BODY, 'the body must be one EPCIS event (a JSON object)', {
        rule: 'type:object',
      });
    }
    const ownContext = (event as Record<string, unknown>)['@context'];
    const document = {
      '@context': ownContext ?? [EPCIS_CONTEXT],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: new Date().toISOString(),
      epcisBody: { eventList: [event] },
    };
    const result = await this.capture.capture(org, document);
    res
      .status(201)
      .location(`/epcis/events/${encodeURIComponent(result.eventHashes[0])}`)
      .end();
  }

  @Get()
  async events(
    @CurrentOrganization() org: Organization,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const page = await this.query.query(queryParams(query), org);
    nextEventsPage(req, res, page);
    const served = await this.serving.queryDocument(page.events, preferencesOf(res).epcFormat);
    answer(res.set(served.headers), served.body);
  }

  @Get(':eventID')
  async event(@CurrentOrganization() org: Organization, @Param('eventID') eventId: string, @Res() res: Response) {
    const event = await this.query.findOne(eventId, org);
    const served = await this.serving.event(event, preferencesOf(res).epcFormat);
    answer(res.set(served.headers), served.body);
  }

  @Options()
  @Public()
  @HttpCode(204)
  optionsCollection(@Res({ passthrough: true }) res: Response) {
    res.set('Allow', 'OPTIONS, GET, POST');
  }

  @Options(':eventID')
  @Public()
  @HttpCode(204)
  optionsEvent(@Res({ passthrough: true }) res: Response) {
    res.set('Allow', 'OPTIONS, GET');
  }
}

import type { Organization } from '@pharmatrace/domain';
import { Body, Controller, Get, HttpCode, Options, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { SignatureRepository } from '@pharmatrace/persistence';
import type { Request, Response } from 'express';
import { CurrentOrganization, Public } from '../common/auth.decorators';
import { captureJobView, CaptureJobService } from './capture-job.service';
import { type BindingPreferences, CAPTURE_DISCOVERY_HEADERS } from './epcis-binding';
import { EpcisProblemFilter } from './epcis-problem.filter';
import type { StreamedBody } from './epcis-request.middleware';
import { EpcisRestError, EpcisRestErrorCode } from './epcis-rest.error';
import { EventQueryError, EventQueryErrorCode } from '../events/event-query.error';
import { SignatureError, SignatureRule } from '../signatures/signature.error';
import { parseSignature } from '../signatures/signature.service';
import { answer, nextLink, pageSize, paramList } from './epcis-response';

const JOB_ID = /^[0-9a-f-]{36}$/i;

/** `eventIDsOffset`: where a capture job answer's eventIDs start (they come EVENT_IDS_PER_ANSWER at a time). */
function eventIdsOffset(query: Record<string, unknown>): number {
  const values = paramList(query, 'eventIDsOffset');
  if (!values.length) return 0;
  if (values.length > 1 || !/^\d{1,9}$/.test(values[0])) {
    throw new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, 'eventIDsOffset: must be one integer from 0', {
      parameter: 'eventIDsOffset',
      rule: 'range',
    });
  }
  return Number(values[0]);
}

function eventIdsLink(req: Request, offset: number): string {
  const url = new URL(req.originalUrl, 'http://host');
  url.searchParams.set('eventIDsOffset', String(offset));
  return `${url.pathname}${url.search}`;
}

/** EIP-712 signature of the document's event hashes (README: Signed events). */
export const SIGNATURE_HEADER = 'x-pharmatrace-signature';

@Controller('epcis/capture')
@UseFilters(EpcisProblemFilter)
export class EpcisCaptureController {
  constructor(
    private readonly jobs: CaptureJobService,
    private readonly signing: SignatureRepository,
  ) {}

  @Post()
  async capture(@CurrentOrganization() org: Organization, @Body() document: unknown, @Req() req: Request, @Res() res: Response) {
    const streamed = res.locals.epcisStream as StreamedBody | undefined;
    const { captureErrorBehaviour } = res.locals.epcisPreferences as BindingPreferences;
    const signature = req.header(SIGNATURE_HEADER);
    const signing = signature !== undefined || (await this.signing.signingKeyOf(org.id)).requireSignedCaptures;
    if (signing && captureErrorBehaviour === 'proceed') {
      // A signature covers every event hash of the document: it cannot stand for the part a proceed capture stores.
      if (streamed) req.resume();
      throw new EpcisRestError(
        EpcisRestErrorCode.INVALID_HEADER,
        'a signed capture is all or nothing: send it with GS1-Capture-Error-Behaviour: rollback',
        {
          header: 'GS1-Capture-Error-Behaviour',
          rule: 'signed-rollback',
        },
      );
    }
    if (streamed && signing) {
      // A signature covers every event hash of the document, which a streamed capture only knows once it is stored.
      req.resume();
      throw new SignatureError(SignatureRule.STREAMED_CAPTURE, 'signed captures must be sent whole, below the streaming threshold');
    }
    if (signature !== undefined) parseSignature(signature);
    if (streamed) {
      const job = await this.jobs.startStream(org, req, streamed, captureErrorBehaviour);
      res.status(202).location(`/epcis/capture/${job.id}`).end();
      return;
    }
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      throw new EpcisRestError(EpcisRestErrorCode.MALFORMED_BODY, 'the body must be an EPCIS document (a JSON object or an XML document)', {
        rule: 'type:object',
      });
    }
    const job = await this.jobs.start(org, document, signature, captureErrorBehaviour);
    res.status(202).location(`/epcis/capture/${job.id}`).end();
  }

  @Get()
  async list(@CurrentOrganization() org: Organization, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const limit = pageSize(query);
    const [token] = paramList(query, 'nextPageToken');
    if (token !== undefined && !JOB_ID.test(token)) {
      throw new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, 'nextPageToken: not a token this server issued', {
        parameter: 'nextPageToken',
        rule: 'page-token',
      });
    }
    const { jobs, hasMore } = await this.jobs.list(org, limit, token);
    if (hasMore) res.links({ next: nextLink(req, jobs[jobs.length - 1].id) });
    answer(res, jobs.map(captureJobView), { json: true });
  }

  @Get(':captureID')
  async job(
    @CurrentOrganization() org: Organization,
    @Param('captureID') id: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const offset = eventIdsOffset(query);
    const view = captureJobView(await this.jobs.find(id, org, offset));
    if (offset + view.eventIDs.length < view.eventIDCount) res.links({ next: eventIdsLink(req, offset + view.eventIDs.length) });
    answer(res, view, { json: true });
  }

  @Options()
  @Public()
  @HttpCode(204)
  optionsCollection(@Res({ passthrough: true }) res: Response) {
    res.set({ Allow: 'OPTIONS, GET, POST', ...CAPTURE_DISCOVERY_HEADERS });
  }

  @Options(':captureID')
  @Public()
  @HttpCode(204)
  optionsJob(@Res({ passthrough: true }) res: Response) {
    res.set({ Allow: 'OPTIONS, GET', ...CAPTURE_DISCOVERY_HEADERS });
  }
}

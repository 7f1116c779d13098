import type { Organization } from '@pharmatrace/domain';
import { Body, Controller, Get, HttpCode, Options, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { SignatureRepository } from '@pharmatrace/persistence';
import type { Request, Response } from 'express';
import { CurrentOrganization, Public } from '../common/auth.decorators';
import { captureJobView, CaptureJobService } from './capture-job.service';
import { EpcisProblemFilter } from './epcis-problem.filter';
import type { StreamedBody } from './epcis-request.middleware';
import { EpcisRestError, EpcisRestErrorCode } from './epcis-rest.error';
import { EventQueryError, EventQueryErrorCode } from '../events/event-query.error';
import { SignatureError, SignatureRule } from '../signatures/signature.error';
import { parseSignature } from '../signatures/signature.service';
import { answer, nextLink, pageSize, paramList } from './epcis-response';

const JOB_ID = /^[0-9a-f-]{36}$/i;

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
    const signature = req.header(SIGNATURE_HEADER);
    if (streamed && (signature !== undefined || (await this.signing.signingKeyOf(org.id)).requireSignedCaptures)) {
      // A signature covers every event hash of the document, which a streamed capture only knows once it is stored.
      req.resume();
      throw new SignatureError(SignatureRule.STREAMED_CAPTURE, 'signed captures must be sent whole, below the streaming threshold');
    }
    if (signature !== undefined) parseSignature(signature);
    if (streamed) {
      const job = await this.jobs.startStream(org, req, streamed);
      res.status(202).location(`/epcis/capture/${job.id}`).end();
      return;
    }
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      throw new EpcisRestError(EpcisRestErrorCode.MALFORMED_BODY, 'the body must be an EPCIS document (a JSON object or an XML document)', {
        rule: 'type:object',
      });
    }
    const job = await this.jobs.start(org, document, signature);
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
  async job(@CurrentOrganization() org: Organization, @Param('captureID') id: string, @Res() res: Response) {
    answer(res, captureJobView(await this.jobs.find(id, org)), { json: true });
  }

  @Options()
  @Public()
  @HttpCode(204)
  optionsCollection(@Res({ passthrough: true }) res: Response) {
    res.set('Allow', 'OPTIONS, GET, POST');
  }

  @Options(':captureID')
  @Public()
  @HttpCode(204)
  optionsJob(@Res({ passthrough: true }) res: Response) {
    res.set('Allow', 'OPTIONS, GET');
  }
}

import type { Organization } from '@pharmatrace/domain';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentOrganization, Roles } from '../common/auth.decorators';
import { CaseDocumentSchema } from './case-document.schema';
import { CaseDocument, CaseDocumentService } from './case-document.service';

/**
 * Cases over REST as JSON documents of the published schema (docs/schemas/exception-case.v1.schema.json), so a
 * trading partner's system can open, read and answer them; Bearer API key as every route. Each route delegates to
 * the service that GraphQL's resolvers call: one rule for every path.
 */
@Controller('cases')
export class CaseController {
  constructor(
    private readonly documents: CaseDocumentService,
    private readonly schema: CaseDocumentSchema,
  ) {}

  @Get('schema/v1')
  @Header('Content-Type', 'application/schema+json')
  schemaV1(): object {
    return this.schema.schema;
  }

  @Get()
  async list(
    @CurrentOrganization() org: Organization,
    @Query() query: Record<string, string | undefined>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ cases: CaseDocument[]; next: string | null }> {
    const page = await this.documents.list(org, query);
    if (page.next) res.set('Link', `</cases?${new URLSearchParams({ ...clean(query), after: page.next })}>; rel="next"`);
    return page;
  }

  @Get(':id')
  export(@CurrentOrganization() org: Organization, @Param('id') id: string): Promise<CaseDocument> {
    return this.documents.export(org, id);
  }

  @Roles('MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER')
  @Post()
  @HttpCode(201)
  async import(
    @CurrentOrganization() org: Organization,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CaseDocument> {
    const doc = await this.documents.import(org, body);
    res.location(`/cases/${doc.id}`);
    return doc;
  }

  @Post(':id/actions')
  @HttpCode(200)
  act(@CurrentOrganization() org: Organization, @Param('id') id: string, @Body() body: unknown): Promise<CaseDocument> {
    return this.documents.act(org, id, body);
  }
}

function clean(query: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'after'));
}

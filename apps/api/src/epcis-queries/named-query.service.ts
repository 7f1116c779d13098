import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { NamedQuery, NamedQueryRepository } from '@pharmatrace/persistence';
import { parseEventQuery, QueryParams } from '../events/event-filter.parser';
import { EventQueryError, EventQueryErrorCode } from '../events/event-query.error';
import { EventPage, EventQueryService } from '../events/event-query.service';
import { NamedQueryError, NamedQueryErrorCode } from './named-query.error';

/** Names travel in URLs (`/epcis/queries/{name}`): URL-safe characters only, so a name is its own path segment. */
export const QUERY_NAME = /^[A-Za-z0-9._~-]{1,128}$/;
/** Paging belongs to each request for a query's events, not to the query. */
const PAGING = ['perPage', 'nextPageToken'];
/** What GET /epcis/queries/{name}/events subscribes with over WebSocket; on a plain GET they are refused, not ignored. */
export const SUBSCRIPTION_PARAMETERS = [
  'stream',
  'second',
  'minute',
  'hour',
  'dayOfMonth',
  'month',
  'dayOfWeek',
  'reportIfEmpty',
  'initialRecordTime',
];

/** A named query as the binding serves it. */
export interface NamedQueryView {
  name: string;
  query: Record<string, unknown>;
}

export const namedQueryView = (q: NamedQuery): NamedQueryView => ({ name: q.name, query: q.query });

const invalidParameter = (parameter: string, rule: string, message: string) =>
  new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, `${parameter}: ${message}`, { parameter, rule });

/**
 * A stored definition as query parameters: the query schema's arrays are lists of values, a single string, number or
 * boolean is one value; anything else is refused naming the parameter.
 */
export function namedQueryParams(query: Record<string, unknown>): QueryParams {
  const params: QueryParams = {};
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    if (!values.length || values.some((v) => typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) {
      throw invalidParameter(name, 'type', 'must be a string, a number, a boolean or a non-empty array of strings');
    }
    params[name] = values.map(String);
  }
  return params;
}

function pageToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const match = /^query:(\d{1,18})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalidParameter('nextPageToken', 'page-token', 'is not a token this server issued');
  return Number(match[1]);
}

/**
 * Named queries of the REST binding: views over the events, owned by the organization that created them (no other
 * may see, run or delete them: they answer QUERY_NOT_FOUND, as if absent). A query is parsed when created, so a bad
 * parameter is a 400 then, never at its first run; it runs through EventQueryService, the read policy applying to
 * the caller each time.
 */
@Injectable()
export class NamedQueryService {
  constructor(
    private readonly repository: NamedQueryRepository,
    private readonly eventQueries: EventQueryService,
  ) {}

  async create(org: Organization, body: unknown): Promise<NamedQuery> {
    const invalid = (field: string, rule: string, message: string) =>
      new NamedQueryError(NamedQueryErrorCode.INVALID_NAMED_QUERY, `${field}: ${message}`, { field, rule });
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw invalid('/', 'type:object', 'the body must be { name, query }');
    const { name, query, ...rest } = body as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw invalid(`/${extra}`, 'additionalProperties', 'is not a field of a query definition (name, query)');
    if (typeof name !== 'string' || !QUERY_NAME.test(name)) {
      throw invalid('/name', 'pattern', 'must be 1 to 128 of the characters A-Z a-z 0-9 . _ ~ - (it is a path segment)');
    }
    if (query === null || typeof query !== 'object' || Array.isArray(query))
      throw invalid('/query', 'type:object', 'must be an object of query parameters');
    const definition = query as Record<string, unknown>;
    const params = namedQueryParams(definition);
    const paging = PAGING.find((p) => p in params);
    if (paging)
      throw invalidParameter(paging, 'named-query', 'is given with each request for the query’s events, not stored with the query');
    const { criteria } = parseEventQuery(params);
    const created = await this.repository.create(org.id, name, definition, criteria);
    if (!created)
      throw new NamedQueryError(NamedQueryErrorCode.QUERY_EXISTS, `you already have a query named ${name}`, { queryName: name });
    return created;
  }

  async find(org: Organization, name: string): Promise<NamedQuery> {
    const query = await this.repository.byName(org.id, name);
    if (!query) throw new NamedQueryError(NamedQueryErrorCode.QUERY_NOT_FOUND, `you have no query named ${name}`, { queryName: name });
    return query;
  }

  async list(
    org: Organization,
    perPage: number,
    token: string | undefined,
  ): Promise<{ queries: NamedQuery[]; nextPageToken: string | null }> {
    const { queries, hasMore } = await this.repository.list(org.id, perPage, pageToken(token));
    const last = queries.at(-1);
    return { queries, nextPageToken: hasMore && last ? Buffer.from(`query:${last.id}`).toString('base64url') : null };
  }

  async delete(org: Organization, name: string): Promise<void> {
    if (!(await this.repository.delete(org.id, name))) {
      throw new NamedQueryError(NamedQueryErrorCode.QUERY_NOT_FOUND, `you have no query named ${name}`, { queryName: name });
    }
  }

  /** The query's events, a page at a time: the request may add only paging to the stored definition. */
  async events(org: Organization, name: string, request: QueryParams): Promise<EventPage> {
    const query = await this.find(org, name);
    for (const parameter of Object.keys(request)) {
      if (PAGING.includes(parameter)) continue;
      if (SUBSCRIPTION_PARAMETERS.includes(parameter)) {
        throw invalidParameter(parameter, 'websocket-only', 'subscribes to the query over a WebSocket: send it with Upgrade: websocket');
      }
      throw invalidParameter(
        parameter,
        'named-query',
        `a named query's events take only perPage and nextPageToken; ${parameter} belongs in the query`,
      );
    }
    return this.eventQueries.query({ ...namedQueryParams(query.query), ...request }, org);
  }
}

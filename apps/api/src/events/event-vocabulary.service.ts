import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { EPCIS_CONTEXT } from '@pharmatrace/epcis';
import { EventVocabularyRepository, VocabularyList } from '@pharmatrace/persistence';
import { ReadPolicyService } from '../policy/read-policy.service';
import { EVENT_TYPES, parseEventQuery, QueryParams } from './event-filter.parser';
import { decodePageToken } from './event-page.token';
import { EventPage, EventQueryService } from './event-query.service';
import { EventQueryError, EventQueryErrorCode, tooComplex } from './event-query.error';
import { EventVocabularyError, EventVocabularyErrorCode } from './event-vocabulary.error';

/** The binding's browsing resources, each a list of values with one sub-resource per value. */
export const VOCABULARY_RESOURCES = ['eventTypes', 'epcs', 'bizSteps', 'bizLocations', 'readPoints', 'dispositions'] as const;
export type VocabularyResource = (typeof VOCABULARY_RESOURCES)[number];

/** GET /epcis: every top-level resource of the binding (its TopLevelResourceCollection requires all nine). */
export const TOP_LEVEL_RESOURCES = [
  'events',
  'eventTypes',
  'epcs',
  'bizSteps',
  'bizLocations',
  'readPoints',
  'dispositions',
  'capture',
  'queries',
];

/**
 * Each resource's path parameter (as the binding names it, for errors) and the events-query parameter its
 * `…/events` sub-resource adds: the value is read by the events query's own parser, in every spelling it reads.
 */
const RESOURCES: Record<VocabularyResource, { parameter: string; query: string }> = {
  eventTypes: { parameter: 'eventType', query: 'eventType' },
  epcs: { parameter: 'epc', query: 'MATCH_anyEPC' },
  bizSteps: { parameter: 'bizStep', query: 'EQ_bizStep' },
  bizLocations: { parameter: 'bizLocation', query: 'EQ_bizLocation' },
  readPoints: { parameter: 'readPoint', query: 'EQ_readPoint' },
  dispositions: { parameter: 'disposition', query: 'EQ_disposition' },
};

/** RFC 3986: a scheme, then no character a URI may not hold (space, `<>"{}|\^` and the backtick). */
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/;
/** A CBV bare word (`shipping`, `in_progress`), as EPCIS 2.0 JSON-LD writes standard bizSteps and dispositions. */
const CBV_WORD = /^[a-z_]+$/;
/** Capture-job list tokens (GET /epcis/capture) are the last job's id. */
const JOB_TOKEN = /^[0-9a-f-]{36}$/i;
const LIST_TOKEN = /^(\w+):(.+)$/s;

/** A binding Collection: the body of every list and sub-resource answer. */
export interface Collection {
  '@context': string;
  type: 'Collection';
  member: string[];
}

export interface CollectionPage {
  collection: Collection;
  /** Null on the last page. */
  nextPageToken: string | null;
}

const collection = (member: string[]): Collection => ({ '@context': EPCIS_CONTEXT, type: 'Collection', member });

const invalid = (parameter: string, rule: string, message: string) =>
  new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, `${parameter}: ${message}`, { parameter, rule });

/**
 * The binding's discovery and browsing resources (GET /epcis, /epcis/eventTypes, /epcis/epcs, /epcis/bizSteps…).
 * Read policy: a list holds only values of events the caller may read, and a value no such event has is answered
 * RESOURCE_NOT_FOUND, exactly as an absent one; a value's events are the events query with that one criterion added
 * (EventQueryService: the same policy, parameters and paging). The five event types are the binding's, known to all.
 */
@Injectable()
export class EventVocabularyService {
  constructor(
    private readonly repository: EventVocabularyRepository,
    private readonly query: EventQueryService,
    private readonly policy: ReadPolicyService,
  ) {}

  topLevel(): Collection {
    return collection(TOP_LEVEL_RESOURCES);
  }

  /** One page of a resource's values, ordered, `perPage` (default 30, at most 1000) at a time. */
  async list(resource: VocabularyResource, params: QueryParams, reader: Organization): Promise<CollectionPage> {
    const unknown = Object.keys(params).find((name) => name !== 'perPage' && name !== 'nextPageToken');
    if (unknown !== undefined) throw invalid(unknown, 'supported-parameter', `is not a parameter of /${resource} (perPage, nextPageToken)`);
    // perPage is read by the events query's own rule.
    const { perPage } = parseEventQuery(params.perPage ? { perPage: params.perPage } : {});
    const after = params.nextPageToken ? this.decodeListToken(resource, params.nextPageToken) : undefined;
    const { values, hasMore } =
      resource === 'eventTypes'
        ? this.eventTypes(perPage, after)
        : await this.repository.page(resource, await this.policy.eventVisibility(reader), perPage, after).catch(tooComplex);
    return { collection: collection(values), nextPageToken: hasMore ? encodeListToken(resource, values[values.length - 1]) : null };
  }

  /** A value's sub-resources: `events`, when the caller may read an event with it. */
  async resource(resource: VocabularyResource, value: string, reader: Organization): Promise<Collection> {
    await this.mustKnow(resource, value, reader);
    return collection(['events']);
  }

  /** The events query with the value's criterion added; the path's own parameter may not be given again. */
  async events(resource: VocabularyResource, value: string, params: QueryParams, reader: Organization): Promise<EventPage> {
    const { parameter, query } = RESOURCES[resource];
    if (params[query]) throw invalid(query, 'path-parameter', `is given by the path (/${resource}/{${parameter}}); it may not be repeated`);
    await this.mustKnow(resource, value, reader);
    return this.query.query({ ...params, [query]: [value] }, reader);
  }

  /**
   * DELETE /epcis/nextPageToken/{token}: page tokens are positions (the last value or event served), holding nothing
   * on the server, so there is nothing to release; a token this server never issued is RESOURCE_NOT_FOUND.
   */
  releaseToken(token: string): void {
    const list = LIST_TOKEN.exec(Buffer.from(token, 'base64url').toString('utf8'));
    const issued = JOB_TOKEN.test(token) || isEventToken(token) || VOCABULARY_RESOURCES.some((r) => r === list?.[1]);
    if (!issued) {
      throw new EventVocabularyError(EventVocabularyErrorCode.PAGE_TOKEN_NOT_FOUND, `${token} is not a page token this server issued`, {
        value: token,
      });
    }
  }

  private eventTypes(limit: number, after?: string): { values: string[]; hasMore: boolean } {
    const rest = [...EVENT_TYPES].sort().filter((t) => after === undefined || t > after);
    return { values: rest.slice(0, limit), hasMore: rest.length > limit };
  }

  /**
   * 400 for a value that cannot be one (an EPC that is none, a location that is no URI, a bizStep that is neither a
   * CBV word nor a URI), 404 for one no event the caller may read has; else nothing.
   */
  private async mustKnow(resource: VocabularyResource, value: string, reader: Organization): Promise<void> {
    const { parameter, query } = RESOURCES[resource];
    const notFound = () =>
      new EventVocabularyError(EventVocabularyErrorCode.RESOURCE_NOT_FOUND, `no ${parameter} ${value} among the events you may read`, {
        resource,
        value,
      });
    if (resource === 'eventTypes') {
      if (EVENT_TYPES.includes(value)) return;
      if (URI.test(value)) throw notFound();
      throw invalid(parameter, 'enum', `"${value}" is not one of ${EVENT_TYPES.join(', ')} nor an event type URI`);
    }
    const vocabulary = resource === 'bizSteps' || resource === 'dispositions';
    if (!URI.test(value) && !(vocabulary && CBV_WORD.test(value))) {
      throw invalid(parameter, 'uri', `"${value}" is not a URI${vocabulary ? ' nor a CBV word' : ''}`);
    }
    // The events query reads commas in these as value separators; a single path value must hold none.
    if (vocabulary && value.includes(',')) throw invalid(parameter, 'single-value', `"${value}" holds a comma`);
    const spellings = this.spellings(resource, query, parameter, value);
    if (!(await this.repository.exists(resource, spellings, await this.policy.eventVisibility(reader)).catch(tooComplex))) throw notFound();
  }

  /** The value as stored events may spell it, by the events query's own reading of `query`. */
  private spellings(resource: VocabularyList, query: string, parameter: string, value: string): string[] {
    let criteria;
    try {
      ({ criteria } = parseEventQuery({ [query]: [value] }));
    } catch (e) {
      // The query names its own parameter; the path's is the one the caller gave.
      if (e instanceof EventQueryError) throw invalid(parameter, String(e.details?.rule ?? 'value'), e.message.replace(`${query}: `, ''));
      throw e;
    }
    switch (resource) {
      case 'epcs':
        // Instances are stored canonical in event_epc; a GTIN pattern (prefixes) names no one EPC, so it matches none.
        return criteria.epcs?.[0].exact ?? [];
      case 'bizSteps':
        return criteria.bizSteps ?? [];
      case 'dispositions':
        return criteria.dispositions ?? [];
      case 'readPoints':
        return criteria.readPoints ?? [];
      case 'bizLocations':
        return criteria.bizLocations ?? [];
    }
  }

  private decodeListToken(resource: VocabularyResource, values: string[]): string {
    const match = values.length === 1 ? LIST_TOKEN.exec(Buffer.from(values[0], 'base64url').toString('utf8')) : null;
    if (!match || match[1] !== resource) {
      throw invalid('nextPageToken', 'page-token', `not a token this server issued for /${resource}`);
    }
    return match[2];
  }
}

/** A list's page token: the resource and the last value served, so the next page starts strictly after it. */
function encodeListToken(resource: VocabularyResource, last: string): string {
  return Buffer.from(`${resource}:${last}`).toString('base64url');
}

function isEventToken(token: string): boolean {
  try {
    decodePageToken(token, 'token');
    return true;
  } catch {
    return false;
  }
}

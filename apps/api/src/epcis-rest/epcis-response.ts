import { cbvXmlForm, EpcisJsonDocument, writeEpcisXml } from '@pharmatrace/epcis';
import type { Request, Response } from 'express';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE, QueryParams } from '../events/event-filter.parser';
import { EventQueryError, EventQueryErrorCode } from '../events/event-query.error';
import type { BindingPreferences, ResponseFormat } from './epcis-binding';

/**
 * An answer in the representation the request negotiated (set by EpcisRequestMiddleware). EPCIS documents
 * are written as XML when that was asked for; other bodies (`json: true`, e.g. capture jobs) have no XML
 * binding and are answered in JSON. XML answers write CBV values as GS1-CBV-XML-Format asked, and say which form.
 */
export function answer(res: Response, body: unknown, options: { json?: boolean } = {}): void {
  const negotiated: ResponseFormat = res.locals.epcisFormat ?? 'application/ld+json';
  if (negotiated === 'application/xml' && !options.json) {
    const preferences = res.locals.epcisPreferences as BindingPreferences | undefined;
    const { form, answered } = cbvXmlForm(preferences?.cbvXmlFormat ?? 'No_Preference');
    res
      .status(200)
      .type('application/xml')
      .set('GS1-CBV-XML-Format', answered)
      .send(writeEpcisXml(body as EpcisJsonDocument, '2.0', { cbvForm: form }));
    return;
  }
  res
    .status(200)
    .type(negotiated === 'application/xml' ? 'application/json' : negotiated)
    .send(JSON.stringify(body));
}

/** Express gives a repeated parameter as an array and a single one as a string. */
export function queryParams(query: Record<string, unknown>): QueryParams {
  const params: QueryParams = {};
  for (const [name, value] of Object.entries(query)) {
    params[name] = (Array.isArray(value) ? value : [value]).map(String);
  }
  return params;
}

export function paramList(query: Record<string, unknown>, name: string): string[] {
  return queryParams(query)[name] ?? [];
}

export function pageSize(query: Record<string, unknown>): number {
  const values = paramList(query, 'perPage');
  if (!values.length) return DEFAULT_PER_PAGE;
  const n = Number(values[0]);
  if (values.length > 1 || !/^\d+$/.test(values[0]) || n < 1 || n > MAX_PER_PAGE) {
    throw new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, `perPage: must be one integer from 1 to ${MAX_PER_PAGE}`, {
      parameter: 'perPage',
      rule: 'range',
    });
  }
  return n;
}

/**
 * `Link: <…>; rel="next"` and `GS1-Next-Page-Token-Expires` for an events page with more to come: event page tokens
 * read on for a day, with the query that issued them only (event-page.token.ts).
 */
export function nextEventsPage(req: Request, res: Response, page: { nextPageToken: string | null; tokensExpire: Date }): void {
  if (!page.nextPageToken) return;
  res.links({ next: nextLink(req, page.nextPageToken) });
  res.set('GS1-Next-Page-Token-Expires', page.tokensExpire.toISOString());
}

/** The request's own URL with nextPageToken set, for `Link: <…>; rel="next"`. */
export function nextLink(req: Request, token: string): string {
  const url = new URL(req.originalUrl, 'http://host');
  url.searchParams.set('nextPageToken', token);
  return `${url.pathname}${url.search}`;
}

import { hashDigest } from '@pharmatrace/epcis';
import { Epc, epcToDigitalLink, epcToUrn, Gs1Error, parseEpc, toGtin14 } from '@pharmatrace/gs1';
import type { EpcCriterion, EpcRole, EventCriteria, QuantityList, StringMatch } from '@pharmatrace/persistence';
import { errorDeclarationFamily } from './error-declaration-filter';
import { decodePageToken, PagePosition } from './event-page.token';
import { extensionFamily } from './extension-filter';
import { quantityFamily } from './quantity-filter';
import { dateTime, invalid, QueryFamily, QueryParams, single, vocabularySpellings } from './query-values';
import { sensorFamily } from './sensor-filter';
import { isMasterDataParameter, masterDataCriteria } from './master-data-filter';

export type { QueryParams } from './query-values';

export interface EventOrder {
  key: 'eventTime' | 'recordTime';
  direction: 'ASC' | 'DESC';
}

export interface ParsedEventQuery {
  criteria: EventCriteria;
  perPage: number;
  after?: PagePosition;
  order: EventOrder;
  /** The first N events in `order`, whatever else matches (the binding's eventCountLimit). */
  eventCountLimit?: number;
  /** More matching events than this is an error, QUERY_TOO_LARGE (the binding's maxEventCount). */
  maxEventCount?: number;
}

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1000;

export const EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'];
const ACTIONS = ['ADD', 'OBSERVE', 'DELETE'];
const COMPANY_PREFIX_LENGTHS = [6, 7, 8, 9, 10, 11, 12];
const DIGITAL_LINK = 'https://id.gs1.org';

const EPC_PARAMETERS: Record<string, EpcRole[]> = {
  MATCH_epc: ['epc', 'child'],
  MATCH_parentID: ['parent'],
  MATCH_inputEPC: ['input'],
  MATCH_outputEPC: ['output'],
  MATCH_anyEPC: ['epc', 'parent', 'child', 'input', 'output'],
};

/** MATCH_epcClass reads quantityList and childQuantityList only, as the standard says; MATCH_anyEPCClass all four lists. */
const EPC_CLASS_PARAMETERS: Record<string, QuantityList[]> = {
  MATCH_epcClass: ['quantityList', 'childQuantityList'],
  MATCH_inputEPCClass: ['inputQuantityList'],
  MATCH_outputEPCClass: ['outputQuantityList'],
  MATCH_anyEPCClass: ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'],
};

/** Families of parameters in files of their own; each parameter belongs to the first that accepts it. */
const FAMILIES: QueryFamily[] = [errorDeclarationFamily, quantityFamily, sensorFamily, extensionFamily];
const familyOf = (name: string) => FAMILIES.find((f) => f.accepts(name));

/** Every parameter the query understands; anything else is refused rather than silently ignored. */
export const QUERY_PARAMETERS = [
  'eventType',
  'GE_eventTime',
  'LT_eventTime',
  'GE_recordTime',
  'LT_recordTime',
  'EQ_action',
  'EQ_bizStep',
  'EQ_disposition',
  'EQ_readPoint',
  'EQ_bizLocation',
  ...Object.keys(EPC_PARAMETERS),
  ...Object.keys(EPC_CLASS_PARAMETERS),
  'EQ_eventID',
  'EQ_transformationID',
  'EQ_persistentDisposition_set',
  'EQ_persistentDisposition_unset',
  'perPage',
  'nextPageToken',
  'orderBy',
  'orderDirection',
  'eventCountLimit',
  'maxEventCount',
];

/**
 * Parameter families named by a type (the binding's EQ_bizTransaction_<type>, EQ_source_<type>,
 * EQ_destination_<type>): the type is a CBV word (`po`, `owning_party`), its CBV 1.x URN or GS1 Web URI, or a URI of
 * one's own; values are matched in every spelling (a location or party as Digital Link and URNs).
 */
const TYPED_FAMILIES = {
  EQ_bizTransaction: { list: 'bizTransactionList', key: 'bizTransaction', urn: 'btt', web: 'BTT', locations: false },
  EQ_source: { list: 'sourceList', key: 'source', urn: 'sdt', web: 'SDT', locations: true },
  EQ_destination: { list: 'destinationList', key: 'destination', urn: 'sdt', web: 'SDT', locations: true },
} as const;
const TYPED_PARAMETER = /^(EQ_bizTransaction|EQ_source|EQ_destination)_(.+)$/;

/** Parameters whose values may also be joined by commas; identifiers may contain commas, so they must be repeated instead. */
const COMMA_LISTS = new Set(['eventType', 'EQ_action', 'EQ_bizStep', 'EQ_disposition']);
/** Parameters the REST binding declares `style: pipeDelimited`: `EQ_bizStep=shipping|receiving` is two values. */
const SINGLE_VALUED = new Set([
  'GE_eventTime',
  'LT_eventTime',
  'GE_recordTime',
  'LT_recordTime',
  'perPage',
  'nextPageToken',
  'orderBy',
  'orderDirection',
  'eventCountLimit',
  'maxEventCount',
]);

function parseIdentifier(name: string, value: string): Epc {
  try {
    return parseEpc(value);
  } catch (e) {
    if (e instanceof Gs1Error) throw invalid(name, 'epc', `"${value}" is not an EPC URN or GS1 Digital Link: ${e.message}`);
    throw e;
  }
}

/** Every URN spelling of an identifier: a URN splits its key at the company prefix, whose length the query cannot know. */
function urnSpellings(epc: Epc): string[] {
  const out: string[] = [];
  for (const length of COMPANY_PREFIX_LENGTHS) {
    try {
      out.push(epcToUrn(epc, length));
    } catch (e) {
      if (!(e instanceof Gs1Error)) throw e;
    }
  }
  return out;
}

/** A location as it may have been written: the value itself, its Digital Link and its URNs. Non-GS1 URIs match as given. */
export function locationSpellings(value: string): string[] {
  let epc: Epc;
  try {
    epc = parseEpc(value);
  } catch (e) {
    if (e instanceof Gs1Error) return [value];
    throw e;
  }
  return [...new Set([value, epcToDigitalLink(epc), ...urnSpellings(epc)])];
}

/** Instances are stored as canonical Digital Links; a GTIN pattern matches every serial of that GTIN. */
function epcMatch(name: string, values: string[]): StringMatch {
  const match: StringMatch = { exact: [], prefixes: [] };
  for (const value of values) {
    const epc = parseIdentifier(name, value);
    if (epc.kind === 'gtin') match.prefixes.push(`${DIGITAL_LINK}/01/${toGtin14(epc.gtin)}/21/`);
    else match.exact.push(epcToDigitalLink(epc));
  }
  return match;
}

/** Quantity lists keep classes as written, so a class is matched in every spelling; a GTIN matches all its lots. */
function epcClassMatch(name: string, values: string[]): StringMatch {
  const match: StringMatch = { exact: [], prefixes: [] };
  for (const value of values) {
    const epc = parseIdentifier(name, value);
    if (epc.kind === 'lgtin') {
      match.exact.push(epcToDigitalLink(epc), ...urnSpellings(epc));
    } else if (epc.kind === 'gtin') {
      const anyLot: Epc = { kind: 'lgtin', gtin: epc.gtin, lot: 'L' };
      match.exact.push(epcToDigitalLink(epc), ...urnSpellings(epc));
      match.prefixes.push(`${DIGITAL_LINK}/01/${toGtin14(epc.gtin)}/10/`, ...urnSpellings(anyLot).map((urn) => urn.slice(0, -1)));
    } else {
      throw invalid(name, 'epc-class', `"${value}" is a ${epc.kind}, not a product class (LGTIN, GTIN pattern or /01/<gtin>)`);
    }
  }
  return match;
}

function eventIds(values: string[]): { hashes: Buffer[]; declared: string[] } {
  const hashes: Buffer[] = [];
  for (const value of values) {
    if (/^ni:\/\/\/sha-256;/i.test(value)) {
      try {
        hashes.push(hashDigest(value));
      } catch {
        throw invalid('EQ_eventID', 'event-hash', `"${value}" is not a ni:///sha-256;<64 hex>?ver=CBV2.0 hash`);
      }
    }
  }
  return { hashes, declared: values };
}

/** The one reading of event-query parameters, shared by the REST binding and GraphQL. */
export function parseEventQuery(raw: QueryParams): ParsedEventQuery {
  const params: QueryParams = {};
  const families = new Map<QueryFamily, QueryParams>();
  for (const [name, values] of Object.entries(raw)) {
    const fixed = QUERY_PARAMETERS.includes(name) || TYPED_PARAMETER.test(name) || isMasterDataParameter(name);
    const family = fixed ? undefined : familyOf(name);
    if (!fixed && !family) {
      const supported = [
        ...QUERY_PARAMETERS,
        ...Object.keys(TYPED_FAMILIES).map((f) => `${f}_<type>`),
        ...FAMILIES.flatMap((f) => f.described),
        'EQ_ATTR_<field>_<attribute>',
        'HASATTR_<field>',
        'WD_readPoint',
        'WD_bizLocation',
      ];
      throw invalid(name, 'supported-parameter', `is not a supported query parameter (${supported.join(', ')})`);
    }
    // `|` is in no URI, EPC, event type or CBV word unescaped, so splitting on it never cuts a value in two.
    const piped = SINGLE_VALUED.has(name) || family?.singleValued(name) ? values : values.flatMap((v) => v.split('|'));
    const list = COMMA_LISTS.has(name) ? piped.flatMap((v) => v.split(',')) : piped;
    if (!family?.mayBeEmpty(name) && list.some((v) => v.trim() === '')) throw invalid(name, 'non-empty', 'values must not be empty');
    params[name] = list.map((v) => v.trim());
    if (family) families.set(family, { ...families.get(family), [name]: params[name] });
  }
  const criteria: EventCriteria = {};
  const list = (name: string) => (params[name]?.length ? params[name] : undefined);

  const types = list('eventType');
  const badType = types?.find((t) => !EVENT_TYPES.includes(t));
  if (badType) throw invalid('eventType', 'enum', `"${badType}" is not one of ${EVENT_TYPES.join(', ')}`);
  criteria.eventTypes = types;
  const actions = list('EQ_action');
  const badAction = actions?.find((a) => !ACTIONS.includes(a));
  if (badAction) throw invalid('EQ_action', 'enum', `"${badAction}" is not one of ${ACTIONS.join(', ')}`);
  criteria.actions = actions;

  criteria.eventTimeFrom = dateTime(params, 'GE_eventTime');
  criteria.eventTimeBefore = dateTime(params, 'LT_eventTime');
  criteria.recordTimeFrom = dateTime(params, 'GE_recordTime');
  criteria.recordTimeBefore = dateTime(params, 'LT_recordTime');
  criteria.bizSteps = list('EQ_bizStep')?.flatMap((v) => vocabularySpellings(v, 'bizstep', 'BizStep'));
  criteria.dispositions = list('EQ_disposition')?.flatMap((v) => vocabularySpellings(v, 'disp', 'Disp'));
  criteria.readPoints = list('EQ_readPoint')?.flatMap(locationSpellings);
  criteria.bizLocations = list('EQ_bizLocation')?.flatMap(locationSpellings);

  const epcs: EpcCriterion[] = [];
  for (const [name, roles] of Object.entries(EPC_PARAMETERS)) {
    const values = list(name);
    if (values) epcs.push({ ...epcMatch(name, values), roles });
  }
  if (epcs.length) criteria.epcs = epcs;
  const classes = Object.entries(EPC_CLASS_PARAMETERS).flatMap(([name, lists]) => {
    const values = list(name);
    return values ? [{ ...epcClassMatch(name, values), lists }] : [];
  });
  if (classes.length) criteria.epcClasses = classes;
  const ids = list('EQ_eventID');
  if (ids) criteria.eventIds = eventIds(ids);
  criteria.transformationIds = list('EQ_transformationID');
  const persistent = (['set', 'unset'] as const).flatMap((which) => {
    const values = list(`EQ_persistentDisposition_${which}`);
    return values ? [{ which, values: values.flatMap((v) => vocabularySpellings(v, 'disp', 'Disp')) }] : [];
  });
  if (persistent.length) criteria.persistentDispositions = persistent;
  const typed: NonNullable<EventCriteria['typedEntries']> = [];
  for (const [name, values] of Object.entries(params)) {
    const match = TYPED_PARAMETER.exec(name);
    if (!match) continue;
    const family = TYPED_FAMILIES[match[1] as keyof typeof TYPED_FAMILIES];
    typed.push({
      list: family.list,
      key: family.key,
      types: vocabularySpellings(match[2], family.urn, family.web),
      values: family.locations ? values.flatMap(locationSpellings) : values,
    });
  }
  if (typed.length) criteria.typedEntries = typed;
  for (const [family, given] of families) {
    for (const [key, value] of Object.entries(family.criteria(given)) as [keyof EventCriteria, unknown][]) {
      // Families may fill the same list (quantities and sensor measures): every criterion narrows the answer.
      const held = criteria[key];
      Object.assign(criteria, { [key]: Array.isArray(held) && Array.isArray(value) ? [...held, ...value] : value });
    }
  }
  criteria.masterData = masterDataCriteria(params, locationSpellings);

  const perPageText = single(params, 'perPage');
  const perPage = perPageText === undefined ? DEFAULT_PER_PAGE : Number(perPageText);
  if (!/^\d+$/.test(perPageText ?? '1') || perPage < 1 || perPage > MAX_PER_PAGE) {
    throw invalid('perPage', 'range', `must be an integer from 1 to ${MAX_PER_PAGE}`);
  }
  const token = single(params, 'nextPageToken');
  return {
    criteria,
    perPage,
    after: token === undefined ? undefined : decodePageToken(token, 'nextPageToken'),
    ...orderAndLimits(params),
  };
}

function positiveInteger(params: QueryParams, name: string): number | undefined {
  const text = single(params, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw invalid(name, 'range', `must be a whole number from 1, not "${text}"`);
  return Number(text);
}

/**
 * The binding's ordering and count parameters. Without orderBy the order is event time, ascending (the binding
 * leaves it to the implementation); with it, the direction defaults to DESC as the binding says.
 */
function orderAndLimits(params: QueryParams): Pick<ParsedEventQuery, 'order' | 'eventCountLimit' | 'maxEventCount'> {
  const orderBy = single(params, 'orderBy');
  if (orderBy !== undefined && orderBy !== 'eventTime' && orderBy !== 'recordTime') {
    throw invalid(
      'orderBy',
      'order-by',
      `"${orderBy}" cannot order events here: use eventTime or recordTime (extension fields are not supported)`,
    );
  }
  const direction = single(params, 'orderDirection');
  if (direction !== undefined && direction !== 'ASC' && direction !== 'DESC') {
    throw invalid('orderDirection', 'enum', `"${direction}" is not ASC or DESC`);
  }
  const eventCountLimit = positiveInteger(params, 'eventCountLimit');
  const maxEventCount = positiveInteger(params, 'maxEventCount');
  if (eventCountLimit !== undefined && maxEventCount !== undefined) {
    throw invalid('eventCountLimit', 'exclusive', 'eventCountLimit and maxEventCount may not be given together');
  }
  if (eventCountLimit !== undefined && orderBy === undefined) {
    throw invalid('eventCountLimit', 'needs-order-by', 'eventCountLimit needs orderBy: it keeps the first events in that order');
  }
  return {
    order: { key: orderBy ?? 'eventTime', direction: direction ?? (orderBy === undefined ? 'ASC' : 'DESC') },
    eventCountLimit,
    maxEventCount,
  };
}

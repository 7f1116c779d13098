/** Small, pure accessors over EPCIS 2.0 JSON-LD documents and events. */
import { EpcisErrorCode, EpcisValidationError, singleIssueError } from './epcis.error';
import { parseOffset, parseTimestamp } from 'pharmatrace-verify/cbv';

/** An event as it appears in a document, not yet validated. */
export type RawEvent = Record<string, unknown>;

export type EpcRole = 'epc' | 'parent' | 'child' | 'input' | 'output';

export interface NamedEpc {
  epc: string;
  role: EpcRole;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function malformed(field: string, rule: string, message: string): EpcisValidationError {
  return singleIssueError(EpcisErrorCode.MALFORMED_DOCUMENT, { eventIndex: null, field, rule, message });
}

/**
 * The events of a capture document (`epcisBody.eventList`) or of a query document
 * (`epcisBody.queryResults.resultsBody.eventList`), in document order.
 */
export function eventsOf(document: unknown): RawEvent[] {
  if (!isRecord(document)) throw malformed('', 'type:object', 'EPCIS document must be a JSON object');
  const body = document.epcisBody;
  if (!isRecord(body)) throw malformed('/epcisBody', 'required:epcisBody', 'EPCIS document has no epcisBody object');
  let list: unknown;
  let pointer: string;
  if ('eventList' in body) {
    list = body.eventList;
    pointer = '/epcisBody/eventList';
  } else {
    const results = isRecord(body.queryResults) && isRecord(body.queryResults.resultsBody) ? body.queryResults.resultsBody : undefined;
    list = results?.eventList;
    pointer = '/epcisBody/queryResults/resultsBody/eventList';
  }
  if (!Array.isArray(list)) throw malformed(pointer, 'type:array', `${pointer} must be an array of events`);
  list.forEach((event, index) => {
    if (!isRecord(event)) throw malformed(`${pointer}/${index}`, 'type:object', `event ${index} must be a JSON object`);
  });
  return list as RawEvent[];
}

function badTime(field: string, rule: string, message: string): EpcisValidationError {
  return singleIssueError(EpcisErrorCode.MALFORMED_TIME, { eventIndex: null, field, rule, message });
}

/**
 * When the event happened. eventTime's own offset wins; eventTimeZoneOffset (required, ±hh:mm) is used
 * only when eventTime carries none. Sub-millisecond digits are rounded half to even, as the event hash does.
 */
export function eventTimeOf(event: RawEvent): Date {
  const { eventTime, eventTimeZoneOffset } = event;
  if (typeof eventTime !== 'string') throw badTime('/eventTime', 'required:eventTime', 'event has no eventTime string');
  if (typeof eventTimeZoneOffset !== 'string' || !/^[+-]\d{2}:\d{2}$/.test(eventTimeZoneOffset)) {
    throw badTime('/eventTimeZoneOffset', 'pattern', 'eventTimeZoneOffset must be ±hh:mm');
  }
  const zoneMinutes = parseOffset(eventTimeZoneOffset);
  if (zoneMinutes === null) throw badTime('/eventTimeZoneOffset', 'range', 'eventTimeZoneOffset is out of range');
  const parsed = parseTimestamp(eventTime);
  if (!parsed) throw badTime('/eventTime', 'format:date-time', `eventTime "${eventTime}" is not an ISO 8601 date-time`);
  const epochMs = parsed.offsetMinutes === null ? parsed.epochMs - zoneMinutes * 60_000 : parsed.epochMs;
  return new Date(epochMs);
}

const EPC_FIELDS: ReadonlyArray<[string, EpcRole]> = [
  ['epcList', 'epc'],
  ['childEPCs', 'child'],
  ['inputEPCList', 'input'],
  ['outputEPCList', 'output'],
];

/** Every instance-level identifier the event names, as written, in field order. */
export function extractEpcs(event: RawEvent): NamedEpc[] {
  const result: NamedEpc[] = [];
  if (typeof event.parentID === 'string') result.push({ epc: event.parentID, role: 'parent' });
  for (const [field, role] of EPC_FIELDS) {
    const list = event[field];
    if (!Array.isArray(list)) continue;
    for (const epc of list) if (typeof epc === 'string') result.push({ epc, role });
  }
  return result;
}

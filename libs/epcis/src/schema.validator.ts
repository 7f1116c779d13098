/**
 * Validates EPCIS 2.0 JSON-LD documents against the official GS1 JSON Schemas (draft-07), loaded at run
 * time from a directory, and reports each violation against the event it concerns.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { STANDARDS_FIX, standardsDir } from '@pharmatrace/gs1';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EpcisErrorCode, type EpcisIssue, EpcisValidationError, MAX_REPORTED_ISSUES } from './epcis.error';
import { Resumable, runSliced, runToEnd } from './time-slice';
import { schemaView } from './xsd.rules';

const ROOT_SCHEMA_FILE = 'EPCIS-JSON-Schema-root.json';
const SCHEMA_SUBDIR = path.join('epcis-2.0', 'json-schema');

export interface EpcisValidatorOptions {
  /** Folder holding EPCIS-JSON-Schema-root.json and schemas/; see defaultSchemaDir for the fallback. */
  schemaDir?: string;
}

export interface EpcisValidator {
  /** Every problem found; an empty array means the document is valid. */
  validateDocument(document: unknown): EpcisIssue[];
  /** validateDocument in slices that leave the event loop free between them (time-slice.ts): for whole captures. */
  validateDocumentSliced(document: unknown): Promise<EpcisIssue[]>;
  /** Throws EpcisValidationError (SCHEMA_VIOLATION) carrying every issue when the document is invalid. */
  assertValidDocument(document: unknown): void;
}

/** PHARMATRACE_STANDARDS_DIR (the `standards` folder) if set, else the repository's own `standards/`. */
export function defaultSchemaDir(): string {
  return path.join(standardsDir(), SCHEMA_SUBDIR);
}

function readSchemas(schemaDir: string): { rootId: string; schemas: object[] } {
  const rootFile = path.join(schemaDir, ROOT_SCHEMA_FILE);
  if (!existsSync(rootFile)) {
    throw new EpcisValidationError(EpcisErrorCode.SCHEMA_UNAVAILABLE, `no ${ROOT_SCHEMA_FILE} in ${schemaDir}: ${STANDARDS_FIX}`);
  }
  const files = [
    ...readdirSync(schemaDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => path.join(schemaDir, f)),
    ...readdirSync(path.join(schemaDir, 'schemas'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => path.join(schemaDir, 'schemas', f)),
  ];
  const schemas = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as { $id?: string });
  const rootId = (JSON.parse(readFileSync(rootFile, 'utf8')) as { $id: string }).$id;
  return { rootId, schemas };
}

/**
 * A document's two validators: one stopping at the first error (is it valid?), one reporting every error (why not?);
 * and the schema of one event of a document's list, stopping at its first error.
 */
interface CompiledValidators {
  firstError: ValidateFunction;
  allErrors: ValidateFunction;
  event: ValidateFunction;
}

/** What the document schema checks each item of an `eventList` against, in a capture and in a query document. */
const DOCUMENT_EVENT_REF = 'EPCIS-Event-JSON-Schema.json#/definitions/EPCIS-Document-Event';

const validatorCache = new Map<string, CompiledValidators>();

/** JSON with sorted keys: equal for values Ajv's deep equality calls equal. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const object = value as Record<string, unknown>;
  return `{${Object.keys(object)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`)
    .join(',')}}`;
}

/**
 * `uniqueItems` in one pass over a hash set. Ajv hashes only when the items' type is declared beside the keyword;
 * the EPCIS schemas declare it through a $ref (epcList → uri), so Ajv compared every pair: a *valid* epcList of
 * 16,000 EPCs took 1.1 s on the event loop, and 64,000 took 23 s (issue 13).
 */
function uniqueItemsInLinearTime(ajv: Ajv): void {
  const validate = Object.assign(
    (unique: boolean, items: unknown[]): boolean => {
      validate.errors = undefined;
      if (!unique) return true;
      const seen = new Map<string, number>();
      for (let j = 0; j < items.length; j++) {
        const key = canonicalJson(items[j]);
        const i = seen.get(key);
        if (i !== undefined) {
          validate.errors = [
            { keyword: 'uniqueItems', message: `must NOT have duplicate items (items ## ${i} and ${j} are identical)`, params: { i, j } },
          ];
          return false;
        }
        seen.set(key, j);
      }
      return true;
    },
    { errors: undefined as Partial<ErrorObject>[] | undefined },
  );
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', errors: true, validate });
}

function compiledValidators(schemaDir: string): CompiledValidators {
  const cached = validatorCache.get(schemaDir);
  if (cached) return cached;
  const { rootId, schemas } = readSchemas(schemaDir);
  const compile = (allErrors: boolean): Ajv => {
    // Formats must be registered before the schemas compile, so the schemas are added afterwards.
    const ajv = new Ajv({ allErrors });
    addFormats(ajv);
    uniqueItemsInLinearTime(ajv);
    ajv.addSchema(schemas);
    return ajv;
  };
  const schema = (ajv: Ajv, id: string): ValidateFunction => {
    const validate = ajv.getSchema(id);
    if (!validate) throw new EpcisValidationError(EpcisErrorCode.SCHEMA_UNAVAILABLE, `schema ${id} did not compile`);
    return validate;
  };
  const first = compile(false);
  const compiled = {
    firstError: schema(first, rootId),
    allErrors: schema(compile(true), rootId),
    event: schema(first, new URL(DOCUMENT_EVENT_REF, rootId).href),
  };
  validatorCache.set(schemaDir, compiled);
  return compiled;
}

const EVENT_POINTER = /^(\/epcisBody\/(?:queryResults\/resultsBody\/)?eventList)\/(\d+)(\/.*)?$/;
/** Keywords that only say "one of the alternatives failed"; the alternatives' own errors say why. */
const COMBINATOR_KEYWORDS = new Set(['anyOf', 'oneOf', 'allOf', 'if', 'then', 'else', 'not']);

function ruleOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `required:${String(params.missingProperty)}`;
    case 'format':
      return `format:${String(params.format)}`;
    case 'type':
      return `type:${String(params.type)}`;
    case 'additionalProperties':
      return `additionalProperties:${String(params.additionalProperty)}`;
    case 'propertyNames':
      return `propertyNames:${String(params.propertyName)}`;
    default:
      return error.keyword;
  }
}

function fieldOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${error.instancePath}/${String(params.missingProperty)}`;
  if (error.keyword === 'additionalProperties') return `${error.instancePath}/${String(params.additionalProperty)}`;
  if (error.keyword === 'propertyNames') return `${error.instancePath}/${String(params.propertyName)}`;
  return error.instancePath;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    const allowed = params.allowedValues as unknown[];
    const shown = allowed
      .slice(0, 6)
      .map((v) => JSON.stringify(v))
      .join(', ');
    return `must be one of ${shown}${allowed.length > 6 ? `, … (${allowed.length} values)` : ''}`;
  }
  if (error.keyword === 'propertyNames') {
    return `property name "${String(params.propertyName)}" is neither a field of this event type nor a namespaced extension`;
  }
  return error.message ?? 'is invalid';
}

function toIssue(error: ErrorObject, alternatives: ErrorObject[]): EpcisIssue {
  const pointer = fieldOf(error);
  const match = EVENT_POINTER.exec(pointer);
  const others = alternatives.filter((a) => a !== error).map(ruleOf);
  const orElse = others.length ? ` (other accepted form failed too: ${others.join(', ')})` : '';
  return {
    eventIndex: match ? Number(match[2]) : null,
    field: match ? (match[3] ?? '') : pointer,
    rule: ruleOf(error),
    message: `${error.instancePath || '/'} ${describe(error)}${orElse}`,
  };
}

/** When alternatives of one anyOf/oneOf fail at the same value, the first of these speaks for them all. */
const KEYWORD_RANK = ['required', 'enum', 'const', 'format', 'pattern', 'type'];
const rank = (e: ErrorObject): number => {
  const i = KEYWORD_RANK.indexOf(e.keyword);
  return i < 0 ? KEYWORD_RANK.length : i;
};

/** Every proper ancestor pointer of a field ('' for the root included): `/a/b` has '' and `/a`. */
function ancestorsOf(field: string, into: Set<string>): void {
  for (let i = field.indexOf('/'); i >= 0; i = field.indexOf('/', i + 1)) into.add(field.slice(0, i));
}

/**
 * Ajv reports every failed branch of an anyOf/oneOf. This keeps one issue per offending value:
 * combinator errors go, errors raised while checking a property *name* are folded into their
 * propertyNames error, a `type` mismatch is dropped when a deeper error shows which branch was meant,
 * and of several branch errors on the same value the most telling one is kept.
 * Linear in the number of errors (sets and maps, no pairwise comparison): a document of 16,000 bad values
 * took 52 s on the event loop when this compared every error with every other (issue 13).
 */
export function collapse(errors: ErrorObject[]): EpcisIssue[] {
  const concrete = errors.filter((e) => !COMBINATOR_KEYWORDS.has(e.keyword) && !/\/propertyNames\/./.test(e.schemaPath));
  const fields = concrete.map(fieldOf);
  const hasDeeperError = new Set<string>();
  for (const field of fields) ancestorsOf(field, hasDeeperError);
  const byField = new Map<string, { rules: Set<string>; distinct: ErrorObject[] }>();
  concrete.forEach((error, i) => {
    if (error.keyword === 'type' && hasDeeperError.has(fields[i])) return;
    let group = byField.get(fields[i]);
    if (!group) byField.set(fields[i], (group = { rules: new Set(), distinct: [] }));
    const rule = ruleOf(error);
    if (group.rules.has(rule)) return;
    group.rules.add(rule);
    group.distinct.push(error);
  });
  const issues: EpcisIssue[] = [];
  for (const { distinct } of byField.values()) {
    // The first of the best rank, as a stable sort would pick.
    const best = distinct.reduce((kept, e) => (rank(e) < rank(kept) ? e : kept));
    issues.push(toIssue(best, distinct));
  }
  return issues;
}

/** Array items an event keeps, in all, when it is copied to be described: enough for MAX_REPORTED_ISSUES issues. */
const SAMPLED_ITEMS = 2 * MAX_REPORTED_ISSUES;

/** A copy of `value` holding at most SAMPLED_ITEMS array items in all, the first ones, breadth first. Iterative. */
function sampled(value: unknown): unknown {
  let budget = SAMPLED_ITEMS;
  const root: { value: unknown } = { value };
  const queue: { from: unknown; into: Record<string, unknown> | unknown[]; key: string | number }[] = [
    { from: value, into: root as unknown as Record<string, unknown>, key: 'value' },
  ];
  for (let head = 0; head < queue.length; head++) {
    const { from, into, key } = queue[head];
    let copy: unknown = from;
    if (Array.isArray(from)) {
      const kept = Math.max(0, Math.min(from.length, budget));
      budget -= kept;
      copy = new Array(kept);
      for (let i = 0; i < kept; i++) queue.push({ from: from[i], into: copy as unknown[], key: i });
    } else if (from !== null && typeof from === 'object') {
      copy = {};
      for (const k of Object.keys(from))
        queue.push({ from: (from as Record<string, unknown>)[k], into: copy as Record<string, unknown>, key: k });
    }
    (into as Record<string | number, unknown>)[key] = copy;
  }
  return root.value;
}

/** The event list of a capture or query document, and the document with another list in its place. */
function eventListOf(document: unknown): { events: unknown[]; withEvents(events: unknown[]): unknown } | null {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return null;
  const doc = document as { epcisBody?: { eventList?: unknown; queryResults?: { resultsBody?: { eventList?: unknown } } } };
  const body = doc.epcisBody;
  if (Array.isArray(body?.eventList)) {
    return { events: body.eventList, withEvents: (eventList) => ({ ...doc, epcisBody: { ...body, eventList } }) };
  }
  const results = body?.queryResults;
  if (Array.isArray(results?.resultsBody?.eventList)) {
    return {
      events: results.resultsBody.eventList,
      withEvents: (eventList) => ({
        ...doc,
        epcisBody: { ...body, queryResults: { ...results, resultsBody: { ...results.resultsBody, eventList } } },
      }),
    };
  }
  return null;
}

const BROKEN: EpcisIssue = { eventIndex: null, field: '', rule: 'schema', message: 'the document breaks the EPCIS 2.0 JSON Schema' };

/**
 * Validation with bounded work (issue 13). No rule of the schema spans events (`eventList` is `items` alone), so a
 * document is valid exactly when its own fields are (checked with an empty event list) and each event is (checked
 * alone in the document's place): the work pauses after each event (time-slice.ts). Reporting every error costs
 * Ajv about 4 µs per error, and 8 MiB of bad values hold millions, so an invalid part is described from a copy
 * holding its first SAMPLED_ITEMS array items, else by its first error; this stops once more than
 * MAX_REPORTED_ISSUES issues are known, so issues beyond those returned may exist.
 */
function* validation(document: unknown, { firstError, allErrors, event }: CompiledValidators): Resumable<EpcisIssue[]> {
  const describe = (value: unknown): EpcisIssue[] => (allErrors(value) ? [] : collapse(allErrors.errors ?? []));
  /** Issues of an invalid `value` (firstError has just refused it): from the sampled copy, else the first error. */
  const why = (value: unknown): EpcisIssue[] => {
    const first = collapse(firstError.errors ?? []);
    const described = describe(sampled(value));
    return described.length ? described : first;
  };
  const list = eventListOf(document);
  if (!list) return firstError(document) ? [] : orBroken(why(document));
  const envelope = list.withEvents([]);
  const envelopeValid = firstError(envelope);
  const issues = envelopeValid ? [] : orBroken(why(envelope));
  for (let index = 0; index < list.events.length && issues.length <= MAX_REPORTED_ISSUES; index++) {
    yield;
    // An event the item schema accepts leaves the document as valid as its envelope: nothing else applies to it. The
    // document with the event alone in it is built, and checked by the root schema, only to say why one is refused
    // (a valid 1,000-event document: 3.2-3.4 ms of CPU, against 4.7-5.1 with the envelope checked for every event).
    if (event(list.events[index])) continue;
    const alone = list.withEvents([list.events[index]]);
    if (firstError(alone)) continue;
    // The document's own issues were reported once, from the envelope; with those, `alone` fails for them too.
    const own = why(alone).filter((issue) => issue.eventIndex !== null);
    if (!own.length && envelopeValid) own.push(BROKEN);
    for (const issue of own) issues.push({ ...issue, eventIndex: index });
  }
  return issues;
}

const orBroken = (issues: EpcisIssue[]): EpcisIssue[] => (issues.length ? issues : [BROKEN]);

/**
 * A document that sends validation down its valid and its invalid paths. V8 compiles Ajv's generated validators (a
 * large function per schema) on their first call: run at creation, that happens at boot instead of holding the
 * first capture a process serves (issue 13).
 */
const WARM_UP = {
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-01-01T00:00:00Z',
  epcisBody: {
    eventList: [
      {
        type: 'ObjectEvent',
        action: 'ADD',
        eventTime: '2026-01-01T00:00:00Z',
        eventTimeZoneOffset: '+00:00',
        epcList: ['urn:epc:id:sgtin:0614141.107346.1'],
        bizStep: 'commissioning',
      },
      { type: 'ObjectEvent', action: 'MOVE', eventTime: 'yesterday', eventTimeZoneOffset: '+00:00', epcList: [5] },
    ],
  },
};

export function createEpcisValidator(options: EpcisValidatorOptions = {}): EpcisValidator {
  const schemaDir = path.resolve(options.schemaDir ?? defaultSchemaDir());
  const validators = compiledValidators(schemaDir);
  const validateDocument = (document: unknown): EpcisIssue[] => runToEnd(validation(schemaView(document), validators));
  validateDocument(WARM_UP);
  return {
    validateDocument,
    validateDocumentSliced: (document) => runSliced(validation(schemaView(document), validators)),
    assertValidDocument(document: unknown): void {
      const issues = validateDocument(document);
      if (issues.length > 0) {
        throw new EpcisValidationError(EpcisErrorCode.SCHEMA_VIOLATION, `EPCIS document violates the schema: ${issues[0].message}`, issues);
      }
    },
  };
}

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { standardsDir } from '@pharmatrace/gs1';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { EpcisErrorCode, type EpcisIssue, EpcisValidationError, MAX_REPORTED_ISSUES } from './epcis.error';
import { collapse, createEpcisValidator, defaultSchemaDir } from './schema.validator';

const STANDARDS = standardsDir();
const EXAMPLES = path.join(STANDARDS, 'epcis-2.0', 'examples');
const INVALID = path.join(STANDARDS, 'epcis-2.0', 'invalid');
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
const brief = (issues: EpcisIssue[]): [number | null, string, string][] => issues.map((i) => [i.eventIndex, i.field, i.rule]);
/** A capture document holding `eventList`, its own fields valid. */
const document = (eventList: unknown[]) => ({
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-01-01T00:00:00Z',
  epcisBody: { eventList },
});

describe('createEpcisValidator', () => {
  const validator = createEpcisValidator();

  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith('.jsonld')))('accepts the official example %s', (file) => {
    expect(validator.validateDocument(readJson(path.join(EXAMPLES, file)))).toEqual([]);
  });

  const expectedIssues: Record<string, [number | null, string, string][]> = {
    'Combination_of_events_with_missing_mandatory_fields.json': [
      [0, '/action', 'required:action'],
      [1, '/eventTimeZoneOffset', 'required:eventTimeZoneOffset'],
      [1, '/action', 'required:action'],
    ],
    'Combination_of_multiple_invalid_fields.json': [
      [0, '/bizStep', 'enum'],
      [1, '/disposition', 'enum'],
      [2, '/sourceList/0/type', 'enum'],
      [3, '/ilmd/materialType', 'propertyNames:materialType'],
      [4, '/eventTime', 'format:date-time'],
      [4, '/action', 'enum'],
    ],
    'Combination_of_non_standard_bizStep_and_disposition.json': [
      [0, '/bizStep', 'enum'],
      [1, '/disposition', 'enum'],
    ],
    'EPCISDocument_without_context.json': [[null, '/@context', 'required:@context']],
    'ObjectEvent_with_ilmd_field_without_namespace.json': [[0, '/ilmd/materialType', 'propertyNames:materialType']],
    'ObjectEvent_with_invalid_action.json': [[0, '/action', 'enum']],
    'ObjectEvent_with_invalid_certificationInfo.json': [
      [0, '/certificationInfo/0', 'type:string'],
      [0, '/certificationInfo/1', 'type:string'],
    ],
    'ObjectEvent_with_invalid_eventTime_format.json': [[0, '/eventTime', 'format:date-time']],
  };

  it('has an expectation for every invalid document in the folder', () => {
    expect(
      readdirSync(INVALID)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(Object.keys(expectedIssues).sort());
  });

  it.each(Object.entries(expectedIssues))('rejects %s with exactly the expected issues', (file, expected) => {
    const issues = validator.validateDocument(readJson(path.join(INVALID, file)));
    expect(brief(issues)).toEqual(expected);
    for (const issue of issues) expect(issue.message.length).toBeGreaterThan(10);
  });

  it('names the allowed values when a vocabulary value is wrong', () => {
    const [issue] = validator.validateDocument(readJson(path.join(INVALID, 'ObjectEvent_with_invalid_action.json')));
    expect(issue.message).toContain('"OBSERVE", "ADD", "DELETE"');
  });

  it('throws a SCHEMA_VIOLATION carrying the issues from assertValidDocument', () => {
    const doc = readJson(path.join(INVALID, 'ObjectEvent_with_invalid_action.json'));
    expect(() => validator.assertValidDocument(doc)).toThrow(EpcisValidationError);
    expect(() => validator.assertValidDocument(doc)).toThrow(
      expect.objectContaining({
        code: EpcisErrorCode.SCHEMA_VIOLATION,
        issues: [expect.objectContaining({ eventIndex: 0, field: '/action' })],
      }),
    );
    expect(() => validator.assertValidDocument(readJson(path.join(EXAMPLES, 'Example_9.6.1-ObjectEvent.jsonld')))).not.toThrow();
  });

  it('rejects something that is not a document at all', () => {
    expect(validator.validateDocument('nope')).toEqual([expect.objectContaining({ eventIndex: null, rule: 'type:object' })]);
  });
});

describe('schema location', () => {
  const saved = process.env.PHARMATRACE_STANDARDS_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.PHARMATRACE_STANDARDS_DIR;
    else process.env.PHARMATRACE_STANDARDS_DIR = saved;
  });

  it('follows PHARMATRACE_STANDARDS_DIR', () => {
    process.env.PHARMATRACE_STANDARDS_DIR = '/somewhere/standards';
    expect(defaultSchemaDir()).toBe(path.join('/somewhere/standards', 'epcis-2.0', 'json-schema'));
  });

  it("defaults to the repository's own standards folder", () => {
    delete process.env.PHARMATRACE_STANDARDS_DIR;
    expect(defaultSchemaDir()).toBe(path.resolve(__dirname, '../../../standards/epcis-2.0/json-schema'));
  });

  it('accepts an explicit schemaDir and fails clearly when it holds no schemas', () => {
    expect(createEpcisValidator({ schemaDir: path.join(STANDARDS, 'epcis-2.0', 'json-schema') }).validateDocument({})).not.toEqual([]);
    expect(() => createEpcisValidator({ schemaDir: __dirname })).toThrow(
      expect.objectContaining({ code: EpcisErrorCode.SCHEMA_UNAVAILABLE }),
    );
    expect(() => createEpcisValidator({ schemaDir: __dirname })).toThrow(
      `no EPCIS-JSON-Schema-root.json in ${__dirname}: the repository's standards/ folder is incomplete`,
    );
  });
});

describe('uniqueItems in linear time', () => {
  const validator = createEpcisValidator();
  const SITE = 'urn:epc:id:sgln:0614141.00777.0';
  const document = (epcList: unknown[]) => ({
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-01-01T00:00:00Z',
    epcisBody: {
      eventList: [
        {
          type: 'ObjectEvent',
          eventTime: '2026-01-01T00:00:00Z',
          eventTimeZoneOffset: '+00:00',
          epcList,
          action: 'OBSERVE',
          readPoint: { id: SITE },
        },
      ],
    },
  });
  const epc = (i: number) => `urn:epc:id:sgtin:0614141.107346.${i}`;

  it('still refuses a repeated EPC, naming both positions', () => {
    expect(brief(validator.validateDocument(document([epc(1), epc(2), epc(1)])))).toEqual([[0, '/epcList', 'uniqueItems']]);
    expect(validator.validateDocument(document([epc(1), epc(2), epc(1)]))[0].message).toContain('items ## 0 and 2 are identical');
  });

  it('compares structured items by value, whatever their key order', () => {
    const issues = validator.validateDocument(
      document([
        { a: 1, b: [1, 2] },
        { b: [1, 2], a: 1 },
      ]),
    );
    expect(issues.map((i) => i.rule)).toContain('uniqueItems');
  });

  it('accepts 64,000 distinct EPCs in one pass (pairwise comparison took 23 s)', () => {
    const started = performance.now();
    expect(validator.validateDocument(document(Array.from({ length: 64_000 }, (_, i) => epc(i))))).toEqual([]);
    // A generous bound: linear takes well under a second even on a loaded CI machine.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

const error = (instancePath: string, keyword: string, params: Record<string, unknown> = {}, schemaPath = `#/${keyword}`): ErrorObject =>
  ({ instancePath, keyword, params, schemaPath, message: `fails ${keyword}` }) as ErrorObject;
const EVENT = '/epcisBody/eventList/0';

describe('collapse (grouping Ajv errors into one issue per offending value)', () => {
  it('keeps one issue per value, the most telling rule first, naming the others', () => {
    const issues = collapse([
      error(`${EVENT}/action`, 'type', { type: 'string' }),
      error(`${EVENT}/action`, 'enum', { allowedValues: ['ADD', 'OBSERVE', 'DELETE'] }),
      error(`${EVENT}/action`, 'enum', { allowedValues: ['ADD', 'OBSERVE', 'DELETE'] }),
      error(`${EVENT}/action`, 'anyOf'),
    ]);
    expect(issues).toEqual([
      expect.objectContaining({
        eventIndex: 0,
        field: '/action',
        rule: 'enum',
        message: expect.stringContaining('(other accepted form failed too: type:string)'),
      }),
    ]);
  });

  it('drops a type mismatch when a deeper error shows which branch was meant, and folds property-name errors', () => {
    const issues = collapse([
      error(`${EVENT}/readPoint`, 'type', { type: 'string' }),
      error(`${EVENT}/readPoint`, 'required', { missingProperty: 'id' }),
      error(`${EVENT}/ilmd`, 'pattern', {}, '#/properties/ilmd/propertyNames/pattern'),
      error(`${EVENT}/ilmd`, 'propertyNames', { propertyName: 'x' }),
    ]);
    expect(issues.map((i) => [i.field, i.rule])).toEqual([
      ['/readPoint/id', 'required:id'],
      ['/ilmd/x', 'propertyNames:x'],
    ]);
    expect(collapse([error('', 'type', { type: 'object' }), error('/x', 'type', { type: 'string' })]).map((i) => i.rule)).toEqual([
      'type:string',
    ]);
  });

  it('is linear: 200,000 errors (16,000 took 52 s when errors were compared pairwise) group in well under the time a quadratic pass needs', () => {
    const errors = Array.from({ length: 100_000 }, (_, i) => [
      error(`${EVENT}/epcList/${i}`, 'type', { type: 'string' }),
      error(`${EVENT}/epcList/${i}`, 'type', { type: 'string' }),
    ]).flat();
    const started = performance.now();
    const issues = collapse(errors);
    const elapsed = performance.now() - started;
    expect(issues).toHaveLength(100_000);
    expect(issues[99_999]).toMatchObject({ eventIndex: 0, field: '/epcList/99999', rule: 'type:string' });
    // Pairwise comparison would take about (200,000 / 16,000)² × 52 s ≈ 2 hours; linear takes a fraction of a second.
    expect(elapsed).toBeLessThan(10_000);
  });
});

describe('describing an invalid document (bounded work)', () => {
  const validator = createEpcisValidator();
  const SITE = 'urn:epc:id:sgln:0614141.00777.0';
  const event = (epcList: unknown[]) => ({
    type: 'ObjectEvent',
    eventTime: '2026-01-01T00:00:00Z',
    eventTimeZoneOffset: '+00:00',
    epcList,
    action: 'OBSERVE',
    readPoint: { id: SITE },
  });
  const epc = (i: number) => `urn:epc:id:sgtin:0614141.107346.${i}`;

  it('stops soon after MAX_REPORTED_ISSUES issues, however many bad values the document holds', () => {
    const issues = validator.validateDocument(document(Array.from({ length: 1_000 }, () => event(Array.from({ length: 1_000 }, () => 5)))));
    expect(issues.length).toBeGreaterThan(MAX_REPORTED_ISSUES);
    expect(issues.length).toBeLessThanOrEqual(3 * MAX_REPORTED_ISSUES);
    expect(issues[0]).toMatchObject({ eventIndex: 0, field: '/epcList/0', rule: 'type:string' });
  });

  it('still finds the one bad event among many, under its own index, and a duplicate past the sampled items', () => {
    const events = Array.from({ length: 500 }, (_, i) => event([epc(i)]));
    events[457] = event([epc(1), 7]);
    const issues = validator.validateDocument(document(events));
    expect(issues.map((i) => [i.eventIndex, i.field, i.rule])).toContainEqual([457, '/epcList/1', 'type:string']);
    expect(new Set(issues.map((i) => i.eventIndex))).toEqual(new Set([457]));
    const long = Array.from({ length: 1_000 }, (_, i) => epc(i));
    expect(validator.validateDocument(document([event([...long, epc(999)])])).map((i) => i.rule)).toEqual(['uniqueItems']);
  });
});

describe('each event checked by the item schema (model: Ajv over the whole document)', () => {
  const validator = createEpcisValidator();
  const schemaDir = defaultSchemaDir();
  const files = [
    ...readdirSync(schemaDir).map((f) => path.join(schemaDir, f)),
    ...readdirSync(path.join(schemaDir, 'schemas')).map((f) => path.join(schemaDir, 'schemas', f)),
  ].filter((f) => f.endsWith('.json'));
  // Independent of the validator under test: Ajv's own keywords, the root schema, the document as a whole.
  const ajv = new Ajv({ allErrors: false });
  addFormats(ajv);
  ajv.addSchema(files.map((f) => readJson(f) as object));
  const whole = ajv.getSchema((readJson(path.join(schemaDir, 'EPCIS-JSON-Schema-root.json')) as { $id: string }).$id)!;
  const maybe = <T>(...values: T[]) => fc.constantFrom<T | undefined>(...values, undefined);
  const anEvent = fc
    .record({
      type: maybe<unknown>('ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent', 'Nope', 5),
      action: maybe<unknown>('ADD', 'OBSERVE', 'DELETE', 'MOVE'),
      eventTime: maybe<unknown>('2026-01-01T00:00:00Z', 'yesterday'),
      eventTimeZoneOffset: maybe<unknown>('+00:00', '+25:00'),
      epcList: maybe<unknown>(['urn:epc:id:sgtin:0614141.107346.1'], [5], 'urn:epc:id:sgtin:0614141.107346.1', []),
      parentID: maybe<unknown>('urn:epc:id:sscc:0614141.1234567890', 7),
      childEPCs: maybe<unknown>(['urn:epc:id:sgtin:0614141.107346.2'], [{}]),
      bizStep: maybe<unknown>('commissioning', 'shipping', 'no-such-step', 'https://example.com/steps/own'),
      disposition: maybe<unknown>('active', 'in_transit', 'cbv:no-such'),
      readPoint: maybe<unknown>({ id: 'urn:epc:id:sgln:0614141.00777.0' }, { id: 5 }, 'urn:epc:id:sgln:0614141.00777.0'),
      'example:note': maybe<unknown>('x', { deep: [1] }),
      unknownField: maybe<unknown>(1),
    })
    .map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));

  it('refuses exactly the documents Ajv refuses whole, and names exactly the events it refuses alone', () => {
    fc.assert(
      fc.property(fc.array(anEvent, { minLength: 1, maxLength: 4 }), (events) => {
        const issues = validator.validateDocument(document(events));
        expect(issues.length === 0).toBe(whole(document(events)));
        const refused = events.flatMap((e, i) => (whole(document([e])) ? [] : [i]));
        expect([...new Set(issues.map((i) => i.eventIndex))].sort()).toEqual(refused);
      }),
      { numRuns: 400 },
    );
  });
});

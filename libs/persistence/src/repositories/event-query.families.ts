/**
 * The SQL of the EPCIS query parameters that read an event's body beyond its columns (issue 16): quantities, sensor
 * data, error declarations, ILMD and extension fields. Each is a condition on the event row `e` (and its latest
 * correction), so the database filters and pages; values are compared with epcis_number/epcis_instant (migration
 * 1765853000000), which read a value as a number or an instant, or as nothing, and never fail.
 */

/** Where a parameter builds its SQL: `param` binds a value and returns its placeholder. */
export interface SqlParams {
  param(value: unknown): string;
}

export type Comparison = 'EQ' | 'GT' | 'GE' | 'LT' | 'LE';
const OPERATOR: Record<Comparison, string> = { EQ: '=', GT: '>', GE: '>=', LT: '<', LE: '<=' };

/**
 * A namespaced field as a query names it. `keys` are keys an event may hold it under whatever its @context (the query's
 * own spelling, a standard prefix); `namespaces` and `local` find the others: a key `p:local` whose prefix p the
 * event's @context binds to one of `namespaces`.
 */
export interface FieldName {
  keys: string[];
  namespaces: string[];
  local: string;
}

/** Where a field is looked up: the event, its ILMD, its latest error declaration, its read point or location, its sensor data. */
export type FieldScope =
  'event' | 'ilmd' | 'errorDeclaration' | 'readPoint' | 'bizLocation' | 'sensorElement' | 'sensorMetadata' | 'sensorReport';

/**
 * A value an EQ_ compares with in every reading it allows (text as written; a number; an instant), or the one value a
 * GT_/GE_/LT_/LE_ compares with (a number, an instant, or a calendar date compared as YYYY-MM-DD text).
 */
export interface FieldValues {
  texts?: string[];
  numbers?: string[];
  instants?: string[];
  dates?: string[];
}

/** EQ_/EXISTS_/GT_… on a field, at the scope's top level or (`inner`) nested at any depth inside an extension field. */
export interface FieldCriterion {
  scope: FieldScope;
  inner: boolean;
  field: FieldName;
  op: Comparison | 'EXISTS';
  values: FieldValues;
}

/** A unit a measure may be written in, as a linear map to the base unit its dimension is compared in. */
export interface UnitScale {
  uom: string;
  factor: string;
  offset: string;
}

/**
 * A number of each quantity element (`quantity`) or sensor report (`value`, `minValue`…, `percRank`) compared with
 * `value`. With `unit`, only those written in a unit of its dimension (`units`), each converted to the base unit first;
 * without, whatever unit they are in.
 */
export interface MeasureCriterion {
  of: 'quantity' | 'sensorReport';
  field: string;
  op: Comparison;
  value: string;
  unit?: UnitScale;
  units?: UnitScale[];
}

/** A sensor attribute equal to one of `values` (as written), in the metadata, the reports, or either. */
export interface SensorAttributeCriterion {
  attribute: string;
  in: 'metadata' | 'report' | 'either';
  values: string[];
  /** hexBinaryValue: hex digits in either case. */
  caseInsensitive?: boolean;
}

/** A sensor time (`time`, `startTime`, `endTime`) at or after (GE) or before (LT) an instant. */
export interface SensorTimeCriterion {
  attribute: 'time' | 'startTime' | 'endTime';
  in: 'metadata' | 'either';
  op: 'GE' | 'LT';
  instant: string;
}

/** What the latest error declaration of an event must say; with none of them set, that there is one. */
export interface ErrorDeclarationCriterion {
  from?: string;
  before?: string;
  reasons?: string[];
  correctiveEventIds?: string[];
}

export const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'] as const;
export type QuantityList = (typeof QUANTITY_LISTS)[number];

/** Quantity elements of these lists, as rows `q`. */
export const quantityElements = (lists: readonly QuantityList[]) =>
  `jsonb_array_elements(${lists.map((l) => `CASE WHEN jsonb_typeof(e.body->'${l}') = 'array' THEN e.body->'${l}' ELSE '[]'::jsonb END`).join(' || ')})`;

/** The event's latest error declaration (event_correction), the one it is served with, as the row `c`. */
const LATEST_CORRECTION = `(SELECT lc.declaration_time, lc.reason, lc.corrective_event_ids, lc.body FROM event_correction lc
   WHERE lc.event_id = e.id ORDER BY lc.declaration_time DESC, lc.id DESC LIMIT 1) c`;

const SENSOR_REPORTS = `jsonb_path_query(e.body, 'lax $.sensorElementList[*].sensorReport[*]')`;
const SENSOR_METADATA = `jsonb_path_query(e.body, 'lax $.sensorElementList[*].sensorMetadata')`;
const SENSOR_ELEMENTS = `jsonb_path_query(e.body, 'lax $.sensorElementList[*]')`;

/** jsonb_each refuses anything but an object. */
const objectOr = (value: string) => `(CASE WHEN jsonb_typeof(${value}) = 'object' THEN ${value} ELSE '{}'::jsonb END)`;

/** Each scope's objects, as rows `o`, and the @context that binds their prefixes. */
const SCOPES: Record<FieldScope, { from: string; context: string }> = {
  event: { from: `(VALUES (e.body)) s(o)`, context: `e.body->'@context'` },
  ilmd: { from: `(VALUES (e.body->'ilmd')) s(o)`, context: `e.body->'@context'` },
  readPoint: { from: `(VALUES (e.body->'readPoint')) s(o)`, context: `e.body->'@context'` },
  bizLocation: { from: `(VALUES (e.body->'bizLocation')) s(o)`, context: `e.body->'@context'` },
  sensorElement: { from: `${SENSOR_ELEMENTS} o`, context: `e.body->'@context'` },
  sensorMetadata: { from: `${SENSOR_METADATA} o`, context: `e.body->'@context'` },
  sensorReport: { from: `${SENSOR_REPORTS} o`, context: `e.body->'@context'` },
  errorDeclaration: { from: `${LATEST_CORRECTION}, LATERAL (VALUES (c.body->'errorDeclaration')) s(o)`, context: `c.body->'@context'` },
};

/** The keys a field may have in an event: as given, and `p:local` for each prefix p its @context binds to the field's namespace. */
function fieldKeys(sql: SqlParams, field: FieldName, context: string): string {
  const given = `${sql.param(field.keys)}::text[]`;
  if (!field.namespaces.length) return given;
  const entries = `jsonb_array_elements(CASE jsonb_typeof(${context}) WHEN 'array' THEN ${context} WHEN 'object' THEN jsonb_build_array(${context}) ELSE '[]'::jsonb END) cx`;
  return `(${given} || ARRAY(SELECT t.key || ':' || ${sql.param(field.local)}::text FROM ${entries}, jsonb_each(${objectOr('cx')}) t
          WHERE coalesce(t.value->>'@id', t.value #>> '{}') = ANY(${sql.param(field.namespaces)}::text[])))`;
}

/** A condition on the jsonb value `x` of a field. */
function valueCondition(sql: SqlParams, op: Comparison | 'EXISTS', v: FieldValues): string {
  if (op === 'EXISTS') return 'true';
  const text = `(CASE WHEN jsonb_typeof(x) IN ('string', 'number', 'boolean') THEN x #>> '{}' END)`;
  if (op === 'EQ') {
    const either: string[] = [];
    if (v.texts?.length) either.push(`${text} = ANY(${sql.param(v.texts)}::text[])`);
    if (v.numbers?.length) either.push(`epcis_number(x) = ANY(${sql.param(v.numbers)}::numeric[])`);
    if (v.instants?.length) either.push(`epcis_instant(${text}) = ANY(${sql.param(v.instants)}::timestamptz[])`);
    return either.length ? `(${either.join(' OR ')})` : 'false';
  }
  const operator = OPERATOR[op];
  if (v.numbers?.length) return `epcis_number(x) ${operator} ${sql.param(v.numbers[0])}::numeric`;
  if (v.instants?.length) return `epcis_instant(${text}) ${operator} ${sql.param(v.instants[0])}::timestamptz`;
  if (v.dates?.length) return `(${text} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' AND ${text} ${operator} ${sql.param(v.dates[0])}::text)`;
  return 'false';
}

export function fieldCondition(sql: SqlParams, c: FieldCriterion): string {
  const scope = SCOPES[c.scope];
  const keys = fieldKeys(sql, c.field, scope.context);
  const values = `jsonb_path_query(kv.value, 'lax $[*]') x`;
  // Inner: a field nested at any depth inside one of the scope's namespaced (extension) fields.
  const from = c.inner
    ? `${scope.from}, jsonb_each(${objectOr('o')}) top, jsonb_path_query(top.value, 'strict $.**') d, jsonb_each(${objectOr('d')}) kv, ${values}`
    : `${scope.from}, jsonb_each(${objectOr('o')}) kv, ${values}`;
  const where = [c.inner ? `top.key LIKE '%:%'` : null, `kv.key = ANY(${keys})`, valueCondition(sql, c.op, c.values)];
  return `EXISTS (SELECT 1 FROM ${from} WHERE ${where.filter(Boolean).join(' AND ')})`;
}

export function measureCondition(sql: SqlParams, m: MeasureCriterion): string {
  const rows = m.of === 'quantity' ? `${quantityElements(QUANTITY_LISTS)} r` : `${SENSOR_REPORTS} r`;
  const number = `epcis_number(r->${sql.param(m.field)}::text)`;
  const operator = OPERATOR[m.op];
  if (!m.unit || !m.units) return `EXISTS (SELECT 1 FROM ${rows} WHERE ${number} ${operator} ${sql.param(m.value)}::numeric)`;
  // Both sides in the dimension's base unit; every scale is an exact decimal, so no rounding enters.
  const units = `unnest(${sql.param(m.units.map((u) => u.uom))}::text[], ${sql.param(m.units.map((u) => u.factor))}::numeric[],
                 ${sql.param(m.units.map((u) => u.offset))}::numeric[]) u(uom, factor, "offset")`;
  const asked = `${sql.param(m.value)}::numeric * ${sql.param(m.unit.factor)}::numeric + ${sql.param(m.unit.offset)}::numeric`;
  return `EXISTS (SELECT 1 FROM ${rows} JOIN ${units} ON r->>'uom' = u.uom
                 WHERE ${number} * u.factor + u."offset" ${operator} ${asked})`;
}

/** Sensor metadata, reports, or both, as rows `o`. */
const sensorObjects = (where: 'metadata' | 'report' | 'either') =>
  where === 'metadata'
    ? `${SENSOR_METADATA} o`
    : where === 'report'
      ? `${SENSOR_REPORTS} o`
      : `(SELECT m FROM ${SENSOR_METADATA} m UNION ALL SELECT r FROM ${SENSOR_REPORTS} r) s(o)`;

export function sensorAttributeCondition(sql: SqlParams, a: SensorAttributeCriterion): string {
  const value = `o->>${sql.param(a.attribute)}::text`;
  const match = a.caseInsensitive
    ? `upper(${value}) = ANY(${sql.param(a.values.map((v) => v.toUpperCase()))}::text[])`
    : `${value} = ANY(${sql.param(a.values)}::text[])`;
  return `EXISTS (SELECT 1 FROM ${sensorObjects(a.in)} WHERE ${match})`;
}

export function sensorTimeCondition(sql: SqlParams, t: SensorTimeCriterion): string {
  return `EXISTS (SELECT 1 FROM ${sensorObjects(t.in)}
                 WHERE epcis_instant(o->>${sql.param(t.attribute)}::text) ${OPERATOR[t.op]} ${sql.param(t.instant)}::timestamptz)`;
}

export const SENSOR_ELEMENTS_EXIST = `jsonb_typeof(e.body->'sensorElementList') = 'array' AND jsonb_array_length(e.body->'sensorElementList') > 0`;

export function errorDeclarationCondition(sql: SqlParams, d: ErrorDeclarationCriterion): string {
  const where: string[] = [];
  if (d.from) where.push(`c.declaration_time >= ${sql.param(d.from)}::timestamptz`);
  if (d.before) where.push(`c.declaration_time < ${sql.param(d.before)}::timestamptz`);
  if (d.reasons) where.push(`c.reason = ANY(${sql.param(d.reasons)}::text[])`);
  if (d.correctiveEventIds) where.push(`c.corrective_event_ids && ${sql.param(d.correctiveEventIds)}::text[]`);
  return `EXISTS (SELECT 1 FROM ${LATEST_CORRECTION}${where.length ? ` WHERE ${where.join(' AND ')}` : ''})`;
}

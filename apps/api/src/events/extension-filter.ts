import type { Comparison, EventCriteria, FieldCriterion, FieldName, FieldScope, FieldValues } from '@pharmatrace/persistence';
import { STANDARD_PREFIXES, standardPrefixOf } from 'pharmatrace-verify/cbv';
import { existsValue, instantOf, invalid, isDate, isNumber, QueryFamily, QueryParams, single } from './query-values';

/** The binding's word for where a field is, and where the repository looks for it. */
const SCOPES: Record<string, FieldScope> = {
  '': 'event',
  ILMD_: 'ilmd',
  ERROR_DECLARATION_: 'errorDeclaration',
  SENSORELEMENT_: 'sensorElement',
  SENSORMETADATA_: 'sensorMetadata',
  SENSORREPORT_: 'sensorReport',
  readPoint_: 'readPoint',
  bizLocation_: 'bizLocation',
};
const PATTERN =
  /^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(ILMD_|ERROR_DECLARATION_|SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_|readPoint_|bizLocation_)?(.*[:#].*)$/;
/** Master-data parameters (EQ_ATTR_<vocabulary>_<attribute>, HASATTR_…) are not extension fields. */
const MASTER_DATA = /^(EQ_ATTR_|HASATTR_)/;
const NAME = /^[A-Za-z_][\w.-]*$/;
const COMPACT = /^([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)$/;
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s#]+$/;

/**
 * Every spelling of a namespace URI a @context may bind (`…/epcis`, `…/epcis/`, `…/epcis#`); a standard namespace
 * (urn:epcglobal:cbv:mda…) also under its prefix, which capture always uses for it.
 */
function namespaceName(namespace: string, local: string): FieldName {
  const standard = standardPrefixOf(namespace);
  const stem = standard === undefined ? namespace : STANDARD_PREFIXES[standard].slice(0, -1);
  return {
    keys: standard === undefined ? [] : [`${standard}:${local}`],
    namespaces: [...new Set([namespace, stem, `${stem}/`, `${stem}#`, `${stem}:`])],
    local,
  };
}

/**
 * A field's fully qualified name, in any of the forms a client may write: `namespace#name` (the standard's own, as
 * EPCIS 1.x built it from the XML namespace), a compact `prefix:name` (as in the query schema; a standard prefix such as
 * `cbvmda` stands for its namespace, any other matches events that use the same prefix), or an expanded IRI
 * (`https://ns.example.com/epcis/name`).
 */
export function fieldName(parameter: string, text: string): FieldName {
  const bad = () =>
    invalid(
      parameter,
      'field-name',
      `"${text}" is not a namespace-qualified field name: namespace#name, prefix:name (e.g. cbvmda:lotNumber) or a full IRI`,
    );
  const hash = text.lastIndexOf('#');
  if (hash >= 0) {
    const [namespace, local] = [text.slice(0, hash), text.slice(hash + 1)];
    if (!ABSOLUTE_URI.test(namespace) || !NAME.test(local)) throw bad();
    return namespaceName(namespace, local);
  }
  const compact = COMPACT.exec(text);
  if (compact) {
    const [, prefix, local] = compact;
    const namespace = Object.hasOwn(STANDARD_PREFIXES, prefix) ? STANDARD_PREFIXES[prefix] : undefined;
    return namespace === undefined ? { keys: [text], namespaces: [], local } : namespaceName(namespace, local);
  }
  const split = Math.max(text.lastIndexOf('/'), text.lastIndexOf(':'));
  const local = text.slice(split + 1);
  if (!ABSOLUTE_URI.test(text) || !NAME.test(local)) throw bad();
  return namespaceName(text.slice(0, split), local);
}

function comparedValues(name: string, op: Comparison, values: string[]): FieldValues {
  if (op === 'EQ') {
    const instants = values.map(instantOf).filter((d): d is Date => d !== null);
    return {
      texts: values,
      numbers: values.filter(isNumber),
      instants: instants.map((d) => d.toISOString()),
    };
  }
  const [value] = values;
  if (isNumber(value)) return { numbers: [value] };
  const instant = instantOf(value);
  if (instant) return { instants: [instant.toISOString()] };
  if (isDate(value)) return { dates: [value] };
  throw invalid(name, 'comparable-value', `"${value}" is not a number, a date-time with a zone, or a date (YYYY-MM-DD)`);
}

/**
 * EQ_/EXISTS_/GT_/GE_/LT_/LE_ on namespaced fields: top-level extension fields, ILMD (`EQ_ILMD_cbvmda:lotNumber`),
 * the error declaration's, the sensor element's, metadata's or report's, the read point's or location's, and with
 * INNER_ any field nested inside one of their extension fields. EQ_ values match as text, as a number and as an instant.
 */
export const extensionFamily: QueryFamily = {
  accepts: (name) => PATTERN.test(name) && !MASTER_DATA.test(name),
  described: [
    'EQ_/EXISTS_/GT_/GE_/LT_/LE_[INNER_][ILMD_|ERROR_DECLARATION_|SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_|readPoint_|bizLocation_]<namespace#name or prefix:name>',
  ],
  // EQ_ takes a list; the others one value, which a `|` in it (a text, never a number or time) must not split.
  singleValued: (name) => !name.startsWith('EQ_'),
  mayBeEmpty: (name) => name.startsWith('EXISTS_'),
  criteria(params: QueryParams): EventCriteria {
    const fields: FieldCriterion[] = [];
    for (const [name, values] of Object.entries(params)) {
      const match = MASTER_DATA.test(name) ? null : PATTERN.exec(name);
      if (!match) continue;
      const [, op, inner, where, field] = match;
      const criterion = { scope: SCOPES[where ?? ''], inner: inner !== undefined, field: fieldName(name, field) };
      if (op === 'EXISTS') {
        existsValue(params, name);
        fields.push({ ...criterion, op, values: {} });
      } else {
        fields.push({
          ...criterion,
          op: op as Comparison,
          values: comparedValues(name, op as Comparison, op === 'EQ' ? values : [single(params, name)!]),
        });
      }
    }
    return fields.length ? { fields } : {};
  },
};

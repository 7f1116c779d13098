/**
 * CBV 2.0 event pre-hash string, computed as the reference implementation
 * (RalphTro/epcis-event-hash-generator) does: the event becomes a tree of (name, value, children) nodes,
 * the properties named in the canonical order are emitted first, and whatever is left (lists of business
 * transactions, sources and destinations, ilmd, user extensions) follows, sorted.
 */
import { canonicalDigitalLink } from './epc-normaliser';
import { type HashRules, CURRENT_HASH_RULES } from './event-tree';
import { memoized } from './memo';
import { canonicalTimestamp } from './timestamp';

export interface PrehashNode {
  name: string;
  value: string;
  children: PrehashNode[];
  /** A numeric value: a JSON number, or a field the standard types as a number (quantity, sensor values). */
  numeric?: boolean;
}

type PropertyOrder = ReadonlyArray<readonly [string, PropertyOrder | null]>;

const QUANTITY_ORDER: PropertyOrder = [
  [
    'quantityElement',
    [
      ['epcClass', null],
      ['quantity', null],
      ['uom', null],
    ],
  ],
];
const EPC_ORDER: PropertyOrder = [['epc', null]];

/**
 * Canonical property order. bizTransactionList, sourceList and destinationList are deliberately absent:
 * the reference lists them with an order that never matches, so they land in the sorted remainder.
 */
const PROPERTY_ORDER: PropertyOrder = [
  ['eventTime', null],
  ['eventTimeZoneOffset', null],
  ['certificationInfo', null],
  ['parentID', null],
  ['epcList', EPC_ORDER],
  ['inputEPCList', EPC_ORDER],
  ['childEPCs', EPC_ORDER],
  ['quantityList', QUANTITY_ORDER],
  ['childQuantityList', QUANTITY_ORDER],
  ['inputQuantityList', QUANTITY_ORDER],
  ['outputEPCList', EPC_ORDER],
  ['outputQuantityList', QUANTITY_ORDER],
  ['action', null],
  ['transformationID', null],
  ['bizStep', null],
  ['disposition', null],
  [
    'persistentDisposition',
    [
      ['set', null],
      ['unset', null],
    ],
  ],
  ['readPoint', [['id', null]]],
  ['bizLocation', [['id', null]]],
  [
    'sensorElementList',
    [
      [
        'sensorElement',
        [
          [
            'sensorMetadata',
            [
              ['time', null],
              ['startTime', null],
              ['endTime', null],
              ['deviceID', null],
              ['deviceMetadata', null],
              ['rawData', null],
              ['dataProcessingMethod', null],
              ['bizRules', null],
            ],
          ],
          [
            'sensorReport',
            [
              ['type', null],
              ['exception', null],
              ['deviceID', null],
              ['deviceMetadata', null],
              ['rawData', null],
              ['dataProcessingMethod', null],
              ['time', null],
              ['microorganism', null],
              ['chemicalSubstance', null],
              ['value', null],
              ['component', null],
              ['stringValue', null],
              ['booleanValue', null],
              ['hexBinaryValue', null],
              ['uriValue', null],
              ['minValue', null],
              ['maxValue', null],
              ['meanValue', null],
              ['sDev', null],
              ['percRank', null],
              ['percValue', null],
              ['uom', null],
              ['coordinateReferenceSystem', null],
            ],
          ],
        ],
      ],
    ],
  ],
];

/** Top-level properties that never take part in the hash. */
const IGNORED_AT_TOP = new Set(['recordTime', 'eventID', 'type', 'errorDeclaration']);
const UNORDERED_SIBLINGS = new Set(['bizTransaction', 'source', 'destination']);

/** Python sorts strings by code point; JS by UTF-16 unit. Remapping units makes the two agree. */
function unitKey(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitKey(x) - unitKey(y);
  }
  return a.length - b.length;
}

const PY_FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

/** Python's repr of a float, which the reference emits for non-integral numbers. */
function pythonFloatRepr(x: number): string {
  if (Math.abs(x) >= 1e-4) return String(x);
  const [mantissa, exponent] = x.toExponential().split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '');
  return `${mantissa}e${sign}${digits.padStart(2, '0')}`;
}

/** Numbers lose leading '+', leading and trailing zeros and a trailing '.0'; other text stays. */
export function canonicalNumber(text: string): string {
  if (!PY_FLOAT.test(text)) return text;
  const x = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(x)) return text;
  return Number.isInteger(x) ? BigInt(x).toString() : pythonFloatRepr(x);
}

const OLD_CBV_URNS: [string, string][] = [
  ['urn:epcglobal:cbv:bizstep:', 'https://ref.gs1.org/cbv/BizStep-'],
  ['urn:epcglobal:cbv:disp:', 'https://ref.gs1.org/cbv/Disp-'],
  ['urn:epcglobal:cbv:btt:', 'https://ref.gs1.org/cbv/BTT-'],
  ['urn:epcglobal:cbv:sdt:', 'https://ref.gs1.org/cbv/SDT-'],
  ['urn:epcglobal:cbv:er:', 'https://ref.gs1.org/cbv/ER-'],
];

/** More significant digits than a double holds: such a text does not survive being read as a number. */
const MAX_EXACT_DIGITS = 15;

/**
 * Text in a field that is not numeric, which reads as a number but whose characters carry meaning a number would
 * lose: a leading zero ("007" is another lot than "7"), more significant digits than a double holds (a 20-digit
 * serial), or Python's digit separators ("1_000"). The reference hasher collapses these; we keep them as written
 * (docs/event-hash-divergences.md, D4 to D6).
 */
function keptAsWritten(text: string): boolean {
  if (/^[+-]?0\d/.test(text) || text.includes('_')) return true;
  const mantissa = text.replace(/^[+-]/, '').replace(/[eE].*$/, '');
  const digits = mantissa.includes('.') ? mantissa.replace('.', '').replace(/0+$/, '') : mantissa;
  return digits.replace(/^0+/, '').length > MAX_EXACT_DIGITS;
}

/**
 * `numeric`: the value is a number (PrehashNode.numeric), so any spelling of it is canonicalised; under rules 1 every
 * numeric-looking text was.
 */
export function canonicalValue(text: string, numeric = false, rules: HashRules = CURRENT_HASH_RULES): string {
  if (CANONICAL_SGTIN.test(text)) return text;
  return rules === CURRENT_HASH_RULES
    ? numeric
      ? canonicalNumeric(text)
      : canonicalText(text)
    : computeCanonicalValue(text, numeric, rules);
}

/**
 * A pack's EPC already in the canonical Digital Link form (the form capture stores and most documents send back), with
 * a serial of unreserved characters: every rule above leaves it as it is (no URN, no number, and normaliseDigitalLink
 * returns it unchanged). Answered before the memo, which such values, each seen once or twice, would only churn: a
 * 1,000-event document holds 1,600 of them.
 */
const CANONICAL_SGTIN = /^https:\/\/id\.gs1\.org\/01\/\d{14}\/21\/[\w.-]{1,20}$/;
const canonicalText = memoized((text) => computeCanonicalValue(text, false, CURRENT_HASH_RULES));
const canonicalNumeric = memoized((text) => computeCanonicalValue(text, true, CURRENT_HASH_RULES));
const canonicalTime = memoized(canonicalTimestamp);

function computeCanonicalValue(text: string, numeric: boolean, rules: HashRules): string {
  let value = text;
  for (const [urn, web] of OLD_CBV_URNS) {
    if (value.includes(urn)) value = value.split(urn).join(web);
  }
  if (rules < 2 || numeric || !keptAsWritten(value)) value = canonicalNumber(value);
  return canonicalDigitalLink(value) ?? value;
}

const isTimeProperty = (name: string): boolean => {
  const lower = name.toLowerCase();
  return lower.includes('time') && !lower.includes('offset');
};

function childPrehash(child: PrehashNode, subOrder: PropertyOrder | null, rules: HashRules): string {
  const grandChildren = subOrder ? orderedPrehash(child.children, subOrder, false, rules) : '';
  let text = '';
  if (child.value) {
    text = child.value.trim();
    text = isTimeProperty(child.name) ? canonicalTime(text) : canonicalValue(text, child.numeric, rules);
    if (text) text = '=' + text;
  }
  return text || grandChildren ? child.name + text + grandChildren : '';
}

/**
 * Namespaced extensions nested in a standard structure (readPoint, sensorReport…) are emitted right after
 * that structure's ordered fields rather than at the end of the event.
 */
function takeNestedExtensions(children: PrehashNode[], topLevel: boolean): PrehashNode[] {
  if (topLevel || children.length <= 1) return [];
  if (children.some((c) => c.name.includes('eventTime') || c.name.includes('action'))) return [];
  const extensions = children.filter((c) => c.name.includes('{') && c.name.includes('/}'));
  for (const extension of extensions) children.splice(children.indexOf(extension), 1);
  return extensions;
}

/** Emits the children named in `order` and removes from `children` every node fully consumed. */
function orderedPrehash(children: PrehashNode[], order: PropertyOrder, topLevel: boolean, rules: HashRules): string {
  let prehash = '';
  const extensions = takeNestedExtensions(children, topLevel);
  for (const [name, subOrder] of order) {
    let values: string[] | undefined;
    for (let i = 0; i < children.length;) {
      const child = children[i];
      if (child.name !== name) {
        i++;
        continue;
      }
      const text = childPrehash(child, subOrder, rules);
      if (text) (values ??= []).push(text);
      if (child.children.length === 0) children.splice(i, 1);
      else i++;
    }
    if (values) prehash += values.length === 1 ? values[0] : values.sort(compareCodePoints).join('');
  }
  if (extensions.length > 0) prehash += genericPrehash(extensions, rules);
  return prehash;
}

function genericPrehash(children: PrehashNode[], rules: HashRules): string {
  const values = children.map((child) => {
    const trimmed = child.value.trim();
    const text = trimmed ? '=' + canonicalValue(trimmed, child.numeric, rules) : '';
    return child.name + text + genericPrehash(child.children, rules);
  });
  if (values.length > 1 && !children.some((c) => UNORDERED_SIBLINGS.has(c.name))) values.sort(compareCodePoints);
  return values.join('');
}

/** Pre-hash string of an event tree (its name is the event type). Consumes the tree's children. */
export function prehashOfTree(event: PrehashNode, rules: HashRules = CURRENT_HASH_RULES): string {
  const ordered = orderedPrehash(event.children, PROPERTY_ORDER, true, rules);
  const rest = event.children.filter((c) => !IGNORED_AT_TOP.has(c.name));
  return `eventType=${event.name}${ordered}${rest.length ? genericPrehash(rest, rules) : ''}`;
}

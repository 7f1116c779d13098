import { Gs1Element, validateAiValue } from './ai-validation';
import {
  ElementStringResult,
  element,
  ParseElementStringOptions,
  formatElementString,
  parseElementString,
  toElementResult,
} from './element-string';
import { Gs1Error, Gs1ErrorCode } from './gs1-error';
import { AiDefinition, getSyntaxDictionary } from './syntax-dictionary';

export const DEFAULT_DIGITAL_LINK_DOMAIN = 'https://id.gs1.org';

export interface DigitalLinkResult extends ElementStringResult {
  /** Scheme and host (plus any path before the primary key), e.g. `https://example.com`. */
  origin: string;
}

const URI = /^(https?:\/\/[^/?#]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i;

function fail(rule: string, field: string, ai?: string): Gs1Error {
  return new Gs1Error(Gs1ErrorCode.BAD_DIGITAL_LINK, rule, { ai, field });
}

function decode(text: string, field: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw fail(`"${text}" is not valid percent-encoding`, field);
  }
}

/** Percent-encodes everything but RFC 3986 unreserved characters, as the Digital Link standard asks of AI values. */
export function encodeDigitalLinkValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function primaryKeyIndex(segments: string[]): number {
  const definitions = getSyntaxDictionary().definitions;
  for (let i = 0; i < segments.length; i++) {
    if ((segments.length - i) % 2 !== 0 || !definitions.get(segments[i])?.digitalLinkQualifiers) continue;
    let allAis = true;
    for (let k = i + 2; k < segments.length; k += 2) allAis &&= /^\d{2,4}$/.test(segments[k]);
    if (allAis) return i;
  }
  return -1;
}

/** Qualifiers must follow one of the primary key's declared sequences, in that order. */
function checkQualifierOrder(key: AiDefinition, qualifiers: string[]): void {
  const sequences = key.digitalLinkQualifiers ?? [[]];
  const fits = sequences.some((sequence) => {
    let last = -1;
    return qualifiers.every((ai) => {
      const at = sequence.indexOf(ai);
      if (at <= last) return false;
      last = at;
      return true;
    });
  });
  if (!fits) {
    const allowed = sequences.map((s) => (s.length ? s.map((ai) => `/${ai}`).join('') : 'none')).join(' or ');
    throw fail(
      `qualifiers ${qualifiers.map((ai) => `/${ai}`).join('')} do not follow the order declared for (${key.ai}): ${allowed}`,
      'path',
      key.ai,
    );
  }
}

/**
 * Parses a GS1 Digital Link URI on any domain into its elements: primary key, key qualifiers (checked against the
 * dictionary's declared order) and query-string data attributes. Non-numeric query parameters (e.g. `linkType`) are ignored.
 */
export function parseDigitalLink(uri: string, options: Pick<ParseElementStringOptions, 'validateAssociations'> = {}): DigitalLinkResult {
  const m = typeof uri === 'string' ? URI.exec(uri.trim()) : null;
  if (!m) throw fail('must be an http(s) URI', 'uri');
  const rawSegments = m[2].split('/').slice(1);
  if (rawSegments.length > 0 && rawSegments[rawSegments.length - 1] === '') rawSegments.pop();
  const index = primaryKeyIndex(rawSegments);
  if (index < 0) throw fail('path holds no GS1 primary key followed by AI/value pairs', 'path');
  const definitions = getSyntaxDictionary().definitions;
  const elements: Gs1Element[] = [];
  const add = (ai: string, value: string) => elements.push(element(ai, value));
  const keyAi = rawSegments[index];
  let keyValue = decode(rawSegments[index + 1], 'path');
  if (keyAi === '01' && /^(\d{8}|\d{12}|\d{13})$/.test(keyValue)) keyValue = keyValue.padStart(14, '0');
  add(keyAi, keyValue);
  const qualifiers: string[] = [];
  for (let k = index + 2; k < rawSegments.length; k += 2) {
    const ai = rawSegments[k];
    if (!definitions.has(ai))
      throw new Gs1Error(Gs1ErrorCode.UNKNOWN_AI, `(${ai}) is not a GS1 Application Identifier`, { ai, field: 'path' });
    qualifiers.push(ai);
    add(ai, decode(rawSegments[k + 1], 'path'));
  }
  checkQualifierOrder(definitions.get(keyAi)!, qualifiers);
  for (const pair of (m[3] ?? '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq), 'query');
    if (!/^\d+$/.test(key)) continue;
    const definition = definitions.get(key);
    if (!definition)
      throw new Gs1Error(Gs1ErrorCode.UNKNOWN_AI, `(${key}) is not a GS1 Application Identifier`, { ai: key, field: 'query' });
    if (!definition.digitalLinkAttribute) throw fail('is not permitted as a Digital Link data attribute', 'query', key);
    add(key, decode(eq < 0 ? '' : pair.slice(eq + 1), 'query'));
  }
  const origin =
    m[1] +
    rawSegments
      .slice(0, index)
      .map((s) => `/${s}`)
      .join('');
  // Field by field: properties added after a spread gave each result a hidden class of its own once optimized, and a
  // Digital Link scan parses one per verification (docs/benchmarks.md, "Garbage a GraphQL request left in the old generation").
  const { elements: checked, byAi } = toElementResult(elements, options.validateAssociations ?? true);
  return { elements: checked, byAi, origin };
}

/**
 * Builds the Digital Link URI for `elements`: the first primary-key AI, its qualifiers in declared order in the path,
 * and every other element as a query-string data attribute.
 */
export function toDigitalLink(elements: readonly Gs1Element[], domain: string = DEFAULT_DIGITAL_LINK_DOMAIN): string {
  const definitions = getSyntaxDictionary().definitions;
  for (const { ai, value } of elements) validateAiValue(ai, value);
  const key = elements.find(({ ai }) => definitions.get(ai)!.digitalLinkQualifiers);
  if (!key) throw fail('elements hold no GS1 Digital Link primary key', 'elements');
  const present = new Set(elements.map(({ ai }) => ai));
  const sequences = definitions.get(key.ai)!.digitalLinkQualifiers!;
  const sequence = sequences.reduce((best, s) =>
    s.filter((ai) => present.has(ai)).length > best.filter((ai) => present.has(ai)).length ? s : best,
  );
  let path = `/${key.ai}/${encodeDigitalLinkValue(key.value)}`;
  for (const ai of sequence) {
    const qualifier = elements.find((e) => e.ai === ai);
    if (qualifier) path += `/${ai}/${encodeDigitalLinkValue(qualifier.value)}`;
  }
  const query: string[] = [];
  for (const e of elements) {
    if (e === key || sequence.includes(e.ai)) continue;
    if (!definitions.get(e.ai)!.digitalLinkAttribute)
      throw fail(`cannot be carried in a Digital Link with primary key (${key.ai})`, 'elements', e.ai);
    query.push(`${e.ai}=${encodeDigitalLinkValue(e.value)}`);
  }
  return domain.replace(/\/+$/, '') + path + (query.length ? `?${query.join('&')}` : '');
}

export function elementStringToDigitalLink(input: string, domain?: string, options?: ParseElementStringOptions): string {
  return toDigitalLink(parseElementString(input, options).elements, domain);
}

export function digitalLinkToElementString(uri: string, options?: Parameters<typeof formatElementString>[1]): string {
  return formatElementString(parseDigitalLink(uri).elements, options);
}

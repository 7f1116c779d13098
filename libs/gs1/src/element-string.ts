import { Gs1Element, validateAiValue, validateAssociations } from './ai-validation';
import { Gs1Error, Gs1ErrorCode } from './gs1-error';
import { getSyntaxDictionary } from './syntax-dictionary';

export const GS = '\x1d';

/** Symbology identifiers (ISO/IEC 15424) of carriers that hold GS1 element strings. */
const GS1_SYMBOLOGIES = new Set([']C1', ']e0', ']d2', ']Q3', ']J1']);
const SYMBOLOGY_ID = /^\][A-Za-z][0-9A-Za-z]/;
const ONLY_SEPARATORS = /^\x1d*$/;

export interface ParseElementStringOptions {
  /** Character(s) a keyboard-wedge scanner sends in place of GS (FNC1), e.g. `~` or `<GS>`. */
  gsSubstitute?: string;
  /** Check `req=`/`ex=` pairings and duplicates across the whole message (default true). */
  validateAssociations?: boolean;
}

export interface ElementStringResult {
  symbology?: string;
  elements: Gs1Element[];
  byAi: Record<string, string>;
}

export function toElementResult(elements: Gs1Element[], check: boolean, symbology?: string): ElementStringResult {
  const finalElements = check ? validateAssociations(elements) : elements;
  const byAi: Record<string, string> = {};
  for (const { ai, value } of finalElements) byAi[ai] ??= value;
  return symbology === undefined ? { elements: finalElements, byAi } : { symbology, elements: finalElements, byAi };
}

/** A validated element carrying the dictionary's title for its AI. */
export function element(ai: string, value: string): Gs1Element {
  const definition = validateAiValue(ai, value);
  return definition.title ? { ai, value, title: definition.title } : { ai, value };
}

function identifyAi(data: string, pos: number): string {
  const definitions = getSyntaxDictionary().definitions;
  for (let length = 2; length <= 4; length++) {
    const candidate = data.slice(pos, pos + length);
    if (candidate.length === length && /^\d+$/.test(candidate) && definitions.has(candidate)) return candidate;
  }
  const shown = data.slice(pos, pos + 4);
  throw new Gs1Error(Gs1ErrorCode.UNKNOWN_AI, `no GS1 Application Identifier starts "${shown}" at position ${pos}`, {
    ai: /^\d{2,4}/.exec(shown)?.[0],
    field: 'ai',
  });
}

function parseUnbracketed(data: string): Gs1Element[] {
  const elements: Gs1Element[] = [];
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === GS) {
      pos++;
      continue;
    }
    const ai = identifyAi(data, pos);
    const definition = getSyntaxDictionary().definitions.get(ai)!;
    pos += ai.length;
    let value: string;
    if (definition.predefinedLength) {
      value = data.slice(pos, pos + definition.maxLength);
      if (value.length < definition.maxLength || value.includes(GS)) {
        throw new Gs1Error(Gs1ErrorCode.BAD_LENGTH, `data must be ${definition.maxLength} characters long`, { ai, field: 'value' });
      }
      pos += value.length;
    } else {
      const end = data.indexOf(GS, pos);
      value = data.slice(pos, end < 0 ? data.length : end);
      pos = end < 0 ? data.length : end + 1;
      if (value.length > definition.maxLength) {
        throw new Gs1Error(
          Gs1ErrorCode.BAD_LENGTH,
          `data must be at most ${definition.maxLength} characters long, got ${value.length} (missing GS separator?)`,
          { ai, field: 'value' },
        );
      }
    }
    elements.push(element(ai, value));
  }
  return elements;
}

/** Parses `(01)…(10)…`; a literal "(" inside data is written "\(" as in the GS1 Syntax Engine. */
function parseBracketed(data: string): Gs1Element[] {
  const elements: Gs1Element[] = [];
  let pos = 0;
  while (pos < data.length) {
    const head = /^\((\d{2,4})\)/.exec(data.slice(pos, pos + 6));
    if (!head) throw new Gs1Error(Gs1ErrorCode.BAD_FORMAT, `expected "(AI)" at position ${pos}`, { field: 'ai' });
    const ai = head[1];
    pos += head[0].length;
    let value = '';
    while (pos < data.length && data[pos] !== '(') {
      if (data[pos] === '\\' && data[pos + 1] === '(') pos++;
      value += data[pos++];
    }
    if (!getSyntaxDictionary().definitions.has(ai)) {
      throw new Gs1Error(Gs1ErrorCode.UNKNOWN_AI, `(${ai}) is not a GS1 Application Identifier`, { ai, field: 'ai' });
    }
    elements.push(element(ai, value));
  }
  return elements;
}

/**
 * Parses scanned GS1 data: optional symbology identifier (`]d2`, `]C1`, `]Q3`, `]e0`, `]J1`), FNC1 sent as GS (0x1D)
 * or a configured substitute, or the human-readable bracketed form. Every AI is checked against the syntax dictionary.
 */
export function parseElementString(input: string, options: ParseElementStringOptions = {}): ElementStringResult {
  if (typeof input !== 'string') throw new Gs1Error(Gs1ErrorCode.BAD_FORMAT, 'input must be a string', { field: 'input' });
  let data = input.replace(/[\r\n]+$/, '');
  let symbology: string | undefined;
  if (SYMBOLOGY_ID.test(data)) {
    symbology = data.slice(0, 3);
    if (!GS1_SYMBOLOGIES.has(symbology)) {
      throw new Gs1Error(Gs1ErrorCode.BAD_FORMAT, `symbology identifier ${symbology} does not carry GS1 element strings`, {
        field: 'symbology',
      });
    }
    data = data.slice(3);
  }
  if (options.gsSubstitute) data = data.split(options.gsSubstitute).join(GS);
  if (ONLY_SEPARATORS.test(data)) {
    throw new Gs1Error(Gs1ErrorCode.BAD_FORMAT, 'no element string data', { field: 'input' });
  }
  const elements = data.startsWith('(') ? parseBracketed(data) : parseUnbracketed(data);
  return toElementResult(elements, options.validateAssociations ?? true, symbology);
}

export interface FormatElementStringOptions {
  /** `bracketed` gives `(01)…(21)…`; `gs` (default) gives the carrier's data with GS separators. */
  style?: 'gs' | 'bracketed';
  /** Separator to write for FNC1 in the `gs` style (default GS, 0x1D). */
  separator?: string;
}

/** Writes elements as an element string: predefined-length AIs first, so fewer separators are needed. */
export function formatElementString(elements: readonly Gs1Element[], options: FormatElementStringOptions = {}): string {
  for (const { ai, value } of elements) validateAiValue(ai, value);
  if (options.style === 'bracketed') {
    return elements.map(({ ai, value }) => `(${ai})${value.replace(/\(/g, '\\(')}`).join('');
  }
  const separator = options.separator ?? GS;
  const definitions = getSyntaxDictionary().definitions;
  const ordered = [...elements].sort(
    (a, b) => Number(!definitions.get(a.ai)!.predefinedLength) - Number(!definitions.get(b.ai)!.predefinedLength),
  );
  let out = '';
  ordered.forEach(({ ai, value }, i) => {
    out += ai + value;
    if (i < ordered.length - 1 && !definitions.get(ai)!.predefinedLength) out += separator;
  });
  return out;
}

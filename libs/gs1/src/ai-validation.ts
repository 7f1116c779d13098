import { Gs1Error, Gs1ErrorCode } from './gs1-error';
import { LINTERS } from './linters';
import { AiDefinition, CharacterSet, aiMatchesPattern, findAiDefinition } from './syntax-dictionary';

export interface Gs1Element {
  ai: string;
  value: string;
  title?: string;
}

const CHARACTER_SETS: Record<CharacterSet, { pattern: RegExp; name: string }> = {
  N: { pattern: /^[0-9]*$/, name: 'digits 0-9' },
  X: { pattern: /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/, name: 'GS1 character set 82' },
  Y: { pattern: /^[#\-/0-9A-Z]*$/, name: 'GS1 character set 39' },
  Z: { pattern: /^[A-Za-z0-9\-_]*={0,2}$/, name: 'GS1 character set 64 (base64url)' },
};

export function requireAiDefinition(ai: string): AiDefinition {
  const definition = findAiDefinition(ai);
  if (!definition) throw new Gs1Error(Gs1ErrorCode.UNKNOWN_AI, `(${ai}) is not a GS1 Application Identifier`, { ai });
  return definition;
}

/** Validates one AI's data against every component and linter the syntax dictionary gives for it. */
export function validateAiValue(ai: string, value: string): AiDefinition {
  const definition = requireAiDefinition(ai);
  if (value.length < definition.minLength || value.length > definition.maxLength) {
    const allowed =
      definition.minLength === definition.maxLength ? `${definition.minLength}` : `${definition.minLength}-${definition.maxLength}`;
    throw new Gs1Error(Gs1ErrorCode.BAD_LENGTH, `data must be ${allowed} characters long, got ${value.length}`, { ai, field: 'value' });
  }
  let pos = 0;
  definition.components.forEach((component, index) => {
    if (pos >= value.length && component.optional) return;
    const field = definition.components.length > 1 ? `component ${index + 1}` : 'value';
    const part = component.minLength === component.maxLength ? value.slice(pos, pos + component.maxLength) : value.slice(pos);
    if (part.length < component.minLength || part.length > component.maxLength) {
      throw new Gs1Error(
        Gs1ErrorCode.BAD_LENGTH,
        `must be ${component.minLength === component.maxLength ? component.maxLength : `1-${component.maxLength}`} characters long`,
        { ai, field },
      );
    }
    pos += part.length;
    const cset = CHARACTER_SETS[component.cset];
    if (!cset.pattern.test(part)) throw new Gs1Error(Gs1ErrorCode.BAD_CHARACTER, `may contain only ${cset.name}`, { ai, field });
    for (const name of component.linters) {
      const linter = LINTERS[name];
      if (!linter)
        throw new Gs1Error(Gs1ErrorCode.BAD_DICTIONARY, `linter "${name}" named by the syntax dictionary is not implemented`, {
          ai,
          field,
        });
      const failure = linter(part);
      if (failure) throw new Gs1Error(failure.code, `${name}: ${failure.rule}`, { ai, field });
    }
  });
  return definition;
}

/**
 * The pairing rules (`ex=`, `req=`) of a set of AIs, in order of appearance: the error they raise, or null. They depend
 * on which AIs are present and not on their data, and a scanner sends the same few sets over and over, so the answer is
 * kept per set (with the separator check in parseElementString, a pack scan's parse went from 16.5 to 9.8 µs).
 */
const pairingVerdicts = new Map<string, Gs1Error | null>();
const MAX_PAIRING_VERDICTS = 4096;

function pairingError(present: readonly string[]): Gs1Error | null {
  for (const ai of present) {
    const definition = requireAiDefinition(ai);
    for (const pattern of definition.excludes) {
      const clash = present.find((other) => other !== ai && aiMatchesPattern(other, pattern));
      if (clash) return new Gs1Error(Gs1ErrorCode.INVALID_AI_PAIR, `must not appear together with (${clash})`, { ai });
    }
  }
  for (const ai of present) {
    for (const alternatives of requireAiDefinition(ai).requires) {
      const satisfied = alternatives.some((group) => group.every((pattern) => present.some((other) => aiMatchesPattern(other, pattern))));
      if (!satisfied) {
        const wanted = alternatives.map((group) => group.map((p) => `(${p})`).join('+')).join(' or ');
        return new Gs1Error(Gs1ErrorCode.MISSING_REQUIRED_AI, `requires ${wanted}`, { ai });
      }
    }
  }
  return null;
}

/**
 * Checks a message's AIs together: no AI twice with different data, no `ex=` pairing, every `req=` satisfied.
 * Returns the elements with exact repeats dropped (a repeated AI with the same data is allowed).
 */
export function validateAssociations(elements: readonly Gs1Element[]): Gs1Element[] {
  const seen = new Map<string, string>();
  const unique: Gs1Element[] = [];
  for (const element of elements) {
    const previous = seen.get(element.ai);
    if (previous === undefined) {
      seen.set(element.ai, element.value);
      unique.push(element);
    } else if (previous !== element.value) {
      throw new Gs1Error(Gs1ErrorCode.DUPLICATE_AI, 'appears more than once with different data', { ai: element.ai });
    }
  }
  const present = [...seen.keys()];
  const key = present.join(' ');
  let error = pairingVerdicts.get(key);
  if (error === undefined) {
    error = pairingError(present);
    if (pairingVerdicts.size >= MAX_PAIRING_VERDICTS) pairingVerdicts.clear();
    pairingVerdicts.set(key, error);
  }
  // A fresh error each time: the caller may decorate it, and its stack should point at this call.
  if (error) throw new Gs1Error(error.code, error.rule, { ai: error.ai, field: error.field });
  return unique;
}

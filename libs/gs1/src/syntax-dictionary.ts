import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Gs1Error, Gs1ErrorCode } from './gs1-error';

/** Character set of a component: N numeric, X CSET 82, Y CSET 39, Z CSET 64 (base64url). */
export type CharacterSet = 'N' | 'X' | 'Y' | 'Z';

export interface AiComponent {
  cset: CharacterSet;
  minLength: number;
  maxLength: number;
  optional: boolean;
  /** Names of the dictionary's linter routines, applied in order. */
  linters: string[];
}

export interface AiDefinition {
  ai: string;
  title: string;
  /** Flag `*`: the AI's data has a predefined length and needs no FNC1/GS separator after it. */
  predefinedLength: boolean;
  /** Flag `?`: the AI may appear as a GS1 Digital Link query-string data attribute. */
  digitalLinkAttribute: boolean;
  components: AiComponent[];
  minLength: number;
  maxLength: number;
  /** One entry per `req=` attribute; each is a list of alternatives, each alternative a list of AI patterns that must all be present. */
  requires: string[][][];
  /** AI patterns (`n` matches any digit) that must not appear together with this AI. */
  excludes: string[];
  /** Present when the AI is a Digital Link primary key: alternative ordered qualifier sequences (`[[]]` for none). */
  digitalLinkQualifiers?: string[][];
}

export interface SyntaxDictionary {
  readonly definitions: ReadonlyMap<string, AiDefinition>;
  /** Every linter name the dictionary refers to. */
  readonly linterNames: ReadonlySet<string>;
}

const FLAG_CHARS = /^[*!?"$%&'()+,\-./:;<=>@[\\\]^_`{|}~]+$/;
const COMPONENT = /^(\[)?([NXYZ])(\d+|\.\.\d+)(\])?((?:,[a-z0-9]+)*)$/;
const AI_RANGE = /^(\d{2,4})(?:-(\d{2,4}))?$/;

function dictionaryError(lineNo: number, rule: string): Gs1Error {
  return new Gs1Error(Gs1ErrorCode.BAD_DICTIONARY, `syntax dictionary line ${lineNo}: ${rule}`, { field: 'dictionary' });
}

function parseComponent(token: string, lineNo: number): AiComponent {
  const m = COMPONENT.exec(token);
  if (!m || Boolean(m[1]) !== Boolean(m[4])) throw dictionaryError(lineNo, `malformed component "${token}"`);
  const variable = m[3].startsWith('..');
  const max = Number(variable ? m[3].slice(2) : m[3]);
  return {
    cset: m[2] as CharacterSet,
    minLength: variable ? 1 : max,
    maxLength: max,
    optional: Boolean(m[1]),
    linters: m[5] ? m[5].slice(1).split(',') : [],
  };
}

function expandAis(token: string, lineNo: number): string[] {
  const m = AI_RANGE.exec(token);
  if (!m) throw dictionaryError(lineNo, `malformed AI "${token}"`);
  if (!m[2]) return [m[1]];
  if (m[1].length !== m[2].length) throw dictionaryError(lineNo, `AI range "${token}" mixes lengths`);
  const ais: string[] = [];
  for (let n = Number(m[1]); n <= Number(m[2]); n++) ais.push(String(n).padStart(m[1].length, '0'));
  return ais;
}

/** Parses the text of the GS1 Barcode Syntax Dictionary (format described in its header). */
export function parseSyntaxDictionary(text: string): SyntaxDictionary {
  const definitions = new Map<string, AiDefinition>();
  const linterNames = new Set<string>();
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const lineNo = index + 1;
    if (rawLine.startsWith('#') || rawLine.trim() === '') return;
    const hash = rawLine.indexOf('#');
    const title = hash >= 0 ? rawLine.slice(hash + 1).trim() : '';
    const tokens = (hash >= 0 ? rawLine.slice(0, hash) : rawLine).trim().split(/\s+/);
    const ais = expandAis(tokens[0], lineNo);
    let i = 1;
    const flags = tokens[i] !== undefined && FLAG_CHARS.test(tokens[i]) && !tokens[i].startsWith('[') ? tokens[i++] : '';
    const components: AiComponent[] = [];
    for (; i < tokens.length && /^\[?[NXYZ]/.test(tokens[i]); i++) components.push(parseComponent(tokens[i], lineNo));
    if (components.length === 0) throw dictionaryError(lineNo, 'no format specification');
    const requires: string[][][] = [];
    const excludes: string[] = [];
    let digitalLinkQualifiers: string[][] | undefined;
    for (; i < tokens.length; i++) {
      const [key, value] = tokens[i].split('=', 2);
      if (key === 'req' && value) requires.push(value.split(',').map((alt) => alt.split('+')));
      else if (key === 'ex' && value) excludes.push(...value.split(','));
      else if (key === 'dlpkey') digitalLinkQualifiers = value ? value.split('|').map((seq) => seq.split(',')) : [[]];
    }
    let seenOptional = false;
    components.forEach((c, k) => {
      if (c.minLength !== c.maxLength && k !== components.length - 1)
        throw dictionaryError(lineNo, 'only the final component may have variable length');
      if (seenOptional && !c.optional) throw dictionaryError(lineNo, 'a mandatory component follows an optional one');
      seenOptional ||= c.optional;
      c.linters.forEach((name) => linterNames.add(name));
    });
    const minLength = components.filter((c) => !c.optional).reduce((n, c) => n + c.minLength, 0);
    const maxLength = components.reduce((n, c) => n + c.maxLength, 0);
    for (const ai of ais) {
      definitions.set(ai, {
        ai,
        title,
        predefinedLength: flags.includes('*'),
        digitalLinkAttribute: flags.includes('?'),
        components,
        minLength,
        maxLength,
        requires,
        excludes,
        digitalLinkQualifiers,
      });
    }
  });
  return { definitions, linterNames };
}

const DICTIONARY_FILE = path.join('gs1-syntax-dictionary', 'gs1-syntax-dictionary.txt');

/**
 * The folder of standards data shipped in the repository (`standards/`, see its README for sources and licences):
 * PHARMATRACE_STANDARDS_DIR if set, else `standards/` at the repository root, found from the source tree
 * (libs/gs1/src) or the build (dist/libs/gs1/src) alike.
 */
export function standardsDir(): string {
  if (process.env.PHARMATRACE_STANDARDS_DIR) return process.env.PHARMATRACE_STANDARDS_DIR;
  const candidates = ['../../../standards', '../../../../standards'].map((rel) => path.resolve(__dirname, rel));
  return candidates.find((candidate) => existsSync(path.join(candidate, 'README.md'))) ?? candidates[0];
}

/** What a person who meets a missing standards file should do about it. */
export const STANDARDS_FIX =
  "the repository's standards/ folder is incomplete: restore it (`git checkout -- standards`), refresh it from upstream (`npm run standards:refresh`), or point PHARMATRACE_STANDARDS_DIR at a complete copy";

export function resolveSyntaxDictionaryPath(explicitPath?: string): string {
  return explicitPath ?? path.join(standardsDir(), DICTIONARY_FILE);
}

let cached: SyntaxDictionary | undefined;

/** Reads and parses the dictionary at `filePath` (or the default location) and makes it the one used by every parser. */
export function loadSyntaxDictionary(filePath?: string): SyntaxDictionary {
  const resolved = resolveSyntaxDictionaryPath(filePath);
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch (err) {
    throw new Gs1Error(
      Gs1ErrorCode.BAD_DICTIONARY,
      `cannot read the GS1 Syntax Dictionary at ${resolved} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ${STANDARDS_FIX}`,
      {
        field: 'dictionary',
      },
    );
  }
  cached = parseSyntaxDictionary(text);
  return cached;
}

/** The dictionary in use, loaded from the default location on first call. */
export function getSyntaxDictionary(): SyntaxDictionary {
  return cached ?? loadSyntaxDictionary();
}

export function findAiDefinition(ai: string): AiDefinition | undefined {
  return getSyntaxDictionary().definitions.get(ai);
}

/** `pattern` uses `n` for any digit, as in the dictionary's `req=`/`ex=` attributes (e.g. `310n`, `35nn`). */
export function aiMatchesPattern(ai: string, pattern: string): boolean {
  if (ai.length !== pattern.length) return false;
  for (let i = 0; i < ai.length; i++) {
    if (pattern[i] !== 'n' && pattern[i] !== ai[i]) return false;
  }
  return true;
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Gs1ErrorCode } from './gs1-error';
import { LINTERS } from './linters';
import {
  aiMatchesPattern,
  getSyntaxDictionary,
  loadSyntaxDictionary,
  parseSyntaxDictionary,
  resolveSyntaxDictionaryPath,
} from './syntax-dictionary';

const dictionaryText = readFileSync(resolveSyntaxDictionaryPath(), 'utf8');

/** AIs listed in the file, counted independently of the parser: first token of each entry line, ranges expanded. */
function aisListedInFile(): string[] {
  const ais: string[] = [];
  for (const line of dictionaryText.split('\n')) {
    const m = /^(\d+)(?:-(\d+))?\s/.exec(line);
    if (!m) continue;
    for (let n = Number(m[1]); n <= Number(m[2] ?? m[1]); n++) ais.push(String(n).padStart(m[1].length, '0'));
  }
  return ais;
}

describe('GS1 Syntax Dictionary', () => {
  const dictionary = getSyntaxDictionary();

  it('loads every AI the file lists', () => {
    const listed = aisListedInFile();
    expect(listed.length).toBeGreaterThan(400);
    expect([...dictionary.definitions.keys()].sort()).toEqual([...new Set(listed)].sort());
  });

  it('has an implementation for every linter the file names', () => {
    const named = new Set(
      dictionaryText
        .split('\n')
        .filter((l) => /^\d/.test(l))
        .flatMap((l) => l.match(/,[a-z][a-z0-9]*/g) ?? [])
        .map((s) => s.slice(1)),
    );
    expect([...named].sort()).toEqual([...dictionary.linterNames].sort());
    expect([...named].filter((name) => !LINTERS[name])).toEqual([]);
  });

  it('has no AI that is a prefix of another, so element strings split unambiguously', () => {
    const ais = [...dictionary.definitions.keys()];
    expect(ais.filter((a) => ais.some((b) => b !== a && b.startsWith(a)))).toEqual([]);
  });

  it('parses flags, components, requisites, exclusions and Digital Link keys', () => {
    expect(dictionary.definitions.get('01')).toMatchObject({
      title: 'GTIN',
      predefinedLength: true,
      digitalLinkAttribute: true,
      minLength: 14,
      maxLength: 14,
      components: [{ cset: 'N', minLength: 14, maxLength: 14, optional: false, linters: ['csum', 'gcppos2'] }],
      excludes: ['255', '37'],
      digitalLinkQualifiers: [['22', '10', '21'], ['235']],
    });
    expect(dictionary.definitions.get('21')).toMatchObject({
      predefinedLength: false,
      digitalLinkAttribute: false,
      maxLength: 20,
      requires: [[['01'], ['03'], ['8006']]],
      excludes: ['235'],
    });
    expect(dictionary.definitions.get('250')!.requires).toEqual([
      [
        ['01', '21'],
        ['03', '21'],
        ['8006', '21'],
      ],
    ]);
    expect(dictionary.definitions.get('00')!.digitalLinkQualifiers).toEqual([[]]);
    expect(dictionary.definitions.get('423')).toMatchObject({ minLength: 3, maxLength: 15 });
    expect(dictionary.definitions.get('423')!.components[1]).toEqual({
      cset: 'N',
      minLength: 3,
      maxLength: 3,
      optional: true,
      linters: ['iso3166'],
    });
    expect(dictionary.definitions.get('3103')).toMatchObject({ title: 'NET WEIGHT (kg)', excludes: ['310n'] });
    expect(dictionary.definitions.get('8110')!.title).toBe('');
  });

  it('matches AI patterns with n as a digit wildcard', () => {
    expect(aiMatchesPattern('3102', '310n')).toBe(true);
    expect(aiMatchesPattern('3512', '35nn')).toBe(true);
    expect(aiMatchesPattern('3112', '310n')).toBe(false);
    expect(aiMatchesPattern('31', '310n')).toBe(false);
  });

  it('rejects malformed dictionary lines with BAD_DICTIONARY', () => {
    expect(() => parseSyntaxDictionary('01 *? Q14 # bad')).toThrow(expect.objectContaining({ code: Gs1ErrorCode.BAD_DICTIONARY }));
    expect(() => parseSyntaxDictionary('99 X..5 N2 # var not last')).toThrow(
      expect.objectContaining({ code: Gs1ErrorCode.BAD_DICTIONARY }),
    );
    expect(() => parseSyntaxDictionary('99 [N2] N2 # mandatory after optional')).toThrow(
      expect.objectContaining({ code: Gs1ErrorCode.BAD_DICTIONARY }),
    );
  });

  it("reads the repository's own copy by default", () => {
    expect(resolveSyntaxDictionaryPath()).toBe(
      path.resolve(__dirname, '../../../standards/gs1-syntax-dictionary/gs1-syntax-dictionary.txt'),
    );
  });

  it('resolves the path from PHARMATRACE_STANDARDS_DIR and reports an unreadable file', () => {
    const saved = process.env.PHARMATRACE_STANDARDS_DIR;
    try {
      process.env.PHARMATRACE_STANDARDS_DIR = '/nonexistent/standards';
      expect(resolveSyntaxDictionaryPath()).toBe('/nonexistent/standards/gs1-syntax-dictionary/gs1-syntax-dictionary.txt');
      expect(() => loadSyntaxDictionary()).toThrow(expect.objectContaining({ code: Gs1ErrorCode.BAD_DICTIONARY }));
      // The message names the file and what to do about it.
      expect(() => loadSyntaxDictionary()).toThrow(
        /\/nonexistent\/standards\/gs1-syntax-dictionary\/gs1-syntax-dictionary\.txt \(ENOENT\).*git checkout -- standards/,
      );
    } finally {
      if (saved === undefined) delete process.env.PHARMATRACE_STANDARDS_DIR;
      else process.env.PHARMATRACE_STANDARDS_DIR = saved;
      loadSyntaxDictionary();
    }
  });
});

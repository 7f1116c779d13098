import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * Every SQL statement and fragment the repositories hold, by file and function, kept as a jest snapshot beside this spec
 * (as immich keeps its query snapshots): a change to what the platform asks of Postgres shows in review as a diff of
 * that file, and `npm test` (jest --ci) fails when the snapshot was not updated with it. Read from the source, so
 * dynamic pieces appear as the expressions that fill them (`${p(criteria.gtin)}`); the migrations' SQL is covered by
 * the schema snapshot of test/integration/schema.spec.ts.
 */
const DIR = __dirname;
/** A literal is SQL when it holds one of these words as SQL is written here (upper case). */
const SQL_WORD =
  /\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|JOIN|VALUES|RETURNING|ORDER BY|GROUP BY|LIMIT|ON CONFLICT|WITH|ANY|COALESCE|EXISTS|AND|OR|NOT|LOCK|SET|AS)\b/;

function enclosingName(node: ts.Node): string {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if ((ts.isMethodDeclaration(n) || ts.isFunctionDeclaration(n) || ts.isPropertyDeclaration(n)) && n.name) return n.name.getText();
    // A module's constant names its SQL; a local variable inside a function does not (the function does).
    if (ts.isVariableDeclaration(n) && ts.isSourceFile(n.parent.parent.parent)) return n.name.getText();
  }
  return '(module)';
}

/** The literal's text as written, each line trimmed, blank lines dropped. */
function sqlOf(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression, source: ts.SourceFile): string {
  const raw = node.getText(source).slice(1, -1);
  return raw
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
}

function statementsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(DIR, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      const sql = sqlOf(node, source);
      // Literals nested in a template's substitutions are listed inside it already.
      const inTemplate = ts.isTemplateSpan(node.parent) || ts.isTemplateExpression(node.parent);
      if (SQL_WORD.test(sql) && !inTemplate && !ts.isImportDeclaration(node.parent)) {
        found.push(`-- ${enclosingName(node)}\n${sql}`);
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('SQL the repositories issue', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .sort();

  it.each(files)('%s', (file) => {
    expect(`\n${statementsOf(file).join('\n\n')}\n`).toMatchSnapshot();
  });

  it('finds the statements it snapshots', () => {
    const all = files.flatMap(statementsOf).join('\n');
    expect(all).toMatch(/INSERT INTO alert/);
    expect(all).toMatch(/FROM pack_state/);
    // Only the two query helpers hold no SQL of their own.
    expect(files.filter((f) => statementsOf(f).length === 0)).toEqual(['prepared-query.ts', 'sql-query.ts']);
  });
});

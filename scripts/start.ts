/**
 * One-command start: finds or starts Postgres, Redis and a local chain, then runs the API and the worker
 * against them, and stops all of it, in order, on Ctrl-C / SIGTERM. Every service given in the environment
 * (DATABASE_URL, REDIS_URL, CHAIN_RPC_URL + ANCHOR_CONTRACT_ADDRESS + ANCHORER_PRIVATE_KEY) is used as is.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runMigrations } from '@pharmatrace/persistence';
import { resolveAdminToken } from './dev-services/admin-token.store';
import { type AppProcess, appCommand, spawnApp } from './dev-services/app.process';
import { type ChainHandle, provideChain } from './dev-services/chain.provider';
import { type PostgresHandle, providePostgres, redactUrl } from './dev-services/postgres.provider';
import { type RedisHandle, provideRedis } from './dev-services/redis.provider';
import { StartError, StartErrorCode } from './dev-services/start.error';

const READY_TIMEOUT_MS = 120_000;

function log(line: string): void {
  process.stdout.write(`[start] ${line}\n`);
}

function repoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'pharmatrace') return dir;
  }
  throw new Error(`no pharmatrace package.json above ${__dirname}`);
}

interface Running {
  apps: AppProcess[];
  chain?: ChainHandle;
  postgres?: PostgresHandle;
  redis?: RedisHandle;
}

const running: Running = { apps: [] };
let stopping: Promise<void> | undefined;
/** The start-up step in flight: a stop waits for it so whatever it brings up is stopped too. */
let pending: Promise<unknown> = Promise.resolve();

function step<T>(work: Promise<T>): Promise<T> {
  pending = work.catch(() => undefined);
  return work;
}

async function stopQuietly(name: string, stop: () => Promise<void>): Promise<void> {
  try {
    await stop();
  } catch (error) {
    log(`could not stop ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Apps first so they drain against live services; then the chain (anvil writes its state), Postgres, Redis. */
function shutdown(exitCode: number): Promise<void> {
  stopping ??= (async () => {
    await pending;
    await Promise.all(running.apps.map((app) => stopQuietly(app.name, () => app.stop())));
    if (running.chain) await stopQuietly('anvil', running.chain.stop);
    if (running.postgres) await stopQuietly('Postgres', running.postgres.stop);
    if (running.redis) await stopQuietly('Redis', running.redis.stop);
    log('stopped');
    process.exit(exitCode);
  })();
  return stopping;
}

async function waitForHealth(port: number, api: AppProcess): Promise<void> {
  let exited: number | string | undefined;
  void api.exited.then((code) => (exited = code));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new StartError(StartErrorCode.APP_EXITED, `api exited (${exited}) before answering /health`, 'api');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new StartError(StartErrorCode.APP_NOT_READY, `api did not answer /health on port ${port} within ${READY_TIMEOUT_MS / 1000} s`, 'api');
}

function banner(port: number, adminToken: string | undefined, adminTokenFile: string | undefined, chain: ChainHandle, postgres: PostgresHandle, redis: RedisHandle): void {
  const lines = [
    'pharmatrace is ready',
    `  GraphQL      http://localhost:${port}/graphql  (POST, header "Authorization: Bearer <token>")`,
    `  GraphiQL     http://localhost:${port}/graphql  (open in a browser)`,
    adminToken ? `  Admin token  ${adminToken}${adminTokenFile ? `  (kept in ${adminTokenFile})` : ''}` : '  Admin token  none: ADMIN_TOKEN is not set (production), admin operations are refused',
    `  Chain        ${chain.rpcUrl}${chain.chainId ? ` (chain ${chain.chainId})` : ''}, AnchorRegistry ${chain.contractAddress}${chain.deployed ? ' (deployed now)' : ''}`,
    `  Postgres     ${redactUrl(postgres.url)} (${postgres.source})`,
    `  Redis        ${redactUrl(redis.url)} (${redis.source})`,
    'Ctrl-C stops everything.',
  ];
  for (const line of lines) log(line);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const root = repoRoot();
  const env = process.env;
  const dataDir = path.resolve(root, env.PHARMATRACE_DATA_DIR ?? '.data');
  const fromSource = __filename.endsWith('.ts');

  const postgres = (running.postgres = await step(providePostgres({ env, dataDir, log })));
  if (stopping) return;
  const redis = (running.redis = await step(provideRedis({ env, dataDir, log })));
  if (stopping) return;
  const chain = (running.chain = await step(provideChain({ env, dataDir, log })));
  if (stopping) return;
  const admin = resolveAdminToken(env, dataDir);

  const applied = await step(runMigrations(postgres.url));
  log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');

  const port = Number(env.PORT ?? 3000);
  const appEnv: NodeJS.ProcessEnv = {
    ...env,
    PORT: String(port),
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    CHAIN_RPC_URL: chain.rpcUrl,
    ANCHOR_CONTRACT_ADDRESS: chain.contractAddress,
    ...(chain.deployedAtBlock !== undefined ? { ANCHOR_CONTRACT_DEPLOYED_AT_BLOCK: String(chain.deployedAtBlock) } : {}),
    ANCHORER_PRIVATE_KEY: chain.anchorerPrivateKey,
    ...(chain.chainId ? { CHAIN_ID: String(chain.chainId) } : {}),
    ...(admin ? { ADMIN_TOKEN: admin.token } : {}),
  };
  if (stopping) return;
  const api = spawnApp('api', appCommand(root, 'api', fromSource), { cwd: root, env: appEnv });
  const worker = spawnApp('worker', appCommand(root, 'worker', fromSource), { cwd: root, env: appEnv });
  running.apps.push(api, worker);
  for (const app of running.apps) {
    void app.exited.then((code) => {
      if (stopping) return;
      log(`${app.name} exited (${code}); stopping everything`);
      void shutdown(1);
    });
  }

  await waitForHealth(port, api);
  if (!stopping) banner(port, admin?.token, admin?.source === 'env' ? undefined : admin?.file, chain, postgres, redis);
}

main().catch((error: unknown) => {
  if (stopping) return;
  log(error instanceof Error ? error.message : String(error));
  void shutdown(1);
});

/**
 * One-command start: finds or starts Postgres, Redis and a local chain, then runs the API and the worker
 * against them, and stops all of it, in order, on Ctrl-C / SIGTERM. Every service given in the environment
 * (DATABASE_URL, REDIS_URL, CHAIN_RPC_URL + ANCHOR_CONTRACT_ADDRESS + ANCHORER_PRIVATE_KEY) is used as is.
 * A crashed API or worker is restarted with backoff while everything else keeps running; what runs is written to
 * `<data folder>/services.json` for the CLIs.
 */
import { APP_ROLE, appLoginUrl, ensureAppLogin, runMigrations } from '@pharmatrace/persistence';
import { resolveAdminToken } from './dev-services/admin-token.store';
import { appCommand, type SupervisedApp, superviseApp } from './dev-services/app.process';
import { type ChainHandle, provideChain } from './dev-services/chain.provider';
import { type PostgresHandle, providePostgres, redactUrl } from './dev-services/postgres.provider';
import { type RedisHandle, provideRedis } from './dev-services/redis.provider';
import { dataDirOf, removeServices, repoRoot, writeServices } from './dev-services/services.manifest';
import { StartError, StartErrorCode } from './dev-services/start.error';

const READY_TIMEOUT_MS = 120_000;

function log(line: string): void {
  process.stdout.write(`[start] ${line}\n`);
}

interface Running {
  apps: SupervisedApp[];
  dataDir?: string;
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
    // The CLIs read it to find these services: once they are gone it would only send them to closed ports.
    if (running.dataDir) removeServices(running.dataDir, process.pid);
    if (running.chain) await stopQuietly('anvil', running.chain.stop);
    if (running.postgres) await stopQuietly('Postgres', running.postgres.stop);
    if (running.redis) await stopQuietly('Redis', running.redis.stop);
    log('stopped');
    process.exit(exitCode);
  })();
  return stopping;
}

/** The first API process must come up: one that cannot even start is an error to show, not a crash to retry. */
async function waitForHealth(port: number, api: SupervisedApp): Promise<void> {
  let exited: number | string | undefined;
  void api.current().exited.then((code) => (exited = code));
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
  throw new StartError(
    StartErrorCode.APP_NOT_READY,
    `api did not answer /health on port ${port} within ${READY_TIMEOUT_MS / 1000} s`,
    'api',
  );
}

function banner(
  port: number,
  adminToken: string | undefined,
  adminTokenFile: string | undefined,
  chain: ChainHandle,
  postgres: PostgresHandle,
  redis: RedisHandle,
  servicesFile: string,
): void {
  const lines = [
    'pharmatrace is ready',
    `  Home         http://localhost:${port}/  (the pages below and the docs)`,
    `  GraphiQL     http://localhost:${port}/graphiql  (GraphQL in the browser)`,
    `  Scanner      http://localhost:${port}/scan  (pharmacists)`,
    `  Explorer     http://localhost:${port}/explorer  (regulators)`,
    `  Docs         http://localhost:${port}/docs/README.md`,
    `  GraphQL      http://localhost:${port}/graphql  (POST, header "Authorization: Bearer <token>")`,
    `  Health       http://localhost:${port}/health/ready  (metrics at /metrics)`,
    adminToken
      ? `  Admin token  ${adminToken}${adminTokenFile ? `  (kept in ${adminTokenFile})` : ''}`
      : '  Admin token  none: ADMIN_TOKEN is not set (production), admin operations are refused',
    `  Chain        ${chain.rpcUrl}${chain.chainId ? ` (chain ${chain.chainId})` : ''}, AnchorRegistry ${chain.contractAddress}${chain.deployed ? ' (deployed now)' : ''}`,
    `  Postgres     ${redactUrl(postgres.url)} (${postgres.source})`,
    `  Redis        ${redactUrl(redis.url)} (${redis.source})`,
    `  CLIs         npm run audit / demo / verify find these services in ${servicesFile}`,
    'Ctrl-C stops everything.',
  ];
  for (const line of lines) log(line);
}

/**
 * The API and worker log in as a login that holds nothing but the application role (docs/security.md). An owner that
 * may not create roles (a managed database's restricted login) leaves them the owner's login, acting as the role, and
 * says so.
 */
async function provideAppLogin(ownerUrl: string, appRole: string): Promise<string> {
  const appUrl = appLoginUrl(ownerUrl, appRole);
  try {
    await ensureAppLogin(ownerUrl, appUrl, appRole);
    log(`the API and worker log in as ${new URL(appUrl).username} (role ${appRole} only)`);
    return appUrl;
  } catch (e) {
    log(
      `the API and worker log in as the database owner, acting as ${appRole}: the login ${appRole}_login could not be made (${e instanceof Error ? e.message : String(e)})`,
    );
    return ownerUrl;
  }
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const root = repoRoot();
  const env = process.env;
  const dataDir = (running.dataDir = dataDirOf(env, root));
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
  const appDatabaseUrl = await provideAppLogin(postgres.url, env.DATABASE_APP_ROLE ?? APP_ROLE);

  const port = Number(env.PORT ?? 3000);
  const appEnv: NodeJS.ProcessEnv = {
    ...env,
    PORT: String(port),
    DATABASE_URL: appDatabaseUrl,
    REDIS_URL: redis.url,
    CHAIN_RPC_URL: chain.rpcUrl,
    ANCHOR_CONTRACT_ADDRESS: chain.contractAddress,
    ...(chain.deployedAtBlock !== undefined ? { ANCHOR_CONTRACT_DEPLOYED_AT_BLOCK: String(chain.deployedAtBlock) } : {}),
    ANCHORER_PRIVATE_KEY: chain.anchorerPrivateKey,
    ...(chain.chainId ? { CHAIN_ID: String(chain.chainId) } : {}),
    ...(admin ? { ADMIN_TOKEN: admin.token } : {}),
  };
  if (stopping) return;
  const api = superviseApp('api', appCommand(root, 'api', fromSource), { cwd: root, env: appEnv, log });
  const worker = superviseApp('worker', appCommand(root, 'worker', fromSource), { cwd: root, env: appEnv, log });
  running.apps.push(api, worker);

  await waitForHealth(port, api);
  if (stopping) return;
  const servicesFile = writeServices(dataDir, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    api: { url: `http://127.0.0.1:${port}`, port },
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    chain: { rpcUrl: chain.rpcUrl, chainId: chain.chainId, contractAddress: chain.contractAddress, deployedAtBlock: chain.deployedAtBlock },
    adminTokenFile: admin?.source === 'env' ? undefined : admin?.file,
  });
  banner(port, admin?.token, admin?.source === 'env' ? undefined : admin?.file, chain, postgres, redis, servicesFile);
}

main().catch((error: unknown) => {
  if (stopping) return;
  log(error instanceof Error ? error.message : String(error));
  void shutdown(1);
});

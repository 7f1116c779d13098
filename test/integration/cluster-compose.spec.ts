import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '@pharmatrace/config';
import { parse } from 'yaml';
import { findClusterBinaries, haproxyConfig } from '../../scripts/dev-services/cluster.topology';

/**
 * Issue 18: the production compose file runs the topology the cluster profile runs (and cluster-profile.spec tests).
 * There is no Docker engine here, so what can be proved without one is: the file names that topology, each process's
 * environment passes the configuration's own validation, HAProxy's configuration is valid for Debian's HAProxy, and
 * the scripts parse.
 */
const ROOT = path.join(__dirname, '..', '..');
const DEPLOY = path.join(ROOT, 'deploy', 'cluster');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

/** Compose's interpolation: `${X:-default}`, `${X:?message}` (X must be set), `$$` for a literal `$`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value
    .replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
      if (env[name] !== undefined) return env[name];
      if (kind === '-') return rest ?? '';
      throw new Error(`${name} must be set: ${rest}`);
    })
    .replace(/\$\$/g, '$');
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.cluster.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const environment = (name: string, env: Record<string, string> = { ADMIN_TOKEN: 'an-admin-token-of-32-characters!' }) =>
  Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, interpolate(String(v), env)]));
const host = (url: string) => new URL(url).hostname;

describe('docker-compose.cluster.yml: the cluster profile in containers', () => {
  it('runs a primary and a streaming replica, PgBouncer in transaction mode, a 3-node Redis Cluster, two APIs behind HAProxy, two workers', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgres', 'postgres-replica', 'pgbouncer', 'redis-1', 'redis-2', 'redis-3', 'api', 'worker', 'haproxy']),
    );
    expect(services.api.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(services.worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
    for (const node of ['redis-1', 'redis-2', 'redis-3'])
      expect(services[node].command).toEqual(expect.arrayContaining(['--cluster-enabled', 'yes']));
    expect(readFileSync(path.join(DEPLOY, 'redis-cluster-init.sh'), 'utf8')).toMatch(
      /--cluster create[^\n]*redis-1[^\n]*redis-2[^\n]*redis-3/,
    );
    expect(readFileSync(path.join(DEPLOY, 'replica-entrypoint.sh'), 'utf8')).toMatch(/pg_basebackup/);
    expect(readFileSync(path.join(DEPLOY, 'pgbouncer.ini'), 'utf8')).toMatch(/^pool_mode = transaction$/m);
    // Every image pinned by exact version, as in docker-compose.yml.
    for (const [name, s] of Object.entries(services))
      expect([name, s.image]).toEqual([name, expect.stringMatching(/:\d+(\.\d+)+(-\w+)?$|:v\d+(\.\d+)+$/)]);
  });

  it('gives each process an environment the configuration accepts: the API through PgBouncer with replica reads, the worker on the primary', () => {
    const api = environment('api');
    const apiConfig = loadConfig(api);
    expect(host(api.DATABASE_URL)).toBe('pgbouncer');
    expect(apiConfig.database).toMatchObject({ poolMode: 'transaction' });
    expect(api.DATABASE_REPLICA_URLS.split(',').map(host)).toEqual(['postgres-replica']);
    expect(apiConfig.redisCluster?.length).toBe(3);

    const worker = environment('worker');
    loadConfig(worker);
    // The anchorer lease is a session advisory lock: never through a transaction pooler (the worker refuses one).
    expect(host(worker.DATABASE_URL)).toBe('postgres');
    expect(worker.DATABASE_POOL_MODE).toBeUndefined();
  });

  it("HAProxy's configuration is valid for Debian's HAProxy, and balances over the API's health check as the local profile does", () => {
    const cfg = path.join(DEPLOY, 'haproxy.cfg');
    const binaries = findClusterBinaries();
    if (!('found' in binaries)) throw new Error(`missing ${binaries.missing.join(', ')}: apt-get install haproxy`);
    const out = execFileSync(binaries.found.haproxy, ['-c', '-f', cfg], { encoding: 'utf8' });
    expect(out).toMatch(/Configuration file is valid/);
    const backend = (text: string) =>
      text
        .split('\n')
        .filter((l) => /^\s*(balance|option httpchk|mode|retries|option redispatch)\b/.test(l))
        .map((l) => l.trim());
    expect(backend(readFileSync(cfg, 'utf8'))).toEqual(backend(haproxyConfig({ port: 3000, backends: ['127.0.0.1:3001'] })));
    expect(backend(readFileSync(cfg, 'utf8'))).toEqual(expect.arrayContaining(['balance roundrobin', 'option httpchk GET /health']));
  });

  it.each(readdirSync(DEPLOY).filter((f) => f.endsWith('.sh')))('%s parses as a POSIX shell script', (file) => {
    execFileSync('sh', ['-n', path.join(DEPLOY, file)]);
  });
});

/**
 * What `npm start` runs, written to `<data folder>/services.json` so that `npm run audit`, `demo` and `verify`
 * reach the same API, database (embedded included), Redis, chain and registry with no environment set.
 * The environment always wins: a variable that is set is never replaced by the file.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SERVICES_FILE = 'services.json';

export interface DevServices {
  /** The supervisor's pid, so a reader can tell a file left by a killed supervisor. */
  pid: number;
  startedAt: string;
  api: { url: string; port: number };
  /** Local development data (mode 0600); logs print it redacted. */
  databaseUrl: string;
  redisUrl: string;
  chain: { rpcUrl: string; chainId?: number; contractAddress: string; deployedAtBlock?: number };
  adminTokenFile?: string;
}

/** The repository root: the folder of the package.json named pharmatrace above `from` (source or dist/). */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'pharmatrace') return dir;
  }
  throw new Error(`no pharmatrace package.json above ${from}`);
}

export function dataDirOf(env: Record<string, string | undefined>, root: string = repoRoot()): string {
  return path.resolve(root, env.PHARMATRACE_DATA_DIR ?? '.data');
}

export function writeServices(dataDir: string, services: DevServices): string {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, SERVICES_FILE);
  writeFileSync(file, `${JSON.stringify(services, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/** Removes the file only if `pid` wrote it: a second supervisor failing on the same folder leaves the first's alone. */
export function removeServices(dataDir: string, pid: number): void {
  if (readServices(dataDir)?.pid === pid) rmSync(path.join(dataDir, SERVICES_FILE), { force: true });
}

export function readServices(dataDir: string): DevServices | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, SERVICES_FILE), 'utf8')) as DevServices;
  } catch {
    return undefined;
  }
}

function readToken(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The environment a CLI runs with: each group of variables `npm start` gave its apps, read from services.json
 * when none of the group is set. A group is taken whole or not at all: a contract address from the environment
 * with the file's RPC URL (or deployment block) would mix two chains.
 */
export function withDevServices(
  env: Record<string, string | undefined>,
  services: DevServices | undefined,
): Record<string, string | undefined> {
  if (!services) return { ...env };
  const optional = (value: number | undefined) => (value === undefined ? undefined : String(value));
  const groups: Record<string, string | undefined>[] = [
    { API_URL: `${services.api.url}/graphql`, PORT: undefined },
    { DATABASE_URL: services.databaseUrl },
    { REDIS_URL: services.redisUrl },
    {
      CHAIN_RPC_URL: services.chain.rpcUrl,
      CHAIN_ID: optional(services.chain.chainId),
      ANCHOR_CONTRACT_ADDRESS: services.chain.contractAddress,
      ANCHOR_CONTRACT_DEPLOYED_AT_BLOCK: optional(services.chain.deployedAtBlock),
    },
    { ADMIN_TOKEN: readToken(services.adminTokenFile) },
  ];
  const merged = { ...env };
  for (const group of groups) {
    if (Object.keys(group).some((name) => env[name])) continue;
    for (const [name, value] of Object.entries(group)) if (value !== undefined) merged[name] = value;
  }
  return merged;
}

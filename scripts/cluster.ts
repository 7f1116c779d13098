/**
 * `npm run cluster`: the local cluster profile (docs/scaling.md) — a Postgres primary and a streaming replica,
 * PgBouncer, a 3-node Redis Cluster, two API processes behind HAProxy, two workers and anvil, on this machine, from
 * Debian's binaries. Ctrl-C stops all of it; the data folder is temporary.
 */
import { randomBytes } from 'node:crypto';
import { CLUSTER_INSTALL_HINT, type ClusterHandle, findClusterBinaries, startCluster } from './dev-services/cluster.topology';
import { repoRoot } from './dev-services/services.manifest';

function log(line: string): void {
  process.stdout.write(`[cluster] ${line}\n`);
}

async function main(): Promise<void> {
  const binaries = findClusterBinaries();
  if ('missing' in binaries) {
    log(`missing: ${binaries.missing.join(', ')}. Install them: ${CLUSTER_INSTALL_HINT}`);
    process.exit(1);
  }
  const adminToken = process.env.ADMIN_TOKEN ?? randomBytes(18).toString('base64url');
  const running: { cluster?: ClusterHandle } = {};
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await running.cluster?.stop();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  const cluster = (running.cluster = await startCluster({
    binaries: binaries.found,
    port: process.env.PORT ? Number(process.env.PORT) : undefined,
    adminToken,
    fromSource: __filename.endsWith('.ts'),
    root: repoRoot(),
    log,
  }));
  log(`ready: ${cluster.url} (GraphQL at /graphql, /health/ready, /metrics); admin token ${adminToken}`);
  log(`primary ${cluster.ownerUrl}, replica ${cluster.replicaOwnerUrl}; Ctrl-C stops everything`);
}

main().catch((e: unknown) => {
  log(e instanceof Error ? e.message : String(e));
  process.exit(1);
});

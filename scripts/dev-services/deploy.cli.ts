/**
 * One-shot set-up for docker-compose: migrates the database as its owner (DATABASE_URL), makes the login of
 * APP_DATABASE_URL, which the api and worker connect with, hold nothing but the application role, and makes sure an
 * AnchorRegistry is deployed, then writes its deployment record (address, chain id) to DEPLOYMENT_FILE for them to read.
 */
import { Wallet } from 'ethers';
import { probeChainId } from '@pharmatrace/chain';
import { APP_ROLE, ensureAppLogin, runMigrations } from '@pharmatrace/persistence';
import { ensureAnchorRegistry } from './chain.provider';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const applied = await runMigrations(required('DATABASE_URL'));
  console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
  const appRole = process.env.DATABASE_APP_ROLE ?? APP_ROLE;
  // Behind a transaction-mode pooler the login itself must switch to the role (docs/scaling.md).
  await ensureAppLogin(required('DATABASE_URL'), required('APP_DATABASE_URL'), appRole, {
    defaultRole: process.env.DATABASE_POOL_MODE === 'transaction',
  });
  console.log(`login ${new URL(required('APP_DATABASE_URL')).username} holds role ${appRole} only`);
  const rpcUrl = required('CHAIN_RPC_URL');
  const anchorer = new Wallet(required('ANCHORER_PRIVATE_KEY')).address;
  const { deployment, deployed } = await ensureAnchorRegistry({
    rpcUrl,
    chainId: await probeChainId(rpcUrl),
    deployerPrivateKey: required('DEPLOYER_PRIVATE_KEY'),
    anchorer,
    deploymentFile: required('DEPLOYMENT_FILE'),
  });
  console.log(`AnchorRegistry ${deployment.address} on chain ${deployment.chainId}${deployed ? ' (deployed now)' : ' (already deployed)'}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

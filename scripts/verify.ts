/**
 * `npm run verify -- <bundle.json>`: the published pharmatrace-verify CLI with the chain `npm start` runs as its
 * default --rpc (CHAIN_RPC_URL when set, else <data folder>/services.json). The CLI itself stays free of this
 * repository's code since it ships alone; any --rpc given is passed through untouched. Exit codes are the CLI's.
 */
import { main } from '../packages/verify/src/cli';
import { dataDirOf, readServices, withDevServices } from './dev-services/services.manifest';

const args = process.argv.slice(2);
const rpcGiven = args.some((arg) => arg === '--rpc' || arg.startsWith('--rpc='));
const rpcUrl = withDevServices(process.env, readServices(dataDirOf(process.env))).CHAIN_RPC_URL;
const argv = rpcGiven || !rpcUrl ? args : [...args, '--rpc', rpcUrl];

main(argv).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`pharmatrace-verify: internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 4;
  },
);

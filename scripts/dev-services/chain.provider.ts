import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type AnvilInstance, deployAnchorRegistry, startAnvil } from '@pharmatrace/chain';
import { isPortFree } from './local-port';
import { StartError, StartErrorCode } from './start.error';

export interface ChainHandle {
  rpcUrl: string;
  chainId: number | undefined;
  contractAddress: string;
  /** Where the registry's logs start, when the supervisor deployed it; an external chain says so in its own env. */
  deployedAtBlock?: number;
  anchorerPrivateKey: string;
  source: 'env' | 'anvil';
  /** True when the registry was deployed during this start. */
  deployed: boolean;
  stop(): Promise<void>;
}

export interface ChainOptions {
  env: Record<string, string | undefined>;
  dataDir: string;
  anvilPort?: number;
  blockTimeSeconds?: number;
  log?: (line: string) => void;
}

export interface RegistryDeployment {
  chainId: number;
  address: string;
  blockNumber: number;
  txHash: string;
}

export interface EnsureRegistryOptions {
  rpcUrl: string;
  chainId: number;
  deployerPrivateKey: string;
  anchorer: string;
  deploymentFile: string;
}

async function rpc<T>(rpcUrl: string, method: string, params: unknown[]): Promise<T> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error || body.result === undefined) throw new Error(`${method}: ${body.error?.message ?? 'no result'}`);
  return body.result;
}

function readDeployment(file: string): RegistryDeployment | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RegistryDeployment;
  } catch {
    return undefined;
  }
}

/**
 * Reuses the registry recorded in `deploymentFile` while the chain still holds its code, and deploys a new
 * one otherwise (first start, or chain state lost), so anchors keep verifying against one contract.
 */
export async function ensureAnchorRegistry(options: EnsureRegistryOptions): Promise<{ deployment: RegistryDeployment; deployed: boolean }> {
  const recorded = readDeployment(options.deploymentFile);
  if (recorded && recorded.chainId === options.chainId) {
    const code = await rpc<string>(options.rpcUrl, 'eth_getCode', [recorded.address, 'latest']);
    if (code !== '0x') return { deployment: recorded, deployed: false };
  }
  const result = await deployAnchorRegistry({
    rpcUrl: options.rpcUrl,
    chainId: options.chainId,
    privateKey: options.deployerPrivateKey,
    anchorer: options.anchorer,
  });
  const deployment: RegistryDeployment = { chainId: options.chainId, ...result };
  mkdirSync(path.dirname(options.deploymentFile), { recursive: true });
  writeFileSync(options.deploymentFile, `${JSON.stringify(deployment, null, 2)}\n`);
  return { deployment, deployed: true };
}

export async function provideChain(options: ChainOptions): Promise<ChainHandle> {
  const { CHAIN_RPC_URL, ANCHOR_CONTRACT_ADDRESS, ANCHORER_PRIVATE_KEY, CHAIN_ID } = options.env;
  if (CHAIN_RPC_URL && ANCHOR_CONTRACT_ADDRESS && ANCHORER_PRIVATE_KEY) {
    return {
      rpcUrl: CHAIN_RPC_URL,
      chainId: CHAIN_ID ? Number(CHAIN_ID) : undefined,
      contractAddress: ANCHOR_CONTRACT_ADDRESS,
      anchorerPrivateKey: ANCHORER_PRIVATE_KEY,
      source: 'env',
      deployed: false,
      stop: async () => undefined,
    };
  }
  const partial = ['CHAIN_RPC_URL', 'ANCHOR_CONTRACT_ADDRESS', 'ANCHORER_PRIVATE_KEY'].filter((name) => options.env[name]);
  if (partial.length > 0)
    options.log?.(
      `ignoring ${partial.join(', ')}: an external chain needs CHAIN_RPC_URL, ANCHOR_CONTRACT_ADDRESS and ANCHORER_PRIVATE_KEY together`,
    );

  const dir = path.join(options.dataDir, 'anvil');
  mkdirSync(dir, { recursive: true });
  const preferred = options.anvilPort ?? 8545;
  let anvil: AnvilInstance;
  try {
    anvil = await startAnvil({
      port: (await isPortFree(preferred)) ? preferred : 0,
      stateFile: path.join(dir, 'state.json'),
      blockTime: options.blockTimeSeconds ?? 1,
      silent: true,
    });
  } catch (error) {
    throw new StartError(
      StartErrorCode.CHAIN_UNAVAILABLE,
      `anvil failed to start: ${error instanceof Error ? error.message : String(error)}`,
      'chain',
      'CHAIN_RPC_URL',
      { cause: error },
    );
  }
  // Separate keys for admin and anchorer: the worker's nonces never race a deployment.
  const [admin, anchorer] = anvil.accounts;
  try {
    const { deployment, deployed } = await ensureAnchorRegistry({
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      deployerPrivateKey: admin.privateKey,
      anchorer: anchorer.address,
      deploymentFile: path.join(dir, 'deployment.json'),
    });
    return {
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      contractAddress: deployment.address,
      deployedAtBlock: deployment.blockNumber,
      anchorerPrivateKey: anchorer.privateKey,
      source: 'anvil',
      deployed,
      stop: () => anvil.stop(),
    };
  } catch (error) {
    await anvil.stop();
    throw new StartError(
      StartErrorCode.CHAIN_UNAVAILABLE,
      `AnchorRegistry deployment failed: ${error instanceof Error ? error.message : String(error)}`,
      'chain',
      'ANCHOR_CONTRACT_ADDRESS',
      { cause: error },
    );
  }
}

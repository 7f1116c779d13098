import { FetchRequest, JsonRpcProvider, Network } from 'ethers';
import { ChainError, ChainErrorCode, toChainError } from './chain.error';

export interface RpcConnectionOptions {
  rpcUrl: string;
  chainId?: number;
  /** Per-request timeout; a node that accepts connections but never answers must not hang callers. */
  requestTimeoutMs?: number;
  /** Receipt and block polling period; 250 ms suits local chains that mine in well under a second. */
  pollingIntervalMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_POLLING_INTERVAL_MS = 250;

export function assertRpcUrl(rpcUrl: string, operation: string): void {
  let protocol: string;
  try {
    protocol = new URL(rpcUrl).protocol;
  } catch {
    throw new ChainError(ChainErrorCode.BAD_CONFIG, 'rpcUrl is not a URL', { operation, field: 'rpcUrl' });
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new ChainError(ChainErrorCode.BAD_CONFIG, `rpcUrl must be http(s), got ${protocol}`, { operation, field: 'rpcUrl' });
  }
}

export function assertChainId(chainId: number | undefined, operation: string): void {
  if (chainId !== undefined && (!Number.isSafeInteger(chainId) || chainId <= 0)) {
    throw new ChainError(ChainErrorCode.BAD_CONFIG, `chainId must be a positive integer, got ${chainId}`, { operation, field: 'chainId' });
  }
}

function fetchRequest(rpcUrl: string, timeoutMs: number): FetchRequest {
  const request = new FetchRequest(rpcUrl);
  request.timeout = timeoutMs;
  return request;
}

/**
 * Asks the node for its chain id once, with a timeout. ethers' own network detection retries
 * forever against an unreachable node, so providers are only ever built with a static network.
 */
export async function probeChainId(rpcUrl: string, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS, operation = 'probeChainId'): Promise<number> {
  const request = fetchRequest(rpcUrl, timeoutMs);
  request.body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] });
  request.setHeader('content-type', 'application/json');
  try {
    const response = await request.send();
    response.assertOk();
    const result = (response.bodyJson as { result?: unknown }).result;
    if (typeof result !== 'string') throw new Error(`eth_chainId answered ${JSON.stringify(response.bodyJson)}`);
    return Number(BigInt(result));
  } catch (error) {
    const mapped = toChainError(error, operation);
    if (mapped.code !== ChainErrorCode.UNKNOWN) throw mapped;
    throw new ChainError(
      ChainErrorCode.RPC_UNAVAILABLE,
      `no JSON-RPC answer from ${new URL(rpcUrl).host}: ${mapped.message}`,
      { operation },
      { cause: error },
    );
  }
}

export function createProvider(options: RpcConnectionOptions & { chainId: number }): JsonRpcProvider {
  const network = Network.from(options.chainId);
  return new JsonRpcProvider(fetchRequest(options.rpcUrl, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS), network, {
    staticNetwork: network,
    pollingInterval: options.pollingIntervalMs ?? DEFAULT_POLLING_INTERVAL_MS,
    // ethers reuses an identical request's answer for 250 ms by default: a nonce or receipt read right after a
    // send would then be stale, and two anchors signed back to back would share a nonce.
    cacheTimeout: -1,
  });
}

export async function connectProvider(options: RpcConnectionOptions, operation: string): Promise<JsonRpcProvider> {
  const chainId = options.chainId ?? (await probeChainId(options.rpcUrl, options.requestTimeoutMs, operation));
  return createProvider({ ...options, chainId });
}

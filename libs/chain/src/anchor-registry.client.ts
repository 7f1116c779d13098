import {
  getAddress,
  Interface,
  isHexString,
  type JsonRpcProvider,
  type Log,
  NonceManager,
  toBeHex,
  Transaction,
  type TransactionRequest,
  Wallet,
} from 'ethers';
import { ANCHOR_REGISTRY_ABI } from './anchor-registry.abi';
import { ChainError, ChainErrorCode, toChainError } from './chain.error';
import type { Eip1559Fees } from './fee-bump';
import {
  assertChainId,
  assertRpcUrl,
  connectProvider,
  createProvider,
  DEFAULT_POLLING_INTERVAL_MS,
  type RpcConnectionOptions,
} from './json-rpc.connection';

export interface AnchorRegistryClientOptions {
  rpcUrl: string;
  contractAddress: string;
  /** Needed only to anchor; read-only clients omit it. */
  privateKey?: string;
  /** Known chain id skips the start-up `eth_chainId` round trip. */
  chainId?: number;
  requestTimeoutMs?: number;
  pollingIntervalMs?: number;
  /** Most blocks one `eth_getLogs` may span (default 10,000): longer scans are split into ranges of this size. */
  logBlockRange?: number;
}

export interface AnchorOverrides {
  /** Explicit nonce replaces a stuck transaction; it bypasses the nonce manager. */
  nonce?: number;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  /**
   * Skips gas estimation. A replacement needs it: nodes estimate against the pending block, where the stuck
   * transaction has already anchored the root, so estimation would revert with RootAlreadyAnchored.
   */
  gasLimit?: bigint;
}

export interface SentAnchor {
  hash: string;
  nonce: number;
  maxFeePerGas?: bigint;
}

export interface SignedAnchor {
  rawTx: string;
  hash: string;
  from: string;
  nonce: number;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

/** `sent`: the node took it now; `known`: it already had it; `nonce-used`: its nonce is spent (it or a rival was mined). */
export type BroadcastOutcome = 'sent' | 'known' | 'nonce-used';

export interface AnchorReceipt {
  status: number;
  blockNumber: number;
  blockHash: string;
  gasUsed: bigint;
}

export interface AnchoredEvent {
  root: string;
  batchId: bigint;
  leafCount: number;
  blockNumber: number;
  blockHash: string;
  txHash: string;
}

interface Connection {
  provider: JsonRpcProvider;
  signer?: Wallet;
  nonceManager?: NonceManager;
}

const registryInterface = new Interface(ANCHOR_REGISTRY_ABI);
const ANCHORED_TOPIC = registryInterface.getEvent('Anchored')!.topicHash;
/** Public RPC nodes commonly refuse `eth_getLogs` over more than 10,000 blocks. */
const DEFAULT_LOG_BLOCK_RANGE = 10_000;

function assertBytes32(value: string, field: string, operation: string): void {
  if (!isHexString(value, 32)) {
    throw new ChainError(ChainErrorCode.INVALID_INPUT, `${field} must be a 0x-prefixed 32-byte hex string`, { operation, field });
  }
}

function anchoredEventOf(log: Log): AnchoredEvent {
  const parsed = registryInterface.parseLog(log)!;
  return {
    root: parsed.args.root as string,
    batchId: parsed.args.batchId as bigint,
    leafCount: Number(parsed.args.leafCount as bigint),
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    txHash: log.transactionHash,
  };
}

/** Gas limit of a signed transaction, so its replacement can reuse it without estimating. */
export function signedGasLimit(rawTx: string): bigint {
  return Transaction.from(rawTx).gasLimit;
}

/** Thin typed access to a deployed AnchorRegistry: one provider, one nonce manager per signer. */
export class AnchorRegistryClient {
  readonly contractAddress: string;
  /** Address of the configured signer, if any; the key itself is never exposed. */
  readonly signerAddress?: string;
  private readonly wallet?: Wallet;
  private readonly connection: RpcConnectionOptions;
  private connecting?: Promise<Connection>;
  private provider?: JsonRpcProvider;
  private destroyed = false;
  private readonly pollingIntervalMs: number;
  private readonly logBlockRange: number;

  constructor(options: AnchorRegistryClientOptions) {
    const operation = 'AnchorRegistryClient';
    assertRpcUrl(options.rpcUrl, operation);
    assertChainId(options.chainId, operation);
    try {
      this.contractAddress = getAddress(options.contractAddress);
    } catch {
      throw new ChainError(ChainErrorCode.BAD_CONFIG, 'contractAddress is not an address', { operation, field: 'contractAddress' });
    }
    if (options.privateKey !== undefined) {
      try {
        this.wallet = new Wallet(options.privateKey);
      } catch {
        // The ethers message would echo (a redacted form of) the key; name the field only.
        throw new ChainError(ChainErrorCode.BAD_CONFIG, 'privateKey is not a valid secp256k1 key', { operation, field: 'privateKey' });
      }
      this.signerAddress = this.wallet.address;
    }
    this.connection = {
      rpcUrl: options.rpcUrl,
      chainId: options.chainId,
      requestTimeoutMs: options.requestTimeoutMs,
      pollingIntervalMs: options.pollingIntervalMs,
    };
    this.pollingIntervalMs = options.pollingIntervalMs ?? DEFAULT_POLLING_INTERVAL_MS;
    if (options.logBlockRange !== undefined && !(Number.isSafeInteger(options.logBlockRange) && options.logBlockRange > 0)) {
      throw new ChainError(ChainErrorCode.BAD_CONFIG, 'logBlockRange must be a whole number of blocks > 0', {
        operation,
        field: 'logBlockRange',
      });
    }
    this.logBlockRange = options.logBlockRange ?? DEFAULT_LOG_BLOCK_RANGE;
    if (options.chainId !== undefined)
      this.connecting = Promise.resolve(this.attach(createProvider({ ...this.connection, chainId: options.chainId })));
  }

  async anchor(root: string, batchId: bigint, leafCount: number, overrides: AnchorOverrides = {}): Promise<SentAnchor> {
    const operation = 'anchor';
    assertBytes32(root, 'root', operation);
    if (batchId < 0n) throw new ChainError(ChainErrorCode.INVALID_INPUT, 'batchId must be >= 0', { operation, field: 'batchId' });
    if (!Number.isSafeInteger(leafCount) || leafCount < 0) {
      throw new ChainError(ChainErrorCode.INVALID_INPUT, 'leafCount must be a non-negative integer', { operation, field: 'leafCount' });
    }
    const { signer, nonceManager } = await this.connect(operation);
    if (!signer || !nonceManager) {
      throw new ChainError(ChainErrorCode.BAD_CONFIG, 'anchoring needs a privateKey', { operation, field: 'privateKey' });
    }
    const tx: TransactionRequest = {
      to: this.contractAddress,
      data: registryInterface.encodeFunctionData('anchor', [root, batchId, leafCount]),
      maxFeePerGas: overrides.maxFeePerGas,
      maxPriorityFeePerGas: overrides.maxPriorityFeePerGas,
    };
    const explicitNonce = overrides.nonce !== undefined;
    try {
      // NonceManager.sendTransaction leaves its nonce lookup unawaited when gas estimation fails first;
      // awaiting the (cached) lookup here keeps an unreachable node from surfacing as an unhandled rejection.
      if (!explicitNonce) await nonceManager.getNonce('pending');
      const sent = explicitNonce ? await signer.sendTransaction({ ...tx, nonce: overrides.nonce }) : await nonceManager.sendTransaction(tx);
      return { hash: sent.hash, nonce: sent.nonce, maxFeePerGas: sent.maxFeePerGas ?? undefined };
    } catch (error) {
      // The manager counted a nonce this transaction may never have used; refetch it from the node.
      if (!explicitNonce) nonceManager.reset();
      throw toChainError(error, operation, registryInterface);
    }
  }

  /**
   * Signs an `anchor` transaction without sending it, so the caller can store it first: a crash between storing
   * and broadcasting then leaves the exact transaction to rebroadcast, never a second one. The nonce is the node's
   * pending count unless given; gas estimation fails with ROOT_ALREADY_ANCHORED when the root is on chain already.
   */
  async signAnchor(root: string, batchId: bigint, leafCount: number, overrides: AnchorOverrides = {}): Promise<SignedAnchor> {
    const operation = 'signAnchor';
    assertBytes32(root, 'root', operation);
    if (batchId < 0n) throw new ChainError(ChainErrorCode.INVALID_INPUT, 'batchId must be >= 0', { operation, field: 'batchId' });
    const { signer } = await this.connect(operation);
    if (!signer) throw new ChainError(ChainErrorCode.BAD_CONFIG, 'anchoring needs a privateKey', { operation, field: 'privateKey' });
    try {
      const populated = await signer.populateTransaction({
        to: this.contractAddress,
        data: registryInterface.encodeFunctionData('anchor', [root, batchId, leafCount]),
        nonce: overrides.nonce ?? (await signer.getNonce('pending')),
        maxFeePerGas: overrides.maxFeePerGas,
        maxPriorityFeePerGas: overrides.maxPriorityFeePerGas,
        gasLimit: overrides.gasLimit,
      });
      const rawTx = await signer.signTransaction(populated);
      const tx = Transaction.from(rawTx);
      return {
        rawTx,
        hash: tx.hash!,
        from: signer.address,
        nonce: tx.nonce,
        maxFeePerGas: tx.maxFeePerGas ?? undefined,
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? undefined,
      };
    } catch (error) {
      throw toChainError(error, operation, registryInterface);
    }
  }

  /** Broadcasts a signed transaction; sending one the node already has, or one already mined, is not an error. */
  async broadcast(rawTx: string): Promise<BroadcastOutcome> {
    const operation = 'broadcast';
    const { provider } = await this.connect(operation);
    try {
      await provider.broadcastTransaction(rawTx);
      return 'sent';
    } catch (error) {
      const text = `${(error as { code?: string }).code ?? ''} ${(error as Error).message ?? ''}`.toLowerCase();
      if (text.includes('already known') || text.includes('already imported')) return 'known';
      if (text.includes('nonce_expired') || text.includes('nonce too low')) return 'nonce-used';
      throw toChainError(error, operation, registryInterface);
    }
  }

  async anchoredAt(root: string): Promise<bigint> {
    assertBytes32(root, 'root', 'anchoredAt');
    const [blockNumber] = await this.read('anchoredAt', [root]);
    return blockNumber as bigint;
  }

  async verify(proof: string[], root: string, digest: string): Promise<boolean> {
    proof.forEach((node, index) => assertBytes32(node, `proof[${index}]`, 'verify'));
    assertBytes32(root, 'root', 'verify');
    assertBytes32(digest, 'digest', 'verify');
    const [valid] = await this.read('verify', [proof, root, digest]);
    return valid as boolean;
  }

  async getReceipt(txHash: string): Promise<AnchorReceipt | null> {
    assertBytes32(txHash, 'txHash', 'getReceipt');
    const receipt = await this.withProvider('getReceipt', (provider) => provider.getTransactionReceipt(txHash));
    if (!receipt) return null;
    return { status: receipt.status ?? 0, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash, gasUsed: receipt.gasUsed };
  }

  /** Polls until the transaction has `confirmations` blocks; null if that did not happen within `timeoutMs`. */
  async waitForReceipt(txHash: string, confirmations = 1, timeoutMs = 60_000): Promise<AnchorReceipt | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const receipt = await this.getReceipt(txHash);
      if (receipt && (await this.getBlockNumber()) - receipt.blockNumber + 1 >= confirmations) return receipt;
      if (Date.now() >= deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, this.pollingIntervalMs));
    }
  }

  /** The signer's next nonce counting transactions still in the node's pool. */
  async pendingNonce(): Promise<number> {
    const { signer } = await this.connect('pendingNonce');
    if (!signer)
      throw new ChainError(ChainErrorCode.BAD_CONFIG, 'a nonce needs a privateKey', { operation: 'pendingNonce', field: 'privateKey' });
    return this.withProvider('pendingNonce', () => signer.getNonce('pending'));
  }

  /** EIP-1559 fee caps the node suggests now; fields are absent on a chain without EIP-1559. */
  async feeData(): Promise<Partial<Eip1559Fees>> {
    const data = await this.withProvider('feeData', (provider) => provider.getFeeData());
    return { maxFeePerGas: data.maxFeePerGas ?? undefined, maxPriorityFeePerGas: data.maxPriorityFeePerGas ?? undefined };
  }

  getBlockNumber(): Promise<number> {
    return this.withProvider('getBlockNumber', (provider) => provider.getBlockNumber());
  }

  async getBlockHash(blockNumber: number): Promise<string | null> {
    const block = await this.withProvider('getBlockHash', (provider) => provider.getBlock(blockNumber));
    return block?.hash ?? null;
  }

  /** Chain id reported by the node (not the configured one), so callers can detect a misrouted RPC URL. */
  async chainId(): Promise<number> {
    const hex = await this.withProvider('chainId', (provider) => provider.send('eth_chainId', []) as Promise<string>);
    return Number(BigInt(hex));
  }

  /**
   * Latest `Anchored` log for `root` between two blocks (default: all of them); callers that know the block from
   * `anchoredAt` ask for that block alone, which no node's log-range cap refuses.
   */
  async findAnchoredEvent(root: string, fromBlock = 0, toBlock?: number): Promise<AnchoredEvent | null> {
    assertBytes32(root, 'root', 'findAnchoredEvent');
    const logs = await this.withProvider('findAnchoredEvent', (provider) =>
      provider.getLogs({ address: this.contractAddress, topics: [ANCHORED_TOPIC, root], fromBlock, toBlock: toBlock ?? 'latest' }),
    );
    const log = logs.at(-1);
    return log ? anchoredEventOf(log) : null;
  }

  /**
   * Every `Anchored` log of this registry in block order, or only those of `batchId` (an indexed topic), so an
   * auditor learns what was anchored for a batch from the chain alone, whatever root the database now claims.
   */
  async anchoredEvents(filter: { batchId?: bigint; fromBlock?: number; toBlock?: number } = {}): Promise<AnchoredEvent[]> {
    const operation = 'anchoredEvents';
    if (filter.batchId !== undefined && filter.batchId < 0n) {
      throw new ChainError(ChainErrorCode.INVALID_INPUT, 'batchId must be >= 0', { operation, field: 'batchId' });
    }
    for (const field of ['fromBlock', 'toBlock'] as const) {
      const block = filter[field];
      if (block !== undefined && (!Number.isSafeInteger(block) || block < 0)) {
        throw new ChainError(ChainErrorCode.INVALID_INPUT, `${field} must be a block number >= 0`, { operation, field });
      }
    }
    const batchTopic = filter.batchId === undefined ? null : toBeHex(filter.batchId, 32);
    const from = filter.fromBlock ?? 0;
    const to = filter.toBlock ?? (await this.withProvider(operation, (provider) => provider.getBlockNumber()));
    const events: AnchoredEvent[] = [];
    for (let start = from; start <= to; start += this.logBlockRange) {
      const end = Math.min(to, start + this.logBlockRange - 1);
      const logs = await this.withProvider(operation, (provider) =>
        provider.getLogs({ address: this.contractAddress, topics: [ANCHORED_TOPIC, null, batchTopic], fromBlock: start, toBlock: end }),
      );
      events.push(...logs.map(anchoredEventOf));
    }
    return events;
  }

  destroy(): void {
    this.destroyed = true;
    this.provider?.destroy();
  }

  private attach(provider: JsonRpcProvider): Connection {
    this.provider = provider;
    if (!this.wallet) return { provider };
    const signer = this.wallet.connect(provider);
    return { provider, signer, nonceManager: new NonceManager(signer) };
  }

  private connect(operation: string): Promise<Connection> {
    if (this.destroyed) return Promise.reject(new ChainError(ChainErrorCode.BAD_CONFIG, 'client was destroyed', { operation }));
    if (!this.connecting) {
      this.connecting = connectProvider(this.connection, operation).then((provider) => this.attach(provider));
      // A failed probe must not stick: the node may come up later.
      this.connecting.catch(() => (this.connecting = undefined));
    }
    return this.connecting;
  }

  private async withProvider<T>(operation: string, run: (provider: JsonRpcProvider) => Promise<T>): Promise<T> {
    const { provider } = await this.connect(operation);
    try {
      return await run(provider);
    } catch (error) {
      throw toChainError(error, operation, registryInterface);
    }
  }

  private async read(method: 'anchoredAt' | 'verify', args: unknown[]) {
    const result = await this.withProvider(method, (provider) =>
      provider.call({ to: this.contractAddress, data: registryInterface.encodeFunctionData(method, args) }),
    );
    if (result === '0x') {
      throw new ChainError(ChainErrorCode.BAD_CONFIG, `no AnchorRegistry code at ${this.contractAddress}`, {
        operation: method,
        field: 'contractAddress',
      });
    }
    return registryInterface.decodeFunctionResult(method, result);
  }
}

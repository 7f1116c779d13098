import { Logger } from '@nestjs/common';
import { ANCHOR_REGISTRY_ABI, AnchorReceipt, AnchorRegistryClient, ChainError, ChainErrorCode, SignedAnchor } from '@pharmatrace/chain';
import type { AppConfig, ChainTarget } from '@pharmatrace/config';
import type {
  AnchorAttemptStatus,
  AnchorRepository,
  BuiltTree,
  ChainAnchorStatus,
  MinedAnchor,
  NewAttempt,
  SealPolicy,
} from '@pharmatrace/persistence';
import { Interface, keccak256, Transaction, Wallet } from 'ethers';
import fc from 'fast-check';
import { WorkerMetrics } from '../metrics/worker.metrics';
import { AnchoringService } from './anchoring.service';
import { ChainGateway, ChainLink } from './chain.gateway';
import { FaultInjector } from './fault.injector';
import { SealingService } from './sealing.service';

const registry = new Interface(ANCHOR_REGISTRY_ABI);
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
const digest = (n: number) => Buffer.from(keccak256(Buffer.from(`event ${n}`)).slice(2), 'hex');

/** The wall clock the service and RpcBackoff read through Date.now(); the fakes stamp their rows with it too. */
let now = 1_700_000_000_000;

interface BatchRow {
  id: number;
  root: Buffer;
  leafCount: number;
  status: ChainAnchorStatus;
  sealedAt: number;
  finalAt: number | null;
}

interface AnchorRow {
  batchId: number;
  chainId: number;
  contractAddress: string;
  status: ChainAnchorStatus;
  txHash: string | null;
  blockNumber: number | null;
  blockHash: string | null;
  reanchorCount: number;
}

interface AttemptRow extends NewAttempt {
  id: number;
  status: AnchorAttemptStatus;
  broadcastAt: Date | null;
}

/**
 * AnchorRepository over Maps, following the SQL's rules (status guards, the nonce floor, the aggregate), and handing
 * out copies as Postgres would, so the service cannot change stored state by mutating what it read.
 */
class FakeAnchorStore {
  leaseHeldElsewhere = false;
  /** Every unbatched event is due: the seal policy's wait has passed. */
  unbatched: Buffer[] = [];
  readonly batches = new Map<number, BatchRow>();
  readonly anchors = new Map<string, AnchorRow>();
  readonly attempts: AttemptRow[] = [];
  private nextBatchId = 1;

  addEvents(count: number) {
    for (let i = 0; i < count; i++) this.unbatched.push(digest(this.unbatched.length + this.batches.size * 1000 + i));
  }

  /** A batch sealed by an earlier tick (or another worker), with a root of its own. */
  seedBatch(leafCount = 2): BatchRow {
    const id = this.nextBatchId++;
    const row: BatchRow = { id, root: digest(10_000 + id), leafCount, status: 'SEALED', sealedAt: now, finalAt: null };
    this.batches.set(id, row);
    return row;
  }

  seedAttempt(attempt: Omit<AttemptRow, 'id'>): number {
    const id = this.attempts.length + 1;
    this.attempts.push({ ...attempt, id });
    return id;
  }

  anchor(batchId: number, chainId: number): AnchorRow | undefined {
    return this.anchors.get(`${batchId}:${chainId}`);
  }

  attemptsOf(batchId: number): AttemptRow[] {
    return this.attempts.filter((a) => a.batchId === batchId);
  }

  async withAnchorerLease<T>(fn: () => Promise<T>) {
    if (this.leaseHeldElsewhere) return { acquired: false as const };
    return { acquired: true as const, result: await fn() };
  }

  /** No case entries wait here: these specs are about events' batches. */
  async sealNextCaseEntryBatch() {
    return null;
  }

  async sealNextBatch(policy: SealPolicy, build: (digests: Buffer[]) => Promise<BuiltTree>) {
    if (!this.unbatched.length) return null;
    const taken = this.unbatched.splice(0, policy.maxEvents);
    const tree = await build(taken);
    const id = this.nextBatchId++;
    const row: BatchRow = { id, root: Buffer.from(tree.root), leafCount: taken.length, status: 'SEALED', sealedAt: now, finalAt: null };
    this.batches.set(id, row);
    return { id, root: row.root, leafCount: row.leafCount, status: row.status };
  }

  async ensureChainAnchors(chainId: number, contractAddress: string) {
    for (const batch of this.batches.values()) {
      const key = `${batch.id}:${chainId}`;
      if (batch.status !== 'FINAL' && !this.anchors.has(key)) {
        this.anchors.set(key, {
          batchId: batch.id,
          chainId,
          contractAddress,
          status: 'SEALED',
          txHash: null,
          blockNumber: null,
          blockHash: null,
          reanchorCount: 0,
        });
      }
    }
  }

  async openChainAnchors(chainId: number) {
    return [...this.anchors.values()]
      .filter((a) => a.chainId === chainId && a.status !== 'FINAL')
      .sort((a, b) => a.batchId - b.batchId)
      .map((a) => {
        const batch = this.batches.get(a.batchId)!;
        return {
          batchId: a.batchId,
          status: a.status,
          txHash: a.txHash,
          blockNumber: a.blockNumber,
          blockHash: a.blockHash,
          root: batch.root,
          leafCount: batch.leafCount,
        };
      });
  }

  async chainAttemptsOf(batchId: number, chainId: number) {
    return this.attempts
      .filter((a) => a.batchId === batchId && a.chainId === chainId)
      .map((a) => ({
        id: a.id,
        nonce: a.nonce,
        txHash: a.txHash,
        rawTx: a.rawTx,
        maxFeePerGas: a.maxFeePerGas,
        maxPriorityFeePerGas: a.maxPriorityFeePerGas,
        status: a.status,
        broadcastAt: a.broadcastAt,
      }));
  }

  async nonceFloor(chainId: number, fromAddress: string) {
    const live = this.attempts.filter(
      (a) =>
        a.chainId === chainId &&
        a.fromAddress.toLowerCase() === fromAddress.toLowerCase() &&
        (a.status === 'SIGNED' || a.status === 'BROADCAST'),
    );
    return live.length ? Math.max(...live.map((a) => a.nonce)) + 1 : 0;
  }

  async recordAttempt(attempt: NewAttempt) {
    const id = this.seedAttempt({ ...attempt, status: 'SIGNED', broadcastAt: null });
    const row = this.anchor(attempt.batchId, attempt.chainId);
    if (row && (row.status === 'SEALED' || row.status === 'REANCHORED')) row.status = 'SUBMITTED';
    const batch = this.batches.get(attempt.batchId)!;
    if (batch.status === 'SEALED') batch.status = 'SUBMITTED';
    return id;
  }

  async setAttemptStatus(id: number, status: AnchorAttemptStatus) {
    const attempt = this.attempts.find((a) => a.id === id)!;
    attempt.status = status;
    if (status === 'BROADCAST') attempt.broadcastAt ??= new Date(now);
  }

  async dropSiblings(batchId: number, chainId: number, minedAttemptId: number) {
    for (const a of this.attempts) {
      if (a.batchId === batchId && a.chainId === chainId && a.id !== minedAttemptId && (a.status === 'SIGNED' || a.status === 'BROADCAST'))
        a.status = 'DROPPED';
    }
  }

  async markMined(batchId: number, mined: MinedAnchor) {
    const row = this.anchor(batchId, mined.chainId);
    const fields = {
      contractAddress: mined.contractAddress,
      status: 'MINED' as const,
      txHash: mined.txHash,
      blockNumber: mined.blockNumber,
      blockHash: mined.blockHash,
    };
    if (row) Object.assign(row, fields);
    else this.anchors.set(`${batchId}:${mined.chainId}`, { batchId, chainId: mined.chainId, reanchorCount: 0, ...fields });
  }

  async markFinal(batchId: number, chainId: number) {
    const row = this.anchor(batchId, chainId);
    if (row?.status === 'MINED') row.status = 'FINAL';
  }

  async markReanchoring(batchId: number, chainId: number) {
    const row = this.anchor(batchId, chainId);
    if (row && (row.status === 'MINED' || row.status === 'FINAL')) {
      row.status = 'REANCHORED';
      row.reanchorCount++;
    }
    for (const a of this.attempts) {
      if (a.batchId === batchId && a.chainId === chainId && a.status === 'MINED') {
        a.status = 'BROADCAST';
        a.broadcastAt = new Date(now);
      }
    }
  }

  async strandedBatchIds(chainIds: readonly number[]) {
    return [...this.batches.values()]
      .filter((b) => b.status !== 'FINAL' && chainIds.every((id) => this.anchor(b.id, id)?.status === 'FINAL'))
      .map((b) => b.id)
      .sort((a, b) => a - b);
  }

  async refreshAggregate(batchId: number, primaryChainId: number, chainIds: readonly number[]) {
    const rows = chainIds.map((id) => this.anchor(batchId, id)).filter((r): r is AnchorRow => r !== undefined);
    const batch = this.batches.get(batchId)!;
    const primary = this.anchor(batchId, primaryChainId);
    const allFinal = rows.filter((r) => r.status === 'FINAL').length === chainIds.length;
    const was = batch.finalAt;
    batch.status = allFinal
      ? 'FINAL'
      : rows.some((r) => r.status === 'REANCHORED')
        ? 'REANCHORED'
        : primary?.status === 'FINAL'
          ? 'MINED'
          : (primary?.status ?? batch.status);
    batch.finalAt = allFinal ? (batch.finalAt ?? now) : null;
    return was === null && batch.finalAt !== null
      ? { becameFinal: true as const, secondsToFinal: (batch.finalAt - batch.sealedAt) / 1000 }
      : { becameFinal: false as const };
  }
}

interface Block {
  hash: string;
  txs: string[];
}

/**
 * One EVM node with the AnchorRegistry deployed, as the client sees it: a pool holding one version per nonce (a
 * replacement must raise both fee caps), blocks that mine the pool in nonce order, a registry that refuses a root
 * twice, and reorganisations that put mined transactions back into the pool. Transactions are really signed, so
 * hashes, nonces, fee caps and gas limits read back from raw bytes exactly as the service's code reads them.
 */
class FakeChain {
  readonly wallet = new Wallet(`0x${'5a'.repeat(32)}`);
  readonly contractAddress = '0x00000000000000000000000000000000000A11CE';
  readonly signerAddress = this.wallet.address;
  readonly network = { maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n };
  readonly gasUsedPerTx = 48_000n;
  /** Every RPC call fails as an unreachable node's would. */
  down = false;
  /** Calls that reached the node, working or not: a skipped chain is not asked anything. */
  calls = 0;
  /** The next mined transaction reverts (out of gas, say) whatever it carries. */
  revertNext = false;
  readonly failures = new Map<string, ChainError>();
  readonly signed: (SignedAnchor & { gasLimit: bigint; batchId: bigint })[] = [];
  readonly broadcasts: string[] = [];
  private readonly pool = new Map<number, Transaction>();
  private readonly receipts = new Map<string, AnchorReceipt>();
  private readonly roots = new Map<string, { block: number; txHash: string; batchId: bigint; leafCount: number }>();
  private readonly blocks: Block[] = [{ hash: this.blockHash(), txs: [] }];
  private confirmedNonce = 0;
  private readonly txs = new Map<string, Transaction>();

  constructor(readonly id: number) {}

  private blockHash() {
    return keccak256(Buffer.from(`block ${Math.random()}`));
  }

  private guard(operation: string) {
    this.calls++;
    if (this.down) throw new ChainError(ChainErrorCode.RPC_UNAVAILABLE, 'RPC unavailable (ECONNREFUSED)', { operation });
    const failure = this.failures.get(operation);
    if (failure) {
      this.failures.delete(operation);
      throw failure;
    }
  }

  get head() {
    return this.blocks.length - 1;
  }

  blockHashAt(n: number) {
    return this.blocks[n].hash;
  }

  poolHas(hash: string) {
    return [...this.pool.values()].some((tx) => tx.hash === hash);
  }

  receiptOf(hash: string) {
    return this.receipts.get(hash);
  }

  /** Signs as AnchorRegistryClient.signAnchor does, with the service's overrides (or the client's defaults). */
  sign(
    root: string,
    batchId: bigint,
    leafCount: number,
    o: { nonce?: number; gasLimit?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint } = {},
  ) {
    const tx = Transaction.from({
      type: 2,
      chainId: this.id,
      to: this.contractAddress,
      data: registry.encodeFunctionData('anchor', [root, batchId, leafCount]),
      nonce: o.nonce ?? this.pendingNonceNow(),
      gasLimit: o.gasLimit ?? 90_000n,
      maxFeePerGas: o.maxFeePerGas ?? this.network.maxFeePerGas,
      maxPriorityFeePerGas: o.maxPriorityFeePerGas ?? this.network.maxPriorityFeePerGas,
    });
    tx.signature = this.wallet.signingKey.sign(tx.unsignedHash);
    this.txs.set(tx.hash!, tx);
    return {
      rawTx: tx.serialized,
      hash: tx.hash!,
      from: this.wallet.address,
      nonce: tx.nonce,
      maxFeePerGas: tx.maxFeePerGas!,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas!,
    };
  }

  async signAnchor(
    root: string,
    batchId: bigint,
    leafCount: number,
    overrides: { nonce?: number; gasLimit?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint } = {},
  ) {
    this.guard('signAnchor');
    const signed = this.sign(root, batchId, leafCount, overrides);
    this.signed.push({ ...signed, gasLimit: overrides.gasLimit ?? 90_000n, batchId });
    return signed;
  }

  async broadcast(rawTx: string) {
    this.guard('broadcast');
    const tx = Transaction.from(rawTx);
    this.txs.set(tx.hash!, tx);
    this.broadcasts.push(tx.hash!);
    if (tx.nonce < this.confirmedNonce) return 'nonce-used' as const;
    const pooled = this.pool.get(tx.nonce);
    if (pooled?.hash === tx.hash) return 'known' as const;
    if (
      pooled &&
      !(tx.maxFeePerGas! * 10n >= pooled.maxFeePerGas! * 11n && tx.maxPriorityFeePerGas! * 10n >= pooled.maxPriorityFeePerGas! * 11n)
    ) {
      throw new ChainError(ChainErrorCode.NONCE_CONFLICT, 'replacement transaction underpriced', { operation: 'broadcast' });
    }
    this.pool.set(tx.nonce, tx);
    return 'sent' as const;
  }

  private pendingNonceNow() {
    let n = this.confirmedNonce;
    while (this.pool.has(n)) n++;
    return n;
  }

  async pendingNonce() {
    this.guard('pendingNonce');
    return this.pendingNonceNow();
  }

  async feeData() {
    this.guard('feeData');
    return { ...this.network };
  }

  async getReceipt(txHash: string) {
    this.guard('getReceipt');
    return this.receipts.get(txHash) ?? null;
  }

  async getBlockNumber() {
    this.guard('getBlockNumber');
    return this.head;
  }

  async getBlockHash(n: number) {
    this.guard('getBlockHash');
    return this.blocks[n]?.hash ?? null;
  }

  async chainId() {
    this.guard('chainId');
    return this.id;
  }

  async anchoredAt(root: string) {
    this.guard('anchoredAt');
    return BigInt(this.roots.get(root)?.block ?? 0);
  }

  async findAnchoredEvent(root: string, fromBlock = 0, toBlock?: number) {
    this.guard('findAnchoredEvent');
    const found = this.roots.get(root);
    if (!found || found.block < fromBlock || found.block > (toBlock ?? this.head)) return null;
    return {
      root,
      batchId: found.batchId,
      leafCount: found.leafCount,
      blockNumber: found.block,
      blockHash: this.blocks[found.block].hash,
      txHash: found.txHash,
    };
  }

  /** Mines one block holding the pool's transactions whose nonces follow on, or `only` if given (a miner's choice). */
  mine(only?: string): number {
    const block: Block = { hash: this.blockHash(), txs: [] };
    const number = this.blocks.length;
    this.blocks.push(block);
    const include = (tx: Transaction) => {
      this.pool.delete(tx.nonce);
      this.confirmedNonce = tx.nonce + 1;
      block.txs.push(tx.hash!);
      const call = registry.parseTransaction({ data: tx.data })!;
      const root = call.args[0] as string;
      const reverts = this.revertNext || this.roots.has(root);
      this.revertNext = false;
      this.receipts.set(tx.hash!, { status: reverts ? 0 : 1, blockNumber: number, blockHash: block.hash, gasUsed: this.gasUsedPerTx });
      if (!reverts)
        this.roots.set(root, { block: number, txHash: tx.hash!, batchId: call.args[1] as bigint, leafCount: Number(call.args[2]) });
    };
    if (only) include(this.txs.get(only)!);
    else for (let tx = this.pool.get(this.confirmedNonce); tx; tx = this.pool.get(this.confirmedNonce)) include(tx);
    return number;
  }

  emptyBlocks(count: number) {
    for (let i = 0; i < count; i++) this.blocks.push({ hash: this.blockHash(), txs: [] });
  }

  /** Another transaction from the same key (an operator's, say) takes `nonce`; whatever the pool held for it is gone. */
  takeNonce(nonce: number) {
    this.pool.delete(nonce);
    this.confirmedNonce = nonce + 1;
    this.blocks.push({ hash: this.blockHash(), txs: [] });
  }

  /** Someone else's transaction anchors `root`: a transaction the platform's records do not know. */
  anchorElsewhere(root: string, batchId: bigint, leafCount: number): string {
    const txHash = keccak256(Buffer.from(`elsewhere ${root}`));
    const block: Block = { hash: this.blockHash(), txs: [] };
    this.blocks.push(block);
    this.roots.set(root, { block: this.head, txHash, batchId, leafCount });
    return txHash;
  }

  /** Replaces the last `depth` blocks with as many empty ones; their transactions go back to the pool. */
  reorg(depth: number) {
    const dropped = this.blocks.splice(this.blocks.length - depth, depth);
    for (const block of dropped) {
      for (const hash of block.txs) {
        const tx = this.txs.get(hash)!;
        this.receipts.delete(hash);
        for (const [root, at] of this.roots) if (at.txHash === hash) this.roots.delete(root);
        this.pool.set(tx.nonce, tx);
        this.confirmedNonce = Math.min(this.confirmedNonce, tx.nonce);
      }
    }
    this.emptyBlocks(depth);
  }
}

interface Setup {
  confirmations?: number;
  chains?: { name: string; id: number }[];
  replaceAfterMs?: number;
  feeBumpPercent?: number;
}

const TICK_MS = 1_000;

function setup({ confirmations = 1, chains = [{ name: 'alpha', id: 31337 }], replaceAfterMs = 60_000, feeBumpPercent = 20 }: Setup = {}) {
  const targets: ChainTarget[] = chains.map((c) => ({
    name: c.name,
    rpcUrl: 'http://127.0.0.1:1',
    chainId: c.id,
    contractAddress: '0x00000000000000000000000000000000000A11CE',
    anchorerPrivateKey: `0x${'5a'.repeat(32)}`,
    confirmations,
    deployedAtBlock: 0,
  }));
  const config = {
    env: 'development',
    chains: targets,
    chain: targets[0],
    restartCount: 0,
    anchoring: { replaceAfterMs, feeBumpPercent, rpcBackoffMaxMs: 8 * TICK_MS },
    batching: { maxEvents: 4, maxWaitMs: 10_000, tickMs: TICK_MS },
  } as unknown as AppConfig;
  const store = new FakeAnchorStore();
  const nodes = chains.map((c) => new FakeChain(c.id));
  const links = targets.map((t, i) => new ChainLink(t, nodes[i] as unknown as AnchorRegistryClient));
  const gateway = { links, primary: links[0] } as unknown as ChainGateway;
  const repo = store as unknown as AnchorRepository;
  const faults = new FaultInjector(config);
  const metrics = new WorkerMetrics(config);
  const service = new AnchoringService(repo, new SealingService(repo, faults, config), gateway, faults, metrics, config);
  return { service, store, chain: nodes[0], nodes, metrics, config };
}

const counter = async (
  metric: { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> },
  labels: Record<string, string>,
) => (await metric.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;

beforeAll(() => Logger.overrideLogger(false));
beforeEach(() => {
  now = 1_700_000_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => jest.restoreAllMocks());

describe('anchoring on one chain', () => {
  it('finishes a batch left MINED by a worker killed after its chain anchor became FINAL (seen once in the chaos run)', async () => {
    const { service, store, chain } = setup({ confirmations: 1 });
    store.addEvents(2);
    await service.tick();
    chain.mine();
    await service.tick();
    expect(store.batches.get(1)!.status).toBe('MINED');
    // The kill: the chain anchor's last step is stored, the batch's refresh never ran.
    store.anchor(1, 31337)!.status = 'FINAL';

    await service.tick();
    expect(store.batches.get(1)!).toMatchObject({ status: 'FINAL', finalAt: now });
  });

  it('takes a sealed batch through SUBMITTED and MINED to FINAL once the configured confirmations are there', async () => {
    const { service, store, chain, metrics } = setup({ confirmations: 3 });
    store.addEvents(3);

    expect(await service.tick()).toEqual({ leased: true, sealed: 1, advanced: 1, unreachable: [] });
    const batch = store.batches.get(1)!;
    expect(batch.status).toBe('SUBMITTED');
    expect(store.anchor(1, 31337)?.status).toBe('SUBMITTED');
    const [attempt] = store.attemptsOf(1);
    expect(attempt).toMatchObject({ status: 'BROADCAST', nonce: 0, fromAddress: chain.signerAddress });
    expect(chain.signed[0]).toMatchObject({ batchId: 1n });
    expect(chain.poolHas(attempt.txHash)).toBe(true);
    // The transaction carries the batch's own root and leaf count.
    const call = registry.parseTransaction({ data: Transaction.from(attempt.rawTx).data })!;
    expect([call.args[0], Number(call.args[2])]).toEqual([hex(batch.root), 3]);

    const minedIn = chain.mine();
    await service.tick();
    expect(store.anchor(1, 31337)).toMatchObject({
      status: 'MINED',
      txHash: attempt.txHash,
      blockNumber: minedIn,
      blockHash: chain.blockHashAt(minedIn),
    });
    expect(store.attemptsOf(1)[0].status).toBe('MINED');
    expect(batch.status).toBe('MINED');
    expect(await counter(metrics.gasUsed, { chain: 'alpha' })).toBe(Number(chain.gasUsedPerTx));

    // One and then two blocks deep is not yet three confirmations.
    await service.tick();
    chain.emptyBlocks(1);
    await service.tick();
    expect(store.anchor(1, 31337)?.status).toBe('MINED');

    chain.emptyBlocks(1);
    now += 7_000;
    await service.tick();
    expect(store.anchor(1, 31337)?.status).toBe('FINAL');
    expect(batch.status).toBe('FINAL');
    const histogram = (await metrics.timeToFinal.get()).values;
    expect(histogram.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(1);
    expect(histogram.find((v) => v.metricName?.endsWith('_sum'))?.value).toBe(7);

    expect(await service.tick()).toEqual({ leased: true, sealed: 0, advanced: 0, unreachable: [] });
    expect(chain.signed).toHaveLength(1);
    // The gas of a receipt is counted once, when the attempt leaves the live ones.
    expect(await counter(metrics.gasUsed, { chain: 'alpha' })).toBe(Number(chain.gasUsedPerTx));
  });

  it('seals every due event into batches of at most BATCH_MAX_EVENTS and gives each its own nonce in batch order', async () => {
    const { service, store, chain } = setup();
    store.addEvents(9);
    expect(await service.tick()).toMatchObject({ sealed: 3, advanced: 3 });
    expect([...store.batches.values()].map((b) => b.leafCount)).toEqual([4, 4, 1]);
    expect([1, 2, 3].map((id) => store.attemptsOf(id).map((a) => a.nonce))).toEqual([[0], [1], [2]]);
    chain.mine();
    await service.tick();
    expect([1, 2, 3].map((id) => store.anchor(id, 31337)?.status)).toEqual(['MINED', 'MINED', 'MINED']);
  });

  it('waits for the receipt instead of signing again while a transaction is younger than ANCHOR_REPLACE_AFTER_MS', async () => {
    const { service, store, chain } = setup({ replaceAfterMs: 30_000 });
    store.seedBatch();
    await service.tick();
    for (const step of [1_000, 10_000, 18_999]) {
      now += step;
      await service.tick();
    }
    expect(chain.signed).toHaveLength(1);
    expect(store.attemptsOf(1)).toHaveLength(1);
    // Still rebroadcast every tick, so a node that lost its pool gets it back.
    expect(chain.broadcasts.filter((h) => h === chain.signed[0].hash)).toHaveLength(4);
  });

  it('records a root that is already on chain without signing anything', async () => {
    const { service, store, chain } = setup();
    const batch = store.seedBatch(5);
    const txHash = chain.anchorElsewhere(hex(batch.root), BigInt(batch.id), 5);

    await service.tick();
    expect(store.anchor(batch.id, 31337)).toMatchObject({
      status: 'MINED',
      txHash,
      blockNumber: chain.head,
      blockHash: chain.blockHashAt(chain.head),
    });
    expect(chain.signed).toHaveLength(0);
    expect(store.attempts).toHaveLength(0);
  });

  it('rebroadcasts the transaction it signed before a failed broadcast rather than signing another', async () => {
    const { service, store, chain } = setup();
    store.seedBatch();
    chain.failures.set(
      'broadcast',
      new ChainError(ChainErrorCode.RPC_UNAVAILABLE, 'RPC unavailable (ECONNRESET)', { operation: 'broadcast' }),
    );

    expect((await service.tick()).unreachable).toEqual(['alpha']);
    const [stored] = store.attemptsOf(1);
    // Signed and stored, never sent: exactly what a crash between the two leaves behind.
    expect(stored.status).toBe('SIGNED');
    expect(chain.poolHas(stored.txHash)).toBe(false);

    now += TICK_MS;
    expect((await service.tick()).unreachable).toEqual([]);
    expect(chain.signed).toHaveLength(1);
    expect(store.attemptsOf(1)).toEqual([expect.objectContaining({ id: stored.id, status: 'BROADCAST', txHash: stored.txHash })]);
    expect(chain.poolHas(stored.txHash)).toBe(true);
  });

  it('replaces a transaction stuck past ANCHOR_REPLACE_AFTER_MS with the same nonce, gas limit and fees raised by the bump', async () => {
    const { service, store, chain } = setup({ replaceAfterMs: 30_000, feeBumpPercent: 20 });
    store.seedBatch();
    await service.tick();
    const stuck = chain.signed[0];

    now += 29_999;
    await service.tick();
    expect(chain.signed).toHaveLength(1);

    now += 1;
    await service.tick();
    expect(chain.signed).toHaveLength(2);
    const replacement = chain.signed[1];
    expect(replacement.nonce).toBe(stuck.nonce);
    expect(replacement.gasLimit).toBe(Transaction.from(stuck.rawTx).gasLimit);
    expect(replacement.maxFeePerGas).toBe((stuck.maxFeePerGas! * 120n + 99n) / 100n);
    expect(replacement.maxPriorityFeePerGas).toBe((stuck.maxPriorityFeePerGas! * 120n + 99n) / 100n);
    expect(store.attemptsOf(1).map((a) => a.status)).toEqual(['BROADCAST', 'BROADCAST']);
    expect(chain.poolHas(replacement.hash)).toBe(true);

    // The replacement's own clock starts at its broadcast: it is not replaced again on the next tick.
    now += 1_000;
    await service.tick();
    expect(chain.signed).toHaveLength(2);

    chain.mine();
    await service.tick();
    expect(store.anchor(1, 31337)).toMatchObject({ status: 'MINED', txHash: replacement.hash });
    expect(store.attemptsOf(1).map((a) => [a.txHash, a.status])).toEqual([
      [stuck.hash, 'DROPPED'],
      [replacement.hash, 'MINED'],
    ]);
  });

  it('bumps the fees of a replacement of a replacement from the last one signed', async () => {
    const { service, store, chain } = setup({ replaceAfterMs: 10_000, feeBumpPercent: 10 });
    store.seedBatch();
    await service.tick();
    for (let i = 0; i < 3; i++) {
      now += 10_000;
      await service.tick();
    }
    const fees = chain.signed.map((s) => s.maxFeePerGas!);
    expect(chain.signed.map((s) => s.nonce)).toEqual([0, 0, 0, 0]);
    for (let i = 1; i < fees.length; i++) expect(fees[i]).toBe((fees[i - 1] * 110n + 99n) / 100n);
  });

  it('keeps the original when the miner took it rather than its replacement', async () => {
    const { service, store, chain } = setup({ replaceAfterMs: 5_000 });
    store.seedBatch();
    await service.tick();
    now += 5_000;
    await service.tick();
    const [original, replacement] = chain.signed;

    chain.mine(original.hash);
    await service.tick();
    expect(store.anchor(1, 31337)).toMatchObject({ status: 'MINED', txHash: original.hash });
    expect(store.attemptsOf(1).map((a) => a.status)).toEqual(['MINED', 'DROPPED']);
    expect(replacement.hash).not.toBe(original.hash);
  });

  it('marks a reverted attempt REVERTED, counts its gas and sends a new transaction with the next nonce', async () => {
    const { service, store, chain, metrics } = setup();
    store.seedBatch();
    await service.tick();
    chain.revertNext = true;
    chain.mine();

    await service.tick();
    const attempts = store.attemptsOf(1);
    expect(attempts.map((a) => [a.nonce, a.status])).toEqual([
      [0, 'REVERTED'],
      [1, 'BROADCAST'],
    ]);
    expect(store.anchor(1, 31337)?.status).toBe('SUBMITTED');
    expect(await counter(metrics.gasUsed, { chain: 'alpha' })).toBe(Number(chain.gasUsedPerTx));

    chain.mine();
    await service.tick();
    expect(store.anchor(1, 31337)).toMatchObject({ status: 'MINED', txHash: attempts[1].txHash });
  });

  it('drops every version whose nonce another transaction took, and signs a new nonce on the next tick', async () => {
    const { service, store, chain } = setup({ replaceAfterMs: 5_000 });
    store.seedBatch();
    await service.tick();
    now += 5_000;
    await service.tick();
    expect(store.attemptsOf(1)).toHaveLength(2);

    chain.takeNonce(0);
    await service.tick();
    expect(store.attemptsOf(1).map((a) => a.status)).toEqual(['DROPPED', 'DROPPED']);
    expect(chain.signed).toHaveLength(2);

    await service.tick();
    expect(chain.signed.map((s) => s.nonce)).toEqual([0, 0, 1]);
    expect(store.attemptsOf(1).at(-1)).toMatchObject({ nonce: 1, status: 'BROADCAST' });
    expect(store.anchor(1, 31337)?.status).toBe('SUBMITTED');
  });

  it('gives a new anchor one past the highest live nonce, or the node count when none is live', async () => {
    // Live nonces the node may have forgotten (a restarted node with an empty pool), above what it has confirmed.
    const arbitrary = fc.record({
      confirmed: fc.integer({ min: 0, max: 20 }),
      gaps: fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ confirmed, gaps }) => {
        const { service, store, chain } = setup();
        chain.takeNonce(confirmed - 1);
        const live = gaps.map((g) => confirmed + g);
        for (const nonce of live) {
          const batch = store.seedBatch();
          await store.ensureChainAnchors(31337, chain.contractAddress);
          store.anchor(batch.id, 31337)!.status = 'SUBMITTED';
          const signed = chain.sign(hex(batch.root), BigInt(batch.id), 2, { nonce });
          store.seedAttempt({
            batchId: batch.id,
            chainId: 31337,
            fromAddress: signed.from,
            nonce,
            txHash: signed.hash,
            rawTx: signed.rawTx,
            maxFeePerGas: null,
            maxPriorityFeePerGas: null,
            status: 'BROADCAST',
            broadcastAt: new Date(now),
          });
        }
        const fresh = store.seedBatch();

        await service.tick();
        const [sent] = store.attemptsOf(fresh.id);
        expect(sent.nonce).toBe(live.length ? Math.max(...live) + 1 : confirmed);
        expect(live).not.toContain(sent.nonce);
        // Nothing older was re-signed: live attempts are rebroadcast as they are.
        expect(chain.signed).toHaveLength(1);
      }),
      { numRuns: 40 },
    );
  });
});

describe('reorganisations', () => {
  it('sends a batch back to REANCHORED when its block is replaced, then rebroadcasts the very same transaction', async () => {
    const { service, store, chain } = setup({ confirmations: 2 });
    store.seedBatch();
    await service.tick();
    const [sent] = chain.signed;
    const firstBlock = chain.mine();
    await service.tick();
    expect(store.anchor(1, 31337)?.blockHash).toBe(chain.blockHashAt(firstBlock));

    chain.reorg(1);
    chain.emptyBlocks(1);
    await service.tick();
    expect(store.anchor(1, 31337)).toMatchObject({ status: 'REANCHORED', reanchorCount: 1 });
    expect(store.batches.get(1)?.status).toBe('REANCHORED');
    expect(store.attemptsOf(1)[0].status).toBe('BROADCAST');

    await service.tick();
    expect(chain.signed).toHaveLength(1);
    expect(chain.broadcasts.at(-1)).toBe(sent.hash);

    const secondBlock = chain.mine();
    await service.tick();
    expect(store.anchor(1, 31337)).toMatchObject({
      status: 'MINED',
      txHash: sent.hash,
      blockNumber: secondBlock,
      blockHash: chain.blockHashAt(secondBlock),
    });
    chain.emptyBlocks(1);
    await service.tick();
    expect(store.anchor(1, 31337)).toMatchObject({ status: 'FINAL', reanchorCount: 1 });
    expect(store.batches.get(1)?.status).toBe('FINAL');
  });

  it('follows an anchor the reorganisation re-included in another block without re-anchoring', async () => {
    const { service, store, chain } = setup({ confirmations: 2 });
    store.seedBatch();
    await service.tick();
    chain.mine();
    await service.tick();
    const before = store.anchor(1, 31337)!.blockHash;

    chain.reorg(1);
    const moved = chain.mine();
    await service.tick();
    expect(store.anchor(1, 31337)).toMatchObject({
      status: 'MINED',
      blockNumber: moved,
      blockHash: chain.blockHashAt(moved),
      reanchorCount: 0,
    });
    expect(store.anchor(1, 31337)!.blockHash).not.toBe(before);

    chain.emptyBlocks(1);
    await service.tick();
    expect(store.anchor(1, 31337)?.status).toBe('FINAL');
    expect(chain.signed).toHaveLength(1);
  });

  it('does not call an anchor FINAL when the block at its height no longer holds it', async () => {
    const { service, store, chain } = setup({ confirmations: 1 });
    store.seedBatch();
    await service.tick();
    chain.mine();
    await service.tick();
    expect(store.anchor(1, 31337)?.status).toBe('MINED');

    // The reorganisation lands between the tick that saw the receipt and the one checking finality.
    chain.reorg(1);
    await service.tick();
    expect(store.anchor(1, 31337)?.status).toBe('REANCHORED');
    expect(store.batches.get(1)?.finalAt).toBeNull();
  });
});

describe('unreachable chains and leases', () => {
  it('keeps sealing while the chain is down, backing off exponentially up to the ceiling, and resets on success', async () => {
    const { service, store, chain, metrics } = setup();
    chain.down = true;
    store.addEvents(2);

    expect(await service.tick()).toEqual({ leased: true, sealed: 1, advanced: 0, unreachable: ['alpha'] });
    expect(await counter(metrics.rpcErrors, { chain: 'alpha', code: 'RPC_UNAVAILABLE' })).toBe(1);

    // Each failure doubles the wait: 1 s, 2 s, 4 s, then the 8 s ceiling. A chain in its wait is not asked anything.
    const waits: number[] = [];
    let lastTry = now;
    for (let step = 0; step < 50; step++) {
      now += TICK_MS / 2;
      const calls = chain.calls;
      store.addEvents(1);
      const report = await service.tick();
      expect(report.unreachable).toEqual(['alpha']);
      if (chain.calls > calls) {
        waits.push(now - lastTry);
        lastTry = now;
      }
    }
    expect(waits.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(store.unbatched).toHaveLength(0);

    chain.down = false;
    now += 8 * TICK_MS;
    const report = await service.tick();
    expect(report.unreachable).toEqual([]);
    expect(report.advanced).toBe(store.batches.size);
    expect(chain.signed.length).toBe(store.batches.size);

    chain.down = true;
    await service.tick();
    now += TICK_MS;
    const calls = chain.calls;
    await service.tick();
    expect(chain.calls).toBeGreaterThan(calls);
  });

  it('reports a failure other than an unreachable node as a chain error, not as unreachable', async () => {
    const { service, store, chain, metrics } = setup();
    store.seedBatch();
    chain.failures.set('signAnchor', new ChainError(ChainErrorCode.INSUFFICIENT_FUNDS, 'insufficient funds', { operation: 'signAnchor' }));

    expect(await service.tick()).toEqual({ leased: true, sealed: 0, advanced: 0, unreachable: [] });
    expect(await counter(metrics.rpcErrors, { chain: 'alpha', code: 'INSUFFICIENT_FUNDS' })).toBe(1);
    expect(store.attempts).toHaveLength(0);
    // Waiting out its backoff, the chain is still not reported unreachable: its node answered.
    expect((await service.tick()).unreachable).toEqual([]);

    now += TICK_MS;
    await service.tick();
    expect(store.attemptsOf(1)).toHaveLength(1);
  });

  it('lets the other chains advance while one is down, and makes a batch FINAL only once final on all of them', async () => {
    const { service, store, nodes, metrics } = setup({
      chains: [
        { name: 'alpha', id: 1 },
        { name: 'beta', id: 2 },
      ],
    });
    const [alpha, beta] = nodes;
    beta.down = true;
    store.seedBatch();

    expect((await service.tick()).unreachable).toEqual(['beta']);
    alpha.mine();
    await service.tick();
    await service.tick();
    expect(store.anchor(1, 1)?.status).toBe('FINAL');
    expect(store.anchor(1, 2)?.status).toBe('SEALED');
    expect(store.batches.get(1)?.status).toBe('MINED');

    beta.down = false;
    now += 60_000;
    await service.tick();
    expect(store.anchor(1, 2)?.status).toBe('SUBMITTED');
    beta.mine();
    await service.tick();
    await service.tick();
    expect(store.anchor(1, 2)?.status).toBe('FINAL');
    expect(store.batches.get(1)?.status).toBe('FINAL');
    // One signer, one nonce sequence per chain: each chain got its own first transaction.
    expect([alpha.signed[0].nonce, beta.signed[0].nonce]).toEqual([0, 0]);
    const count = (await metrics.timeToFinal.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value;
    expect(count).toBe(1);
  });

  it('does nothing while another worker holds the anchorer lease', async () => {
    const { service, store, chain } = setup();
    store.leaseHeldElsewhere = true;
    store.addEvents(3);
    expect(await service.tick()).toEqual({ leased: false, sealed: 0, advanced: 0, unreachable: [] });
    expect(store.unbatched).toHaveLength(3);
    expect(store.batches.size).toBe(0);
    expect(chain.calls).toBe(0);
  });
});

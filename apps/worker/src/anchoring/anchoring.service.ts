import { Inject, Injectable, Logger } from '@nestjs/common';
import { bumpFees, ChainError, ChainErrorCode, signedGasLimit } from '@pharmatrace/chain';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { AnchorRepository, OpenChainAnchor, StoredAttempt } from '@pharmatrace/persistence';
import { WorkerMetrics } from '../metrics/worker.metrics';
import { ChainGateway, ChainLink } from './chain.gateway';
import { FaultInjector } from './fault.injector';
import { RpcBackoff } from './rpc.backoff';
import { SealingService } from './sealing.service';

const hex = (b: Buffer) => `0x${b.toString('hex')}`;
const isLive = (a: StoredAttempt) => a.status === 'SIGNED' || a.status === 'BROADCAST';

export interface TickReport {
  leased: boolean;
  sealed: number;
  advanced: number;
  /** Chains skipped or failed this tick because their node could not be reached; they are retried with backoff. */
  unreachable: string[];
}

/**
 * Drives every (batch, chain) anchor along SEALED → SUBMITTED → MINED → FINAL from what Postgres and the chain say,
 * never from what a queue remembers: any step can crash and the next tick picks up where the records stand.
 *
 * - A transaction is signed and stored before it is broadcast, and the chain is asked whether the root is anchored
 *   before anything new is signed, so a batch is never anchored twice (the contract also refuses a second anchor).
 * - Live attempts of one (batch, chain) share one nonce: a transaction without a receipt after
 *   ANCHOR_REPLACE_AFTER_MS is re-signed with that nonce and both fee caps bumped; every version is checked for a
 *   receipt until one is mined, and the others are then DROPPED.
 * - Nonce rule: a new anchor takes max(node's pending count, one past every nonce held by a live attempt). Live
 *   attempts are rebroadcast (oldest batch first) before anything new is signed, so a nonce signed but never sent
 *   is reused by its own transaction, never skipped; after a reorganisation the mined attempt becomes live again.
 * - An unreachable chain backs off exponentially; sealing (Postgres only) goes on, so the backlog waits as sealed
 *   batches, and other chains are unaffected.
 */
@Injectable()
export class AnchoringService {
  private readonly logger = new Logger(AnchoringService.name);
  private readonly backoffs = new Map<ChainLink, RpcBackoff>();
  /** Chains whose last failure was an unreachable node: only they are reported unreachable while they wait. */
  private readonly down = new Set<ChainLink>();

  constructor(
    private readonly anchors: AnchorRepository,
    private readonly sealing: SealingService,
    private readonly chains: ChainGateway,
    private readonly faults: FaultInjector,
    private readonly metrics: WorkerMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    for (const link of chains.links) this.backoffs.set(link, new RpcBackoff(config.batching.tickMs, config.anchoring.rpcBackoffMaxMs));
  }

  async tick(): Promise<TickReport> {
    const outcome = await this.anchors.withAnchorerLease(async () => {
      const sealed = await this.sealing.sealDue();
      let advanced = 0;
      const unreachable: string[] = [];
      for (const link of this.chains.links) {
        const backoff = this.backoffs.get(link)!;
        if (!backoff.ready()) {
          if (this.down.has(link)) unreachable.push(link.name);
          continue;
        }
        try {
          advanced += await this.advanceChain(link);
          backoff.succeeded();
          this.down.delete(link);
        } catch (error) {
          const wait = backoff.failed();
          if (error instanceof ChainError) this.metrics.rpcErrors.inc({ chain: link.name, code: error.code });
          const rpcDown = error instanceof ChainError && error.code === ChainErrorCode.RPC_UNAVAILABLE;
          if (rpcDown) {
            unreachable.push(link.name);
            this.down.add(link);
          } else this.down.delete(link);
          const message = `chain ${link.name}: ${(error as Error).message}; retrying in ${wait} ms`;
          if (rpcDown) this.logger.warn(message);
          else this.logger.error(message);
        }
      }
      await this.refreshStranded();
      return { sealed: sealed.length, advanced, unreachable };
    });
    return outcome.acquired ? { leased: true, ...outcome.result } : { leased: false, sealed: 0, advanced: 0, unreachable: [] };
  }

  private async advanceChain(link: ChainLink): Promise<number> {
    const chainId = await link.chainId();
    await this.anchors.ensureChainAnchors(chainId, link.client.contractAddress);
    const open = await this.anchors.openChainAnchors(chainId);
    for (const anchor of open) {
      await this.advance(link, chainId, anchor);
      await this.refreshAggregate(anchor.batchId);
    }
    return open.length;
  }

  /** A worker killed between a chain anchor's last step and the batch's refresh left these behind; no open anchor would reach them. */
  private async refreshStranded(): Promise<void> {
    const ids = this.chains.links.map((l) => l.knownChainId);
    if (ids.some((id) => id === undefined)) return;
    for (const batchId of await this.anchors.strandedBatchIds(ids as number[])) await this.refreshAggregate(batchId);
  }

  private async refreshAggregate(batchId: number): Promise<void> {
    const ids = this.chains.links.map((l) => l.knownChainId);
    if (ids.some((id) => id === undefined)) return;
    const refresh = await this.anchors.refreshAggregate(batchId, ids[0]!, ids as number[]);
    if (refresh.becameFinal) this.metrics.timeToFinal.observe(refresh.secondsToFinal);
  }

  private advance(link: ChainLink, chainId: number, anchor: OpenChainAnchor): Promise<void> {
    switch (anchor.status) {
      case 'MINED':
        return this.checkFinality(link, chainId, anchor);
      case 'FINAL':
        return Promise.resolve();
      default:
        return this.progress(link, chainId, anchor);
    }
  }

  /** SEALED, SUBMITTED or REANCHORED: resolve what was sent, then rebroadcast, replace or send as needed. */
  private async progress(link: ChainLink, chainId: number, anchor: OpenChainAnchor): Promise<void> {
    const { client } = link;
    const attempts = await this.anchors.chainAttemptsOf(anchor.batchId, chainId);
    for (const attempt of attempts.filter(isLive)) {
      const receipt = await client.getReceipt(attempt.txHash);
      // Seen once: a mined attempt leaves the live ones, a reverted one is marked REVERTED just below.
      if (receipt) this.metrics.gasUsed.inc({ chain: link.name }, Number(receipt.gasUsed));
      if (receipt?.status === 1) {
        await this.anchors.setAttemptStatus(attempt.id, 'MINED');
        await this.anchors.dropSiblings(anchor.batchId, chainId, attempt.id);
        await this.anchors.markMined(anchor.batchId, {
          chainId,
          contractAddress: client.contractAddress,
          txHash: attempt.txHash,
          ...receipt,
        });
        this.logger.log(`batch ${anchor.batchId} on ${link.name}: mined in block ${receipt.blockNumber}`);
        return;
      }
      if (receipt) {
        await this.anchors.setAttemptStatus(attempt.id, 'REVERTED');
        attempt.status = 'REVERTED';
      }
    }
    if (await this.recordIfAnchored(link, chainId, anchor)) return;

    const live = attempts.filter(isLive);
    const newest = live.at(-1);
    if (!newest) return this.send(link, chainId, anchor);
    // Only the newest version is rebroadcast: an older one would be refused as underpriced next to it.
    const outcome = await client.broadcast(newest.rawTx);
    if (outcome === 'nonce-used') {
      if ((await client.getReceipt(newest.txHash)) || (await this.anyMined(link, live))) return;
      // Its nonce went to a transaction of ours: every version of it is dead; a new nonce is signed next tick.
      for (const attempt of live) await this.anchors.setAttemptStatus(attempt.id, 'DROPPED');
      this.logger.warn(`batch ${anchor.batchId} on ${link.name}: nonce ${newest.nonce} was taken by another transaction; will re-sign`);
      return;
    }
    if (newest.status === 'SIGNED') {
      await this.anchors.setAttemptStatus(newest.id, 'BROADCAST');
      return;
    }
    const waited = Date.now() - (newest.broadcastAt?.getTime() ?? Date.now());
    if (waited >= this.config.anchoring.replaceAfterMs) await this.replace(link, chainId, anchor, newest);
  }

  private async anyMined(link: ChainLink, attempts: StoredAttempt[]): Promise<boolean> {
    for (const attempt of attempts) if (await link.client.getReceipt(attempt.txHash)) return true;
    return false;
  }

  private async send(link: ChainLink, chainId: number, anchor: OpenChainAnchor): Promise<void> {
    const { client } = link;
    const floor = await this.anchors.nonceFloor(chainId, client.signerAddress!);
    const nonce = Math.max(await client.pendingNonce(), floor);
    const signed = await client.signAnchor(hex(anchor.root), BigInt(anchor.batchId), anchor.leafCount, { nonce });
    await this.broadcastNew(link, chainId, anchor, signed, 'anchor sent');
  }

  /** Same nonce, both fee caps bumped: the node swaps it in for the stuck one, and whichever is mined wins. */
  private async replace(link: ChainLink, chainId: number, anchor: OpenChainAnchor, stuck: StoredAttempt): Promise<void> {
    const { client } = link;
    const network = await client.feeData();
    const previous = {
      maxFeePerGas: stuck.maxFeePerGas ?? network.maxFeePerGas ?? 0n,
      maxPriorityFeePerGas: stuck.maxPriorityFeePerGas ?? network.maxPriorityFeePerGas ?? 0n,
    };
    const fees = bumpFees(previous, this.config.anchoring.feeBumpPercent, network);
    const gasLimit = signedGasLimit(stuck.rawTx);
    const signed = await client.signAnchor(hex(anchor.root), BigInt(anchor.batchId), anchor.leafCount, {
      nonce: stuck.nonce,
      gasLimit,
      ...fees,
    });
    await this.broadcastNew(link, chainId, anchor, signed, `stuck ${stuck.txHash} replaced`);
  }

  private async broadcastNew(
    link: ChainLink,
    chainId: number,
    anchor: OpenChainAnchor,
    signed: Awaited<ReturnType<ChainLink['client']['signAnchor']>>,
    what: string,
  ): Promise<void> {
    const attemptId = await this.anchors.recordAttempt({
      batchId: anchor.batchId,
      chainId,
      fromAddress: signed.from,
      nonce: signed.nonce,
      txHash: signed.hash,
      rawTx: signed.rawTx,
      maxFeePerGas: signed.maxFeePerGas ?? null,
      maxPriorityFeePerGas: signed.maxPriorityFeePerGas ?? null,
    });
    this.faults.at('after-sign');
    const outcome = await link.client.broadcast(signed.rawTx);
    if (outcome === 'nonce-used' && !(await link.client.getReceipt(signed.hash))) {
      // Left live: the next tick finds whether a sibling version took the nonce or another transaction did.
      this.logger.warn(`batch ${anchor.batchId} on ${link.name}: nonce ${signed.nonce} already used when sending ${signed.hash}`);
      return;
    }
    await this.anchors.setAttemptStatus(attemptId, 'BROADCAST');
    this.logger.log(`batch ${anchor.batchId} on ${link.name}: ${what} in ${signed.hash} (nonce ${signed.nonce})`);
    this.faults.at('after-broadcast');
  }

  private async checkFinality(link: ChainLink, chainId: number, anchor: OpenChainAnchor): Promise<void> {
    const { client } = link;
    const head = await client.getBlockNumber();
    if (head - anchor.blockNumber! + 1 < link.target.confirmations) return;
    const [hashAtHeight, anchoredAt, receipt] = await Promise.all([
      client.getBlockHash(anchor.blockNumber!),
      client.anchoredAt(hex(anchor.root)),
      client.getReceipt(anchor.txHash!),
    ]);
    if (hashAtHeight === anchor.blockHash && anchoredAt === BigInt(anchor.blockNumber!) && receipt?.blockHash === anchor.blockHash) {
      await this.anchors.markFinal(anchor.batchId, chainId);
      this.logger.log(`batch ${anchor.batchId} on ${link.name}: final after ${link.target.confirmations} confirmation(s)`);
      return;
    }
    this.logger.warn(`batch ${anchor.batchId} on ${link.name}: block ${anchor.blockNumber} changed under it (reorganisation); re-checking`);
    if (await this.recordIfAnchored(link, chainId, anchor)) return;
    await this.anchors.markReanchoring(anchor.batchId, chainId);
  }

  /** The root may be on chain from an attempt this process never saw finish, or moved by a reorg: record it. */
  private async recordIfAnchored(link: ChainLink, chainId: number, anchor: OpenChainAnchor): Promise<boolean> {
    const { client } = link;
    const root = hex(anchor.root);
    const block = Number(await client.anchoredAt(root));
    if (block === 0) return false;
    const event = await client.findAnchoredEvent(root, block, block);
    if (!event) return false;
    await this.anchors.markMined(anchor.batchId, {
      chainId,
      contractAddress: client.contractAddress,
      txHash: event.txHash,
      blockNumber: event.blockNumber,
      blockHash: event.blockHash,
    });
    const mined = (await this.anchors.chainAttemptsOf(anchor.batchId, chainId)).find((a) => a.txHash === event.txHash);
    if (mined) await this.anchors.setAttemptStatus(mined.id, 'MINED');
    // Whatever else is live for this batch can only revert now; releasing it keeps an unsent nonce from becoming a gap.
    await this.anchors.dropSiblings(anchor.batchId, chainId, mined?.id ?? 0);
    this.logger.log(
      `batch ${anchor.batchId} on ${link.name}: root found on chain in ${event.txHash} (block ${event.blockNumber}); recorded without sending`,
    );
    return true;
  }
}

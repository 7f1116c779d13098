import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { AnchorBatchEntity, AnchorRepository } from '@pharmatrace/persistence';
import { ChainGateway } from './chain.gateway';
import { FaultInjector } from './fault.injector';
import { SealingService } from './sealing.service';

const hex = (b: Buffer) => `0x${b.toString('hex')}`;

export interface TickReport {
  leased: boolean;
  sealed: number;
  advanced: number;
}

/**
 * Drives every batch along SEALED → SUBMITTED → MINED → FINAL from what Postgres and the chain say, never from
 * what a queue remembers: any step can crash and the next tick picks up where the records stand. A transaction is
 * signed and stored before it is broadcast, and the chain is asked whether the root is anchored before anything
 * new is sent, so a batch is never anchored twice (the contract also refuses a second anchor of a root).
 */
@Injectable()
export class AnchoringService {
  private readonly logger = new Logger(AnchoringService.name);

  constructor(
    private readonly anchors: AnchorRepository,
    private readonly sealing: SealingService,
    private readonly chain: ChainGateway,
    private readonly faults: FaultInjector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async tick(): Promise<TickReport> {
    const outcome = await this.anchors.withAnchorerLease(async () => {
      const sealed = await this.sealing.sealDue();
      const open = await this.anchors.openBatches();
      for (const batch of open) await this.advance(batch);
      return { sealed: sealed.length, advanced: open.length };
    });
    return outcome.acquired ? { leased: true, ...outcome.result } : { leased: false, sealed: 0, advanced: 0 };
  }

  private async advance(batch: AnchorBatchEntity): Promise<void> {
    switch (batch.status) {
      case 'SEALED':
      case 'REANCHORED':
        return this.submit(batch);
      case 'SUBMITTED':
        return this.checkSubmitted(batch);
      case 'MINED':
        return this.checkFinality(batch);
      case 'FINAL':
        return;
    }
  }

  private async submit(batch: AnchorBatchEntity): Promise<void> {
    if (await this.recordIfAnchored(batch)) return;
    const signed = await this.chain.signAnchor(hex(batch.root), BigInt(batch.id), batch.leafCount);
    const attemptId = await this.anchors.recordAttempt({
      batchId: batch.id,
      chainId: await this.chain.chainId(),
      fromAddress: signed.from,
      nonce: signed.nonce,
      txHash: signed.hash,
      rawTx: signed.rawTx,
      maxFeePerGas: signed.maxFeePerGas ?? null,
      maxPriorityFeePerGas: signed.maxPriorityFeePerGas ?? null,
    });
    this.faults.at('after-sign');
    const outcome = await this.chain.broadcast(signed.rawTx);
    if (outcome === 'nonce-used' && !(await this.chain.getReceipt(signed.hash))) {
      await this.anchors.setAttemptStatus(attemptId, 'DROPPED');
      this.logger.warn(`batch ${batch.id}: nonce ${signed.nonce} was taken by another transaction; will re-sign`);
      return;
    }
    await this.anchors.setAttemptStatus(attemptId, 'BROADCAST');
    this.logger.log(`batch ${batch.id}: anchor sent in ${signed.hash} (nonce ${signed.nonce})`);
    this.faults.at('after-broadcast');
  }

  private async checkSubmitted(batch: AnchorBatchEntity): Promise<void> {
    const attempts = await this.anchors.attemptsOf(batch.id);
    const chainId = await this.chain.chainId();
    let live = 0;
    for (const attempt of attempts) {
      if (attempt.status === 'REVERTED' || attempt.status === 'DROPPED') continue;
      const receipt = await this.chain.getReceipt(attempt.txHash);
      if (receipt?.status === 1) {
        await this.anchors.setAttemptStatus(attempt.id, 'MINED');
        await this.anchors.markMined(batch.id, {
          chainId,
          contractAddress: this.chain.contractAddress,
          txHash: attempt.txHash,
          blockNumber: receipt.blockNumber,
          blockHash: receipt.blockHash,
        });
        this.logger.log(`batch ${batch.id}: mined in block ${receipt.blockNumber}`);
        return;
      }
      if (receipt) {
        await this.anchors.setAttemptStatus(attempt.id, 'REVERTED');
        continue;
      }
      // Stored but perhaps never sent (a crash after signing), or lost from a restarted node's mempool.
      const outcome = await this.chain.broadcast(attempt.rawTx);
      if (outcome === 'nonce-used') {
        // Its nonce went to another transaction: unless it was mined in the meantime, it never will be.
        if ((await this.chain.getReceipt(attempt.txHash))?.status === 1) return this.checkSubmitted(batch);
        await this.anchors.setAttemptStatus(attempt.id, 'DROPPED');
        continue;
      }
      live++;
      if (attempt.status === 'SIGNED') await this.anchors.setAttemptStatus(attempt.id, 'BROADCAST');
    }
    if (await this.recordIfAnchored(batch)) return;
    if (live === 0) await this.submit(batch);
  }

  private async checkFinality(batch: AnchorBatchEntity): Promise<void> {
    const head = await this.chain.getBlockNumber();
    if (head - batch.blockNumber! + 1 < this.config.chain.confirmations) return;
    const [hashAtHeight, anchoredAt] = await Promise.all([
      this.chain.getBlockHash(batch.blockNumber!),
      this.chain.anchoredAt(hex(batch.root)),
    ]);
    if (hashAtHeight === batch.blockHash && anchoredAt === BigInt(batch.blockNumber!)) {
      await this.anchors.markFinal(batch.id);
      this.logger.log(`batch ${batch.id}: final after ${this.config.chain.confirmations} confirmation(s)`);
      return;
    }
    this.logger.warn(`batch ${batch.id}: block ${batch.blockNumber} changed under it (reorganisation); re-checking`);
    if (await this.recordIfAnchored(batch)) return;
    await this.anchors.markReanchoring(batch.id);
  }

  /** The root may already be on chain from an attempt this process never saw finish: record that, send nothing. */
  private async recordIfAnchored(batch: AnchorBatchEntity): Promise<boolean> {
    const root = hex(batch.root);
    if ((await this.chain.anchoredAt(root)) === 0n) return false;
    const event = await this.chain.findAnchoredEvent(root);
    if (!event) return false;
    await this.anchors.markMined(batch.id, {
      chainId: await this.chain.chainId(),
      contractAddress: this.chain.contractAddress,
      txHash: event.txHash,
      blockNumber: event.blockNumber,
      blockHash: event.blockHash,
    });
    this.logger.log(`batch ${batch.id}: root found on chain in ${event.txHash}; recorded without sending`);
    return true;
  }
}

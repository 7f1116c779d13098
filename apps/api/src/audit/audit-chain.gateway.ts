import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AnchorRegistryClient, ChainError } from '@pharmatrace/chain';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { type ChainAnchor, judgeAuditedChain } from '@pharmatrace/domain';
import { AuditRepository } from '@pharmatrace/persistence';
import { AuditError, AuditErrorCode } from './audit.error';

/**
 * The audit's read-only view of the chain: what the registry's `Anchored` logs say each batch committed to,
 * never what our database recorded about the anchoring. Built lazily so the API boots without a registry.
 */
@Injectable()
export class AuditChainGateway implements OnModuleDestroy {
  private client?: AnchorRegistryClient;
  /** Settled once the chain is known to be the anchoring one; a failed check is retried on the next call. */
  private identified?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: AuditRepository,
  ) {}

  /**
   * Anchors of one batch, or of every batch (keyed by batch id) when `batchId` is omitted. Refuses, before
   * reading any log, a chain that is not the one the batches were anchored on: its logs would condemn clean data.
   */
  async anchors(batchId?: number): Promise<Map<number, ChainAnchor[]>> {
    this.identified ??= this.identify().catch((error: unknown) => {
      this.identified = undefined;
      throw error;
    });
    await this.identified;
    try {
      const logs = await this.registry().anchoredEvents({
        batchId: batchId === undefined ? undefined : BigInt(batchId),
        fromBlock: this.config.chain.deployedAtBlock,
      });
      const byBatch = new Map<number, ChainAnchor[]>();
      for (const log of logs) {
        const id = Number(log.batchId);
        byBatch.set(id, [...(byBatch.get(id) ?? []), { root: log.root, leafCount: log.leafCount }]);
      }
      return byBatch;
    } catch (error) {
      if (error instanceof ChainError) {
        throw new AuditError(AuditErrorCode.AUDIT_UNAVAILABLE, `the chain could not be read: ${error.message}`, { chainError: error.code });
      }
      throw error;
    }
  }

  private async identify(): Promise<void> {
    const registry = this.registry();
    try {
      const reached = { chainId: await registry.chainId(), contractAddress: registry.contractAddress };
      const anchoredOn = await this.repository.anchoredRegistries();
      const sample = await this.repository.anchorSample(reached.chainId, reached.contractAddress);
      const sampleReceipt = sample ? await registry.getReceipt(sample.txHash) : undefined;
      const judgement = judgeAuditedChain({ reached, configuredChainId: this.config.chain.chainId, anchoredOn, sample, sampleReceipt });
      if (!judgement.ok) {
        throw new AuditError(
          AuditErrorCode.FOREIGN_CHAIN,
          `${this.config.chain.rpcUrl} is not the chain the batches were anchored on: ${judgement.reason}`,
          {
            reason: judgement.reason,
          },
        );
      }
    } catch (error) {
      if (error instanceof ChainError) {
        throw new AuditError(
          AuditErrorCode.AUDIT_UNAVAILABLE,
          `the chain at ${this.config.chain.rpcUrl} could not be read: ${error.message}`,
          { chainError: error.code },
        );
      }
      throw error;
    }
  }

  onModuleDestroy() {
    this.client?.destroy();
  }

  private registry(): AnchorRegistryClient {
    const { rpcUrl, contractAddress, chainId } = this.config.chain;
    if (!contractAddress)
      throw new AuditError(AuditErrorCode.AUDIT_UNAVAILABLE, 'no AnchorRegistry configured: set ANCHOR_CONTRACT_ADDRESS');
    this.client ??= new AnchorRegistryClient({ rpcUrl, contractAddress, chainId, logBlockRange: this.config.logBlockRange });
    return this.client;
  }
}

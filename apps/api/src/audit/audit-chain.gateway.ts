import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AnchorRegistryClient, ChainError } from '@pharmatrace/chain';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import type { ChainAnchor } from '@pharmatrace/domain';
import { AuditError, AuditErrorCode } from './audit.error';

/**
 * The audit's read-only view of the chain: what the registry's `Anchored` logs say each batch committed to,
 * never what our database recorded about the anchoring. Built lazily so the API boots without a registry.
 */
@Injectable()
export class AuditChainGateway implements OnModuleDestroy {
  private client?: AnchorRegistryClient;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Anchors of one batch, or of every batch (keyed by batch id) when `batchId` is omitted. */
  async anchors(batchId?: number): Promise<Map<number, ChainAnchor[]>> {
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

  onModuleDestroy() {
    this.client?.destroy();
  }

  private registry(): AnchorRegistryClient {
    const { rpcUrl, contractAddress, chainId } = this.config.chain;
    if (!contractAddress) throw new AuditError(AuditErrorCode.AUDIT_UNAVAILABLE, 'no AnchorRegistry configured: set ANCHOR_CONTRACT_ADDRESS');
    this.client ??= new AnchorRegistryClient({ rpcUrl, contractAddress, chainId, logBlockRange: this.config.logBlockRange });
    return this.client;
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { buildMerkleTree } from '@pharmatrace/merkle';
import { AnchorBatchEntity, AnchorRepository } from '@pharmatrace/persistence';
import { FaultInjector } from './fault.injector';

function build(digests: Buffer[]) {
  const flat = new Uint8Array(digests.length * 32);
  digests.forEach((d, i) => flat.set(d, i * 32));
  return buildMerkleTree(flat);
}

/** Seals unbatched events (and case entries, in batches of their own) into Merkle batches; safe to run from several workers at once (SKIP LOCKED). */
@Injectable()
export class SealingService {
  private readonly logger = new Logger(SealingService.name);

  constructor(
    private readonly anchors: AnchorRepository,
    private readonly faults: FaultInjector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Seals as many full or overdue batches as there are, of events then of case entries; returns them. */
  async sealDue(): Promise<AnchorBatchEntity[]> {
    const sealed: AnchorBatchEntity[] = [];
    for (;;) {
      const batch = await this.anchors.sealNextBatch(this.config.batching, build);
      if (!batch) break;
      this.logger.log(`sealed batch ${batch.id}: ${batch.leafCount} events, root 0x${batch.root.toString('hex')}`);
      sealed.push(batch);
      this.faults.at('after-seal');
    }
    for (;;) {
      const batch = await this.anchors.sealNextCaseEntryBatch(this.config.batching, build);
      if (!batch) return sealed;
      this.logger.log(`sealed batch ${batch.id}: ${batch.leafCount} case entries, root 0x${batch.root.toString('hex')}`);
      sealed.push(batch);
    }
  }
}

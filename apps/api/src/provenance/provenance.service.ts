import { Injectable } from '@nestjs/common';
import { digestToHash } from '@pharmatrace/epcis';
import { canonicalEpc, Gs1Error } from '@pharmatrace/gs1';
import { ProofService } from '../anchoring/proof.service';
import { AnchorStatusEnum } from '../anchoring/proof.types';
import { PackHistoryService } from './pack-history.service';
import { ProvenanceError, ProvenanceErrorCode } from './provenance.error';
import { ProvenanceType } from './provenance.types';

@Injectable()
export class ProvenanceService {
  constructor(
    private readonly history: PackHistoryService,
    private readonly proofs: ProofService,
  ) {}

  async provenance(input: string): Promise<ProvenanceType> {
    const epc = this.canonical(input);
    const history = await this.history.history(epc);
    const proofs = await this.proofs.proofsFor(history.map((h) => h.event));
    return {
      epc,
      events: history.map(({ event: e, via }) => ({
        eventHash: digestToHash(e.hash),
        eventType: e.eventType,
        action: e.action ?? undefined,
        bizStep: e.bizStep ?? undefined,
        disposition: e.disposition ?? undefined,
        eventTime: e.eventTime,
        recordTime: e.recordTime,
        readPoint: e.readPoint ?? undefined,
        bizLocation: e.bizLocation ?? undefined,
        via,
        event: e.body,
        anchorStatus: (e.batch?.status ?? 'UNBATCHED') as AnchorStatusEnum,
        proof: proofs.get(e.id),
      })),
    };
  }

  private canonical(input: string): string {
    try {
      return canonicalEpc(input.trim());
    } catch (e) {
      if (e instanceof Gs1Error) throw new ProvenanceError(ProvenanceErrorCode.INVALID_EPC, `epc: ${e.message}`, { field: 'epc', rule: e.rule });
      throw e;
    }
  }
}

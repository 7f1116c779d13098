import { Injectable } from '@nestjs/common';
import { auditAnchoredBatch, AuditOutcome, type BatchAuditReport, type ChainAnchor, TamperKind } from '@pharmatrace/domain';
import { type DocumentContext, eventHash, EpcisValidationError, hashDigest } from '@pharmatrace/epcis';
import { AuditRepository } from '@pharmatrace/persistence';
import { AuditChainGateway } from './audit-chain.gateway';
import { AuditError, AuditErrorCode } from './audit.error';

export interface AuditResult extends BatchAuditReport {
  /** Alerts this audit added; findings already alerted by an earlier audit are not raised again. */
  alertsRecorded: number;
  /** True when the batch audited clean and an earlier audit's tamper mark was lifted. */
  markCleared: boolean;
}

@Injectable()
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly chain: AuditChainGateway,
  ) {}

  /**
   * Rebuilds one mined batch from its event rows, compares it with the chain and records every finding as a
   * TAMPER_DETECTED alert. `anchors` lets a caller auditing many batches read the chain's logs once.
   */
  async auditBatch(batchId: number, anchors?: Map<number, ChainAnchor[]>): Promise<AuditResult> {
    const stored = await this.repository.batch(batchId);
    if (!stored) throw new AuditError(AuditErrorCode.UNKNOWN_BATCH, `no batch ${batchId}`, { batchId });
    const { batch, events } = stored;
    if (batch.status !== 'MINED' && batch.status !== 'FINAL') {
      throw new AuditError(AuditErrorCode.BATCH_NOT_MINED, `batch ${batchId} is ${batch.status}: nothing was anchored to audit against`, {
        batchId,
        status: batch.status,
      });
    }
    const onChain = (anchors ?? (await this.chain.anchors(batchId))).get(batchId) ?? [];
    const report = await auditAnchoredBatch({
      batchId,
      storedRoot: batch.root,
      storedLeafCount: batch.leafCount,
      nodes: batch.nodes,
      anchors: onChain,
      events: events.map((e) => ({
        eventId: e.id,
        leafIndex: e.leafIndex,
        storedDigest: e.eventHash,
        recomputedDigest: recomputedDigest(e.body, e.ignoreFields, e.hashRules),
      })),
    });
    // A batch only MINED may have just been reorganised away; the worker re-anchors it, so that is no tampering yet.
    const transient = batch.status === 'MINED' && report.findings.every((f) => f.kind === TamperKind.NOT_ANCHORED);
    const alertsRecorded = transient
      ? 0
      : await this.repository.recordTamper(
          batchId,
          report.findings.map((f) => ({ ...f })),
        );
    // A mark stands only while the batch still fails: clean now means the earlier findings no longer hold.
    const markCleared = report.outcome === AuditOutcome.CLEAN && (await this.repository.clearTamper(batchId));
    return { ...report, alertsRecorded, markCleared };
  }
}

/**
 * The CBV 2.0 digest the stored body hashes to now, with the fields its capture declared out of the hash and the rules
 * it was hashed with; null when it is no longer an event at all.
 */
function recomputedDigest(body: unknown, ignoreFields: string[], rules: 1 | 2 | 3): Uint8Array | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  try {
    return hashDigest(eventHash(body, (body as { '@context'?: DocumentContext })['@context'], { ignoreFields, rules }).hash);
  } catch (error) {
    if (error instanceof EpcisValidationError) return null;
    throw error;
  }
}

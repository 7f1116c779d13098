import { Injectable } from '@nestjs/common';
import { AuditOutcome } from '@pharmatrace/domain';
import { AuditRepository } from '@pharmatrace/persistence';
import { AuditChainGateway } from './audit-chain.gateway';
import { type AuditResult, AuditService } from './audit.service';

export interface AuditRunOptions {
  /** Close any unfinished run and audit every batch again. */
  restart?: boolean;
  /** Aborting stops after the batch being audited, with the progress saved. */
  signal?: AbortSignal;
  onStart?(plan: { resumed: boolean; afterBatchId: number | null; batches: number; events: number }): void;
  onBatch?(result: AuditResult): void;
}

export interface AuditRunSummary {
  runId: number;
  interrupted: boolean;
  /** Totals over the whole run, including the parts audited before an interruption. */
  batches: number;
  events: number;
  tamperedBatches: number;
  findings: number;
  elapsedMs: number;
  eventsPerSecond: number;
}

/** Audits every mined batch in id order, saving progress after each so an interrupted audit resumes where it stopped. */
@Injectable()
export class AuditRunner {
  constructor(
    private readonly repository: AuditRepository,
    private readonly service: AuditService,
    private readonly chain: AuditChainGateway,
  ) {}

  async run(options: AuditRunOptions = {}): Promise<AuditRunSummary> {
    // One log scan for the whole run instead of one per batch, first so an unreachable chain fails before any work.
    const anchors = await this.chain.anchors();
    const { run, resumed } = await this.repository.openRun(options.restart ?? false);
    const todo = await this.repository.remaining(run.lastBatchId);
    options.onStart?.({ resumed, afterBatchId: run.lastBatchId, batches: todo.ids.length, events: todo.events });
    const totals = { ...run };
    let interrupted = false;
    for (const batchId of todo.ids) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const started = performance.now();
      const result = await this.service.auditBatch(batchId, anchors);
      const elapsedMs = performance.now() - started;
      const tampered = result.outcome === AuditOutcome.TAMPERED;
      await this.repository.saveProgress(run.id, {
        lastBatchId: batchId,
        events: result.eventCount,
        tampered,
        findings: result.findings.length,
        elapsedMs,
      });
      totals.batchesAudited += 1;
      totals.eventsAudited += result.eventCount;
      totals.tamperedBatches += tampered ? 1 : 0;
      totals.findings += result.findings.length;
      totals.elapsedMs += elapsedMs;
      options.onBatch?.(result);
    }
    if (!interrupted) await this.repository.finishRun(run.id);
    return {
      runId: run.id,
      interrupted,
      batches: totals.batchesAudited,
      events: totals.eventsAudited,
      tamperedBatches: totals.tamperedBatches,
      findings: totals.findings,
      elapsedMs: totals.elapsedMs,
      eventsPerSecond: totals.elapsedMs > 0 ? (totals.eventsAudited * 1000) / totals.elapsedMs : 0,
    };
  }
}

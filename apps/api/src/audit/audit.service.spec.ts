import { AuditOutcome, ChainAnchor, TamperKind } from '@pharmatrace/domain';
import { buildMerkleTree, HASH_BYTES } from '@pharmatrace/merkle';
import type { AuditBatchRow, AuditEventRow, AuditRepository } from '@pharmatrace/persistence';
import { storedEvent } from '../provenance/pack-history.fake';
import { AuditChainGateway } from './audit-chain.gateway';
import { AuditErrorCode } from './audit.error';
import { AuditService } from './audit.service';

const PACK = 'https://id.gs1.org/01/00614141123452/21/1';
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

/**
 * AuditRepository in memory: batches with their event rows, and the tamper mark with its alerts. An identical finding
 * is not alerted twice while the mark stands, as the SQL decides.
 */
class FakeAudits {
  readonly batches = new Map<number, { batch: AuditBatchRow; events: AuditEventRow[] }>();
  readonly alerts: { code: string; details: Record<string, unknown> }[] = [];
  readonly marked = new Set<number>();

  async batch(batchId: number) {
    const stored = this.batches.get(batchId);
    return stored ? { batch: { ...stored.batch }, events: stored.events.map((e) => ({ ...e })) } : null;
  }

  async recordTamper(batchId: number, findings: Record<string, unknown>[]): Promise<number> {
    if (!findings.length) return 0;
    const since = this.marked.has(batchId) ? this.alerts.filter((a) => a.code === 'TAMPER_DETECTED' && a.details.batchId === batchId) : [];
    const fresh = findings.filter((f) => !since.some((a) => JSON.stringify(a.details) === JSON.stringify(f)));
    this.alerts.push(...fresh.map((details) => ({ code: 'TAMPER_DETECTED', details })));
    this.marked.add(batchId);
    return fresh.length;
  }

  async clearTamper(batchId: number): Promise<boolean> {
    if (!this.marked.delete(batchId)) return false;
    this.alerts.push({ code: 'TAMPER_CLEARED', details: { batchId } });
    return true;
  }
}

/** The chain's Anchored logs by batch, and how often they were read. */
class FakeChain {
  readonly logs = new Map<number, ChainAnchor[]>();
  reads = 0;

  async anchors(batchId?: number): Promise<Map<number, ChainAnchor[]>> {
    this.reads++;
    return new Map([...this.logs].filter(([id]) => batchId === undefined || id === batchId));
  }
}

/** A batch of `n` events as the worker stored and anchored it. */
async function anchoredBatch(audits: FakeAudits, chain: FakeChain, batchId: number, n: number, status = 'FINAL') {
  const events = Array.from({ length: n }, (_, i) =>
    storedEvent('org', {
      type: 'ObjectEvent',
      action: 'OBSERVE',
      eventTime: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
      epcList: [PACK],
      bizStep: 'inspecting',
    }),
  );
  const digests = new Uint8Array(n * HASH_BYTES);
  events.forEach((e, i) => digests.set(e.hash, i * HASH_BYTES));
  const tree = await buildMerkleTree(digests);
  audits.batches.set(batchId, {
    batch: { id: batchId, status, root: Buffer.from(tree.root), leafCount: n, nodes: Buffer.from(tree.nodes) },
    events: events.map((e, i) => ({
      id: e.id,
      eventHash: e.hash,
      leafIndex: tree.treeIndexOf[i],
      body: e.body,
      ignoreFields: [],
      hashRules: 3,
    })),
  });
  chain.logs.set(batchId, [{ root: hex(tree.root), leafCount: n }]);
  return audits.batches.get(batchId)!;
}

function setup() {
  const audits = new FakeAudits();
  const chain = new FakeChain();
  return { audits, chain, service: new AuditService(audits as unknown as AuditRepository, chain as unknown as AuditChainGateway) };
}

describe('AuditService', () => {
  it('finds an untouched batch clean, records no alert and lifts no mark', async () => {
    const { audits, chain, service } = setup();
    await anchoredBatch(audits, chain, 1, 5);
    const result = await service.auditBatch(1);
    expect(result).toMatchObject({
      batchId: 1,
      outcome: AuditOutcome.CLEAN,
      findings: [],
      eventCount: 5,
      alertsRecorded: 0,
      markCleared: false,
    });
    expect(result.rebuiltRoot).toBe(result.chainRoot);
    expect(audits.alerts).toEqual([]);
  });

  it('names an edited event, alerts it once, and keeps the batch marked', async () => {
    const { audits, chain, service } = setup();
    const { events } = await anchoredBatch(audits, chain, 1, 4);
    (events[2].body as Record<string, unknown>).bizStep = 'destroying';
    const first = await service.auditBatch(1);
    expect(first.outcome).toBe(AuditOutcome.TAMPERED);
    expect(first.findings).toEqual([expect.objectContaining({ kind: TamperKind.EDITED, eventId: events[2].id })]);
    expect(first.alertsRecorded).toBe(1);
    const again = await service.auditBatch(1);
    expect(again.alertsRecorded).toBe(0);
    expect(audits.marked.has(1)).toBe(true);
  });

  it('names a deleted event row', async () => {
    const { audits, chain, service } = setup();
    const stored = await anchoredBatch(audits, chain, 1, 4);
    stored.events.splice(1, 1);
    const result = await service.auditBatch(1);
    expect(result.findings.map((f) => f.kind)).toContain(TamperKind.DELETED);
    expect(audits.alerts.length).toBe(result.findings.length);
  });

  it('treats a body that no longer hashes as edited, not as a crash', async () => {
    const { audits, chain, service } = setup();
    const { events } = await anchoredBatch(audits, chain, 1, 3);
    events[0].body = ['not', 'an', 'event'];
    events[1].body = { type: 42 };
    const result = await service.auditBatch(1);
    expect(result.outcome).toBe(AuditOutcome.TAMPERED);
    expect(
      result.findings
        .filter((f) => f.kind === TamperKind.EDITED)
        .map((f) => f.eventId)
        .sort(),
    ).toEqual([events[0].id, events[1].id].sort());
  });

  it('lifts an earlier mark once the batch audits clean again', async () => {
    const { audits, chain, service } = setup();
    const { events } = await anchoredBatch(audits, chain, 1, 3);
    const original = events[0].body;
    events[0].body = { ...(original as object), bizStep: 'destroying' };
    await service.auditBatch(1);
    events[0].body = original;
    await expect(service.auditBatch(1)).resolves.toMatchObject({ outcome: AuditOutcome.CLEAN, markCleared: true });
    expect(audits.alerts.map((a) => a.code)).toEqual(['TAMPER_DETECTED', 'TAMPER_CLEARED']);
  });

  it('does not alert a MINED batch missing from the chain (a reorganisation the worker re-anchors), but does a FINAL one', async () => {
    const { audits, chain, service } = setup();
    await anchoredBatch(audits, chain, 1, 2, 'MINED');
    await anchoredBatch(audits, chain, 2, 2, 'FINAL');
    chain.logs.clear();
    const mined = await service.auditBatch(1);
    expect(mined).toMatchObject({
      outcome: AuditOutcome.TAMPERED,
      alertsRecorded: 0,
      findings: [expect.objectContaining({ kind: TamperKind.NOT_ANCHORED })],
    });
    expect(audits.marked.has(1)).toBe(false);
    await expect(service.auditBatch(2)).resolves.toMatchObject({ alertsRecorded: 1 });
    expect(audits.marked.has(2)).toBe(true);
  });

  it('alerts a MINED batch whose rows were edited, though it may also be off the chain', async () => {
    const { audits, chain, service } = setup();
    const { events } = await anchoredBatch(audits, chain, 1, 2, 'MINED');
    (events[0].body as Record<string, unknown>).bizStep = 'destroying';
    await expect(service.auditBatch(1)).resolves.toMatchObject({ alertsRecorded: 1 });
  });

  it('uses the anchors a caller read for many batches instead of reading the chain again', async () => {
    const { audits, chain, service } = setup();
    await anchoredBatch(audits, chain, 1, 2);
    const logs = await chain.anchors();
    chain.reads = 0;
    await expect(service.auditBatch(1, logs)).resolves.toMatchObject({ outcome: AuditOutcome.CLEAN });
    expect(chain.reads).toBe(0);
    // Anchors read for other batches only: this one has none on chain.
    await expect(service.auditBatch(1, new Map())).resolves.toMatchObject({
      findings: [expect.objectContaining({ kind: TamperKind.NOT_ANCHORED })],
    });
  });

  it('refuses an unknown batch and one not yet mined, before reading the chain', async () => {
    const { audits, chain, service } = setup();
    await anchoredBatch(audits, chain, 1, 2, 'SUBMITTED');
    chain.reads = 0;
    await expect(service.auditBatch(9)).rejects.toMatchObject({ code: AuditErrorCode.UNKNOWN_BATCH, details: { batchId: 9 } });
    await expect(service.auditBatch(1)).rejects.toMatchObject({
      code: AuditErrorCode.BATCH_NOT_MINED,
      details: { batchId: 1, status: 'SUBMITTED' },
    });
    expect(chain.reads).toBe(0);
  });
});

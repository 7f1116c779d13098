import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { buildMerkleTree, fromHex, hex, leafHashOf } from '@pharmatrace/merkle';
import fc from 'fast-check';
import { type AuditedEvent, auditAnchoredBatch, AuditOutcome, type BatchAuditInput, nodesCommitTo, TamperKind } from './audit';

const digest = (n: number) => {
  const d = new Uint8Array(32);
  new DataView(d.buffer).setUint32(28, n);
  d[0] = 0xab;
  return d;
};

/** A batch sealed the way the worker seals it, anchored on chain with its root and leaf count. */
async function sealedBatch(digests: Uint8Array[]): Promise<BatchAuditInput> {
  const packed = new Uint8Array(digests.length * 32);
  digests.forEach((d, i) => packed.set(d, i * 32));
  const tree = await buildMerkleTree(packed);
  return {
    batchId: 7,
    storedRoot: tree.root,
    storedLeafCount: digests.length,
    nodes: tree.nodes,
    events: digests.map((d, i) => ({ eventId: 100 + i, leafIndex: tree.treeIndexOf[i], storedDigest: d, recomputedDigest: d })),
    anchors: [{ root: hex(tree.root), leafCount: digests.length }],
  };
}

const kinds = (findings: { kind: TamperKind }[]) => findings.map((f) => f.kind);

describe('auditAnchoredBatch', () => {
  it('accepts a node array and root produced by OpenZeppelin StandardMerkleTree (known answer)', async () => {
    const digests = [1, 2, 3, 4, 5].map(digest);
    const oz = StandardMerkleTree.of(
      digests.map((d) => [hex(d)]),
      ['bytes32'],
    );
    const nodes = fromHex(
      oz
        .dump()
        .tree.map((h) => h.slice(2))
        .join(''),
    );
    expect(nodesCommitTo(nodes, oz.root, 5)).toBe(true);
    const ozIndex = new Map([...oz.entries()].map(([i, [v]]) => [v, oz.dump().values[i].treeIndex]));
    const report = await auditAnchoredBatch({
      batchId: 1,
      storedRoot: fromHex(oz.root),
      storedLeafCount: 5,
      nodes,
      events: digests.map((d, i) => ({ eventId: i + 1, leafIndex: ozIndex.get(hex(d))!, storedDigest: d, recomputedDigest: d })),
      anchors: [{ root: oz.root.toUpperCase().replace('0X', '0x'), leafCount: 5 }],
    });
    expect(report).toMatchObject({ outcome: AuditOutcome.CLEAN, chainRoot: oz.root, rebuiltRoot: oz.root, eventCount: 5, findings: [] });
  });

  it('names an edited body, an inserted row and a deleted row', async () => {
    const batch = await sealedBatch([1, 2, 3, 4].map(digest));
    const [a, b, c, d] = batch.events;
    const inserted: AuditedEvent = { eventId: 999, leafIndex: d.leafIndex, storedDigest: digest(50), recomputedDigest: digest(50) };
    const report = await auditAnchoredBatch({ ...batch, events: [{ ...a, recomputedDigest: digest(40) }, b, d, inserted] });
    expect(report.outcome).toBe(AuditOutcome.TAMPERED);
    expect(report.rebuiltRoot).not.toBe(report.chainRoot);
    expect(report.findings).toEqual([
      expect.objectContaining({
        batchId: 7,
        kind: TamperKind.EDITED,
        eventId: 100,
        leafIndex: a.leafIndex,
        eventHash: expect.stringMatching(/^ni:\/\/\/sha-256;ab0{60}01\?ver=CBV2\.0$/),
      }),
      expect.objectContaining({ kind: TamperKind.INSERTED, eventId: 999 }),
      expect.objectContaining({ kind: TamperKind.DELETED, leafIndex: c.leafIndex, leafHash: hex(leafHashOf(c.storedDigest)) }),
    ]);
  });

  it('tells which column changed: event_hash alone, leaf_index alone, or body and hash together', async () => {
    const batch = await sealedBatch([1, 2, 3].map(digest));
    const [a, b, c] = batch.events;
    const report = await auditAnchoredBatch({
      ...batch,
      events: [
        { ...a, storedDigest: digest(60) },
        { ...b, leafIndex: b.leafIndex! + 100 },
        { ...c, storedDigest: digest(61), recomputedDigest: digest(61) },
      ],
    });
    expect(report.findings.map((f) => [f.kind, f.eventId, f.detail.split(' ')[0]])).toEqual([
      [TamperKind.EDITED, 100, 'event_hash'],
      [TamperKind.EDITED, 101, 'leaf_index'],
      [TamperKind.EDITED, 102, 'body'],
    ]);
  });

  it('reports a body that no longer hashes as edited', async () => {
    const batch = await sealedBatch([1, 2].map(digest));
    const report = await auditAnchoredBatch({ ...batch, events: [{ ...batch.events[0], recomputedDigest: null }, batch.events[1]] });
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: TamperKind.EDITED, eventId: 100, detail: 'body no longer hashes as an EPCIS event' }),
    ]);
  });

  it('refuses to itemise from a node array that does not rebuild the anchored root', async () => {
    const batch = await sealedBatch([1, 2, 3].map(digest));
    const nodes = batch.nodes.slice();
    nodes[nodes.length - 1] ^= 1;
    const report = await auditAnchoredBatch({ ...batch, nodes, events: batch.events.slice(1) });
    expect(kinds(report.findings)).toEqual([TamperKind.ROOT_MISMATCH]);
    expect(report.findings[0].detail).toContain('node array');
  });

  it('flags an altered root or leaf count column and a batch the chain never anchored', async () => {
    const batch = await sealedBatch([1, 2].map(digest));
    const altered = await auditAnchoredBatch({ ...batch, storedRoot: digest(9), storedLeafCount: 3 });
    expect(kinds(altered.findings)).toEqual([TamperKind.ROOT_MISMATCH, TamperKind.ROOT_MISMATCH]);
    expect(altered.chainRoot).toBe(hex(batch.storedRoot));
    const missing = await auditAnchoredBatch({ ...batch, anchors: [] });
    expect(missing).toMatchObject({ outcome: AuditOutcome.TAMPERED, chainRoot: null, findings: [{ kind: TamperKind.NOT_ANCHORED }] });
  });

  it('finds exactly the rows tampered with, and nothing in an untouched batch (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.constantFrom('keep', 'delete', 'edit'), { minLength: 40, maxLength: 40 }),
        fc.nat({ max: 3 }),
        async (ids, ops, insertions) => {
          const batch = await sealedBatch(ids.map(digest));
          const events: AuditedEvent[] = [];
          const expected: [TamperKind, number | undefined][] = [];
          batch.events.forEach((e, i) => {
            if (ops[i] === 'keep') events.push(e);
            if (ops[i] === 'edit') {
              events.push({ ...e, recomputedDigest: digest(20_000 + i) });
              expected.push([TamperKind.EDITED, e.eventId]);
            }
          });
          for (let k = 0; k < insertions; k++) {
            events.push({ eventId: 5_000 + k, leafIndex: null, storedDigest: digest(30_000 + k), recomputedDigest: digest(30_000 + k) });
            expected.push([TamperKind.INSERTED, 5_000 + k]);
          }
          const deleted = batch.events
            .filter((_, i) => ops[i] === 'delete')
            .map((e) => e.leafIndex!)
            .sort((x, y) => x - y);
          const report = await auditAnchoredBatch({ ...batch, events });
          expect(report.findings.filter((f) => f.kind !== TamperKind.DELETED).map((f) => [f.kind, f.eventId])).toEqual(expected);
          expect(report.findings.filter((f) => f.kind === TamperKind.DELETED).map((f) => f.leafIndex)).toEqual(deleted);
          expect(report.outcome).toBe(expected.length + deleted.length ? AuditOutcome.TAMPERED : AuditOutcome.CLEAN);
          expect(report.rebuiltRoot === report.chainRoot).toBe(report.outcome === AuditOutcome.CLEAN);
        },
      ),
      { numRuns: 150 },
    );
  });
});

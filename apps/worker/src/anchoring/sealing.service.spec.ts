import { Logger } from '@nestjs/common';
import type { AppConfig } from '@pharmatrace/config';
import { getProof, hex, proofToHex } from '@pharmatrace/merkle';
import type { AnchorRepository, BuiltTree, SealPolicy } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { rootFromProof } from 'pharmatrace-verify';
import { FaultInjector } from './fault.injector';
import { SealingService } from './sealing.service';

interface SealedBatch {
  id: number;
  root: Buffer;
  leafCount: number;
  leaves: Buffer[];
  tree: BuiltTree;
}

/**
 * sealNextBatch as the SQL decides it: nothing when no event waits, or when fewer than maxEvents wait and none is
 * overdue; otherwise the oldest maxEvents. Digests come in as Buffers that are views into one larger buffer, as
 * node-postgres hands out bytea columns, so the service must copy exactly the 32 bytes of each.
 */
class FakeSealingStore {
  readonly waiting: { digest: Buffer; due: boolean }[] = [];
  readonly sealed: SealedBatch[] = [];
  policies: SealPolicy[] = [];

  add(digests: Uint8Array[], due: boolean) {
    const pool = Buffer.alloc(digests.length * 32 + 64, 0xee);
    digests.forEach((d, i) => {
      pool.set(d, 32 + i * 32);
      this.waiting.push({ digest: pool.subarray(32 + i * 32, 64 + i * 32), due });
    });
  }

  /** Case entries are sealed by the same loop after events; their SQL is tested in the cases integration spec. */
  async sealNextCaseEntryBatch() {
    return null;
  }

  async sealNextBatch(policy: SealPolicy, build: (digests: Buffer[]) => Promise<BuiltTree>) {
    this.policies.push(policy);
    const rows = this.waiting.slice(0, policy.maxEvents);
    if (!rows.length) return null;
    if (rows.length < policy.maxEvents && !rows.some((r) => r.due)) return null;
    this.waiting.splice(0, rows.length);
    const tree = await build(rows.map((r) => r.digest));
    const batch = {
      id: this.sealed.length + 1,
      root: Buffer.from(tree.root),
      leafCount: rows.length,
      leaves: rows.map((r) => Buffer.from(r.digest)),
      tree,
    };
    this.sealed.push(batch);
    return { id: batch.id, root: batch.root, leafCount: batch.leafCount, status: 'SEALED' };
  }
}

/** Checked with the standalone verifier's fold (held to OpenZeppelin's in its spec), not the library under test. */
const provesInclusion = (root: Uint8Array, digest: Uint8Array, proof: Uint8Array[]): boolean =>
  rootFromProof(hex(digest), proofToHex(proof)) === hex(root);

const digestArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

function setup(batching = { maxEvents: 3, maxWaitMs: 10_000, tickMs: 1_000 }) {
  const config = { env: 'development', batching } as unknown as AppConfig;
  const store = new FakeSealingStore();
  const service = new SealingService(store as unknown as AnchorRepository, new FaultInjector(config), config);
  return { service, store };
}

beforeAll(() => Logger.overrideLogger(false));

describe('sealing', () => {
  it('seals every full or overdue batch in one call and returns them in order', async () => {
    const { service, store } = setup();
    store.add(
      Array.from({ length: 7 }, (_, i) => new Uint8Array(32).fill(i + 1)),
      true,
    );
    const sealed = await service.sealDue();
    expect(sealed.map((b) => [b.id, b.leafCount])).toEqual([
      [1, 3],
      [2, 3],
      [3, 1],
    ]);
    expect(store.waiting).toHaveLength(0);
    expect(store.policies.every((p) => p.maxEvents === 3 && p.maxWaitMs === 10_000)).toBe(true);
  });

  it('leaves a partial batch that is not overdue for a later tick', async () => {
    const { service, store } = setup();
    store.add([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(32).fill(3), new Uint8Array(32).fill(4)], false);
    const sealed = await service.sealDue();
    expect(sealed.map((b) => b.leafCount)).toEqual([3]);
    expect(store.waiting).toHaveLength(1);
    await expect(service.sealDue()).resolves.toEqual([]);
  });

  it('builds a root under which every sealed event has a valid proof, whatever the events', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(digestArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 16 }),
        async (digests, maxEvents) => {
          const { service, store } = setup({ maxEvents, maxWaitMs: 10_000, tickMs: 1_000 });
          store.add(digests, true);
          const sealed = await service.sealDue();
          expect(sealed.reduce((n, b) => n + b.leafCount, 0)).toBe(digests.length);
          for (const batch of store.sealed) {
            expect(batch.tree.root).toEqual(new Uint8Array(batch.root));
            batch.leaves.forEach((leaf, i) => {
              expect(provesInclusion(batch.root, leaf, getProof(batch.tree.nodes, batch.tree.treeIndexOf[i]))).toBe(true);
            });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives different roots to batches that differ in one event', async () => {
    const a = setup();
    const b = setup();
    a.store.add([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(32).fill(3)], true);
    b.store.add([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(32).fill(4)], true);
    const [[sa], [sb]] = await Promise.all([a.service.sealDue(), b.service.sealDue()]);
    expect(sa.root.equals(sb.root)).toBe(false);
  });
});

import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { commissioningEvent, EPCIS_CONTEXT, eventHash, hashDigest } from '@pharmatrace/epcis';
import type { BundleEvent, ProofBundle } from './bundle.format';
import { verifyBundle } from './bundle.verifier';
import { ProblemCode } from './verification.report';
import { VerifyError, VerifyErrorCode } from './verify.error';

/** Nothing listens on port 9 (discard) here: the chain part must then be reported as unreadable, not as verified. */
const DEAD_RPC = 'http://127.0.0.1:9';

function offlineBundle(): ProofBundle {
  const events = ['P1', 'P2', 'P3'].map((s, i) => ({
    '@context': [EPCIS_CONTEXT],
    ...commissioningEvent({
      eventTime: new Date(Date.UTC(2026, 0, 1, 0, i)),
      epcs: [`https://id.gs1.org/01/00614141073467/21/${s}`],
      lot: 'L1',
      expiry: '2028-01-31',
    }),
  }));
  const hashes = events.map((e) => eventHash(e).hash);
  const digests = hashes.map((h) => `0x${Buffer.from(hashDigest(h)).toString('hex')}`);
  const tree = StandardMerkleTree.of(
    digests.map((d) => [d]),
    ['bytes32'],
  );
  return {
    format: 'pharmatrace-proof-bundle',
    version: 1,
    generatedAt: '2026-01-02T00:00:00.000Z',
    epc: 'https://id.gs1.org/01/00614141073467/21/P1',
    events: events.map((event, i): BundleEvent => ({
      event,
      eventHash: hashes[i],
      merkle: { leafEncoding: ['bytes32'], value: digests[i], proof: tree.getProof(i), root: tree.root },
      anchors: [],
    })),
  };
}

const codes = async (bundle: unknown, rpcUrls: string | Record<string, string> = DEAD_RPC) =>
  (await verifyBundle(bundle, { rpcUrls, timeoutMs: 2000 })).problems.map((p) => p.code);

describe('verifyBundle without a chain', () => {
  it('reports honest events that have no anchor yet as NOT_ANCHORED, with hash and proof checked', async () => {
    const report = await verifyBundle(offlineBundle(), { rpcUrls: DEAD_RPC });
    expect(report.outcome).toBe('NOT_ANCHORED');
    expect(report.ok).toBe(false);
    expect(report.events.map((e) => [e.hashOk, e.proofOk, e.outcome])).toEqual(Array(3).fill([true, true, 'NOT_ANCHORED']));
    expect(report.problems[0].message).toBe('event 0: NOT ANCHORED: its batch is sealed but on no chain yet');
  });

  it('names changed content, a changed hash, a changed leaf value and a changed proof element', async () => {
    const b = offlineBundle();
    (b.events[0].event.ilmd as Record<string, string>)['cbvmda:lotNumber'] = 'L2';
    b.events[1].eventHash = b.events[2].eventHash;
    b.events[2].merkle!.proof[0] = `0x${'00'.repeat(32)}`;
    const report = await verifyBundle(b, { rpcUrls: DEAD_RPC });
    expect(report.outcome).toBe('MISMATCH');
    const messages = report.problems.filter((p) => p.kind === 'mismatch').map((p) => p.message);
    expect(messages).toEqual([
      expect.stringMatching(
        /^event 0: eventHash does not match the event content, which hashes to ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/,
      ),
      expect.stringMatching(/^event 1: eventHash does not match the event content/),
      expect.stringMatching(/^event 1: merkle.value 0x[0-9a-f]{64} is not the digest of eventHash/),
      expect.stringMatching(/^event 2: the Merkle proof leads from merkle.value to 0x[0-9a-f]{64}, not to root 0x/),
    ]);
  });

  it('recomputes the hash with the ignoreFields the bundle carries, and refuses one naming a standard field', async () => {
    const b = offlineBundle();
    const event = b.events[0].event;
    b.events[0].event = { ...event, '@context': [EPCIS_CONTEXT, { rx: 'https://repository-x.example.com/' }], 'rx:captureID': 'c-1' };
    b.events[0].ignoreFields = ['{https://repository-x.example.com/}captureID'];
    expect((await verifyBundle(b, { rpcUrls: DEAD_RPC })).events[0].hashOk).toBe(true);
    delete b.events[0].ignoreFields;
    expect((await verifyBundle(b, { rpcUrls: DEAD_RPC })).events[0].hashOk).toBe(false);
    // Declaring a standard field cannot hide a changed one: the field stays in the hash and the bundle is malformed.
    b.events[0].event = { ...event, disposition: 'stolen' };
    b.events[0].ignoreFields = ['disposition'];
    const report = await verifyBundle(b, { rpcUrls: DEAD_RPC });
    expect(report.events[0].hashOk).toBe(false);
    expect(report.problems.map((p) => [p.code, p.field])).toContainEqual([ProblemCode.MALFORMED_BUNDLE, '/events/0/ignoreFields/0']);
  });

  it('recomputes an event stored before the current hash rules with the rules the bundle names', async () => {
    const b = offlineBundle();
    const event = {
      ...b.events[0].event,
      '@context': [EPCIS_CONTEXT, { cbvmda: 'urn:epcglobal:cbv:mda' }],
      ilmd: { 'cbvmda:lotNumber': '007' },
    };
    const legacy = eventHash(event, undefined, { rules: 1 }).hash;
    expect(legacy).not.toBe(eventHash(event).hash);
    b.events[0] = { ...b.events[0], event, eventHash: legacy, hashRules: 1 };
    const report = await verifyBundle(b, { rpcUrls: DEAD_RPC });
    expect(report.events[0].hashOk).toBe(true);
    delete b.events[0].hashRules;
    expect((await verifyBundle(b, { rpcUrls: DEAD_RPC })).events[0].hashOk).toBe(false);
    (b.events[0] as unknown as Record<string, unknown>).hashRules = 4;
    expect((await verifyBundle(b, { rpcUrls: DEAD_RPC })).problems.map((p) => [p.code, p.field])).toContainEqual([
      ProblemCode.MALFORMED_BUNDLE,
      '/events/0/hashRules',
    ]);
  });

  it('recomputes a bundle event that names no rules with rules 2, and one that names rules 3 with those', async () => {
    const b = offlineBundle();
    const event = {
      ...b.events[0].event,
      '@context': [EPCIS_CONTEXT, { ex: 'https://ex.example/ns/' }],
      'ex:sensorList': { 'ex:probe': ['1', '2'] },
    };
    const [two, three] = [eventHash(event, undefined, { rules: 2 }).hash, eventHash(event, undefined, { rules: 3 }).hash];
    expect(two).not.toBe(three);
    b.events[0] = { ...b.events[0], event, eventHash: two };
    delete b.events[0].hashRules;
    expect((await verifyBundle(b, { rpcUrls: DEAD_RPC })).events[0].hashOk).toBe(true);
    b.events[0] = { ...b.events[0], eventHash: three, hashRules: 3 };
    expect((await verifyBundle(b, { rpcUrls: DEAD_RPC })).events[0].hashOk).toBe(true);
  });

  it('reports an anchor it cannot read as UNCHECKED, never as verified', async () => {
    const b = offlineBundle();
    b.events[0].anchors = [
      { chainId: 31337, contract: `0x${'11'.repeat(20)}`, transactionHash: `0x${'22'.repeat(32)}`, blockNumber: 5, status: 'FINAL' },
    ];
    const report = await verifyBundle(b, { rpcUrls: DEAD_RPC, timeoutMs: 2000 });
    expect(report.outcome).toBe('UNCHECKED');
    expect(report.problems[0]).toMatchObject({ code: ProblemCode.RPC_FAILED, eventIndex: 0, chainId: 31337, field: '/events/0/anchors/0' });
    expect(await codes(b, { 1: DEAD_RPC })).toContain(ProblemCode.NO_RPC);
  });

  it('refuses what is not a v1 bundle, an empty bundle and malformed entries', async () => {
    expect(await codes({ ...offlineBundle(), version: 2 })).toEqual([ProblemCode.UNSUPPORTED_BUNDLE]);
    expect(await codes({ ...offlineBundle(), format: 'other' })).toEqual([ProblemCode.UNSUPPORTED_BUNDLE]);
    expect(await codes({ ...offlineBundle(), events: [] })).toEqual([ProblemCode.EMPTY_BUNDLE]);
    const b = offlineBundle();
    b.events[0].merkle!.leafEncoding = ['bytes32', 'address'];
    b.events[1].merkle!.root = '0x12';
    b.events[2].eventHash = 'sha256:abc';
    expect(await codes(b)).toEqual([ProblemCode.UNSUPPORTED_LEAF_ENCODING, ProblemCode.MALFORMED_BUNDLE, ProblemCode.MALFORMED_BUNDLE]);
  });

  it('throws a typed error for options it cannot use', async () => {
    await expect(verifyBundle(offlineBundle(), { rpcUrls: 'ftp://node' })).rejects.toEqual(
      new VerifyError(VerifyErrorCode.BAD_OPTIONS, 'RPC URL must be http(s), got ftp:', 'rpcUrls'),
    );
    await expect(verifyBundle(offlineBundle(), { rpcUrls: {} })).rejects.toMatchObject({
      code: VerifyErrorCode.BAD_OPTIONS,
      field: 'rpcUrls',
    });
  });
});

import { EVENT_BATCH_DOMAIN, EVENT_BATCH_TYPES, eventBatchMessage } from '@pharmatrace/domain';
import { digestToHash } from '@pharmatrace/epcis';
import type {
  AnchorRepository,
  PackRepository,
  ProvenanceRepository,
  SignatureRepository,
  StoredCaptureSignature,
  StoredEventView,
} from '@pharmatrace/persistence';
import { Wallet } from 'ethers';
import { eventHash, hashDigest, ProblemCode, verifyBundle, type ProofBundle } from 'pharmatrace-verify';
import { FakeAnchors } from '../anchoring/proof.fake';
import { ProofService } from '../anchoring/proof.service';
import { organization } from '../organizations/organization.fake';
import { ReadGrantDirectory } from '../policy/read-grant.directory';
import { ReadPolicyService } from '../policy/read-policy.service';
import { FakePacks, FakeProducts, storedEvent } from '../provenance/pack-history.fake';
import { PackHistoryService } from '../provenance/pack-history.service';
import { SignatureService } from '../signatures/signature.service';
import { ProofBundleErrorCode } from './proof-bundle.error';
import { ProofBundleService } from './proof-bundle.service';

const PACK = 'https://id.gs1.org/01/00614141123452/21/1';
const GTIN = '00614141123452';
const maker = organization({ name: 'Maker', role: 'MANUFACTURER', gln: '0614141000012' });
const pharmacy = organization({ name: 'Pharmacy', role: 'DISPENSER', gln: '0614141000036' });
const wallet = new Wallet(`0x${'42'.repeat(32)}`);

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();
const event = (by: string, minute: number, bizStep: string, fields: Record<string, unknown> = {}) =>
  storedEvent(by, { type: 'ObjectEvent', action: 'OBSERVE', eventTime: at(minute), epcList: [PACK], bizStep, ...fields });

/** SignatureRepository's read: signatures by the events they cover. */
class FakeSignatures {
  readonly signatures = new Map<number, StoredCaptureSignature>();
  readonly byEvent = new Map<number, number>();

  async sign(events: StoredEventView[], gln: string): Promise<void> {
    const digests = events.map((e) => new Uint8Array(e.hash));
    const signature = await wallet.signTypedData(EVENT_BATCH_DOMAIN, EVENT_BATCH_TYPES, eventBatchMessage(gln, digests));
    const id = this.signatures.size + 1;
    this.signatures.set(id, {
      id,
      organizationId: 'org',
      organizationGln: gln,
      signer: wallet.address,
      signature: Buffer.from(signature.slice(2), 'hex'),
      typedDataVersion: '1',
      eventHashes: events.map((e) => e.hash),
    });
    for (const e of events) this.byEvent.set(e.id, id);
  }

  async signaturesFor(eventIds: readonly number[]) {
    const byEvent = new Map([...this.byEvent].filter(([id]) => eventIds.includes(id)));
    return { byEvent, signatures: new Map([...new Set(byEvent.values())].map((id) => [id, this.signatures.get(id)!])) };
  }
}

function setup() {
  const packs = new FakePacks();
  const products = new FakeProducts();
  products.manufacturers.set(GTIN, maker.id);
  const policy = new ReadPolicyService({ of: () => [] } as unknown as ReadGrantDirectory, () => new Date('2025-06-01'));
  const anchors = new FakeAnchors();
  const signatures = new FakeSignatures();
  const service = new ProofBundleService(
    new PackHistoryService(packs as unknown as PackRepository, products as unknown as ProvenanceRepository, policy),
    new ProofService(anchors as unknown as AnchorRepository),
    new SignatureService(signatures as unknown as SignatureRepository),
  );
  return { packs, anchors, signatures, service };
}

/**
 * The offline verifier's report on the bundle, with the anchors left out: reading them back needs a chain, and the
 * event hashes, Merkle proofs and signatures are checked without one.
 */
function offlineReport(bundle: ProofBundle) {
  return verifyBundle({ ...bundle, events: bundle.events.map((e) => ({ ...e, anchors: [] })) }, { rpcUrls: 'http://127.0.0.1:9' });
}

describe('ProofBundleService', () => {
  it('bundles every event of the pack so the offline verifier accepts each hash, proof and signature', async () => {
    const { packs, anchors, signatures, service } = setup();
    const events = [event(maker.id, 0, 'commissioning', { action: 'ADD' }), event(maker.id, 1, 'packing'), event(maker.id, 2, 'shipping')];
    packs.own(PACK, ...events);
    await anchors.anchor(events.slice(0, 2), { status: 'FINAL' });
    await signatures.sign(events.slice(1), maker.gln);
    const bundle = await service.bundle('urn:epc:id:sgtin:0614141.012345.1', maker);
    expect(bundle).toMatchObject({ format: 'pharmatrace-proof-bundle', version: 1, epc: PACK });
    expect(bundle.events.map((e) => e.eventHash)).toEqual(events.map((e) => digestToHash(e.hash)));
    expect(bundle.events.map((e) => [!!e.merkle, !!e.signature])).toEqual([
      [true, false],
      [true, true],
      [false, true],
    ]);
    const report = await offlineReport(bundle);
    expect(report.events.map((e) => [e.hashOk, e.proofOk, e.signatureOk])).toEqual([
      [true, true, undefined],
      [true, true, true],
      [true, false, true],
    ]);
    expect(report.problems.every((p) => p.code === ProblemCode.NOT_ANCHORED)).toBe(true);
  });

  it("names the chain anchors a verifier can read back, and says the events' hash rules", async () => {
    const { packs, anchors, service } = setup();
    const events = [event(maker.id, 0, 'packing')];
    packs.own(PACK, ...events);
    await anchors.anchor(events, { status: 'FINAL', chainId: 1, txHash: '0x01', blockNumber: 5 }, [
      { chainId: 1, contractAddress: '0xc1', status: 'FINAL', txHash: '0x01', blockNumber: 5, blockHash: '0xb1', reanchorCount: 0 },
      { chainId: 10, contractAddress: '0xc10', status: 'SUBMITTED', txHash: null, blockNumber: null, blockHash: null, reanchorCount: 0 },
    ]);
    const [entry] = (await service.bundle(PACK, maker)).events;
    expect(entry.anchors).toEqual([
      { chainId: 1, contract: '0xc1', transactionHash: '0x01', blockNumber: 5, blockHash: '0xb1', status: 'FINAL' },
    ]);
    expect(entry.hashRules).toBe(3);
  });

  it('leaves hashRules out for events hashed with the rules a bundle assumes, and the verifier agrees', async () => {
    const { packs, service } = setup();
    const body = {
      type: 'ObjectEvent',
      action: 'OBSERVE',
      eventTime: at(0),
      eventTimeZoneOffset: '+00:00',
      epcList: [PACK],
      bizStep: 'packing',
    };
    packs.own(PACK, storedEvent(maker.id, body, { hashRules: 2, hash: Buffer.from(hashDigest(eventHash(body, undefined, [], 2).hash)) }));
    const bundle = await service.bundle(PACK, maker);
    expect(bundle.events[0]).not.toHaveProperty('hashRules');
    await expect(offlineReport(bundle)).resolves.toMatchObject({ events: [{ hashOk: true }] });
  });

  it('shows an event declared in error with its latest declaration, still matching its hash', async () => {
    const { packs, service } = setup();
    const declaration = (reason: string) => ({
      declarationTime: at(9),
      reason,
      correctiveEventIDs: [],
      errorDeclaration: { declarationTime: at(9), reason },
      declaredBy: maker.id,
      recordTime: at(9),
    });
    packs.own(PACK, event(maker.id, 0, 'packing'));
    const [stored] = packs.histories.get(PACK)!;
    stored.event.corrections = [declaration('did_not_occur'), declaration('incorrect_data')];
    const bundle = await service.bundle(PACK, maker);
    expect(bundle.events[0].event).toMatchObject({ errorDeclaration: { reason: 'incorrect_data' } });
    await expect(offlineReport(bundle)).resolves.toMatchObject({ events: [{ hashOk: true }] });
  });

  it('bundles only the events a party may read, each proving on its own', async () => {
    const { packs, anchors, service } = setup();
    const commissioned = event(maker.id, 0, 'commissioning', { action: 'ADD' });
    const received = event(pharmacy.id, 3, 'receiving');
    packs.own(PACK, commissioned, received);
    await anchors.anchor([commissioned, received], { status: 'FINAL' });
    const bundle = await service.bundle(PACK, pharmacy);
    expect(bundle.events.map((e) => e.eventHash)).toEqual([digestToHash(received.hash)]);
    await expect(offlineReport(bundle)).resolves.toMatchObject({ events: [{ hashOk: true, proofOk: true }] });
  });

  it('refuses an unreadable EPC, a pack without events and a reader party to none, with their codes', async () => {
    const { packs, service } = setup();
    await expect(service.bundle('urn:epc:id:sgtin:garbage', maker)).rejects.toMatchObject({
      code: ProofBundleErrorCode.INVALID_EPC,
      details: { field: 'epc' },
    });
    await expect(service.bundle(PACK, maker)).rejects.toMatchObject({ code: ProofBundleErrorCode.NO_EVENTS, details: { epc: PACK } });
    packs.own(PACK, event(maker.id, 0, 'packing'));
    await expect(service.bundle(PACK, pharmacy)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

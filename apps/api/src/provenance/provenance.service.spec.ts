import { HistoryVisibility, ProvenanceFlagCode } from '@pharmatrace/domain';
import { digestToHash } from '@pharmatrace/epcis';
import type {
  AnchorRepository,
  ApiKeyRepository,
  OrganizationRepository,
  PackRepository,
  ProvenanceRepository,
} from '@pharmatrace/persistence';
import fc from 'fast-check';
import { rootFromProof } from 'pharmatrace-verify';
import { FakeAnchors } from '../anchoring/proof.fake';
import { ProofService } from '../anchoring/proof.service';
import { OrganizationDirectory } from '../common/organization.directory';
import { FakeOrganizationRepository, organization } from '../organizations/organization.fake';
import { OrganizationLoader } from '../policy/organization.loader';
import { ReadGrantDirectory } from '../policy/read-grant.directory';
import { ReadPolicyService } from '../policy/read-policy.service';
import { FakePacks, FakeProducts, storedEvent } from './pack-history.fake';
import { PackHistoryService } from './pack-history.service';
import { ProvenanceErrorCode } from './provenance.error';
import { ProvenanceService } from './provenance.service';

const PACK = 'https://id.gs1.org/01/00614141123452/21/1';
const PACK_URN = 'urn:epc:id:sgtin:0614141.012345.1';
const GTIN = '00614141123452';
const maker = organization({ name: 'Maker', role: 'MANUFACTURER', gln: '0614141000012' });
const wholesaler = organization({ name: 'Wholesaler', role: 'DISTRIBUTOR', gln: '0614141000029' });
const pharmacy = organization({ name: 'Pharmacy', role: 'DISPENSER', gln: '0614141000036' });
const stranger = organization({ name: 'Stranger', role: 'DISTRIBUTOR', gln: '0614141000043' });

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();
const event = (by: string, minute: number, bizStep: string, fields: Record<string, unknown> = {}) =>
  storedEvent(by, {
    type: 'ObjectEvent',
    action: bizStep === 'commissioning' ? 'ADD' : 'OBSERVE',
    eventTime: at(minute),
    epcList: [PACK],
    bizStep,
    ...fields,
  });
const shipTo = (gln: string) => ({
  destinationList: [{ type: 'owning_party', destination: `urn:epc:id:pgln:0614141.${gln.slice(7, 12)}` }],
});

/** Maker → Wholesaler → Pharmacy. Receipts name no location: whether they were addressed right rests on the capturer's GLN. */
function chain() {
  return {
    commissioned: event(maker.id, 0, 'commissioning', { bizLocation: { id: 'urn:epc:id:sgln:0614141.00001.0' } }),
    toWholesaler: event(maker.id, 1, 'shipping', shipTo(wholesaler.gln)),
    atWholesaler: event(wholesaler.id, 2, 'receiving'),
    toPharmacy: event(wholesaler.id, 3, 'shipping', shipTo(pharmacy.gln)),
    atPharmacy: event(pharmacy.id, 4, 'receiving'),
  };
}

function setup() {
  const events = chain();
  const packs = new FakePacks().own(PACK, ...Object.values(events));
  const products = new FakeProducts();
  products.manufacturers.set(GTIN, maker.id);
  const organizations = new FakeOrganizationRepository().add(maker, wholesaler, pharmacy, stranger);
  const policy = new ReadPolicyService({ of: () => [] } as unknown as ReadGrantDirectory, () => new Date('2025-06-01'));
  const anchors = new FakeAnchors();
  const directory = new OrganizationDirectory(organizations as unknown as OrganizationRepository, {} as unknown as ApiKeyRepository);
  const service = new ProvenanceService(
    new PackHistoryService(packs as unknown as PackRepository, products as unknown as ProvenanceRepository, policy),
    new ProofService(anchors as unknown as AnchorRepository),
    new OrganizationLoader(directory),
  );
  return { events, packs, anchors, organizations, service };
}

const ref = (e: { hash: Buffer }) => digestToHash(e.hash);

describe('ProvenanceService', () => {
  it('reads a pack by any EPC syntax, answering its canonical Digital Link', async () => {
    const { service } = setup();
    await expect(service.provenance(`  ${PACK_URN} `, maker, {})).resolves.toMatchObject({ epc: PACK, visibility: HistoryVisibility.FULL });
  });

  it.each(['not an epc', 'urn:epc:id:sgtin:0614141.012345', 'https://id.gs1.org/01/00614141123453/21/1'])(
    'refuses %j as INVALID_EPC',
    async (input) => {
      await expect(setup().service.provenance(input, maker, {})).rejects.toMatchObject({
        code: ProvenanceErrorCode.INVALID_EPC,
        details: { field: 'epc' },
      });
    },
  );

  it('shows the manufacturer every event, its custody from commissioning to the pharmacy, and no contradiction', async () => {
    const { events, service } = setup();
    const p = await service.provenance(PACK, maker, {});
    expect(p.events.map((e) => e.eventHash)).toEqual(Object.values(events).map(ref));
    expect(p.events.every((e) => e.anchorStatus === 'UNBATCHED' && e.proof === undefined && e.via === PACK)).toBe(true);
    expect(p.custody.map((c) => [c.holderId ?? 'transit', c.shipment])).toEqual([
      [maker.id, undefined],
      ['transit', ref(events.toWholesaler)],
      [wholesaler.id, ref(events.toWholesaler)],
      ['transit', ref(events.toPharmacy)],
      [pharmacy.id, ref(events.toPharmacy)],
    ]);
    // A receipt without a location is judged by its capturer's GLN, which the service looks up.
    expect(p.flags).toEqual([]);
  });

  it('flags a receipt by someone the shipment was not addressed to', async () => {
    const { packs, service } = setup();
    packs.own(PACK, event(stranger.id, 5, 'shipping', shipTo(wholesaler.gln)), event(pharmacy.id, 6, 'receiving'));
    const p = await service.provenance(PACK, maker, {});
    expect(p.flags.map((f) => f.code)).toEqual([ProvenanceFlagCode.SHIPPED_BY_NON_HOLDER, ProvenanceFlagCode.RECEIVED_WITHOUT_SHIPMENT]);
    expect(p.flags[0].actorId).toBe(stranger.id);
  });

  it("cuts a party's view to its events, its custody and the shipments that reached it", async () => {
    const { events, service } = setup();
    const p = await service.provenance(PACK, pharmacy, {});
    expect(p.visibility).toBe(HistoryVisibility.PARTY_EVENTS);
    expect(p.events.map((e) => e.eventHash)).toEqual([ref(events.toPharmacy), ref(events.atPharmacy)]);
    expect(p.custody.map((c) => c.holderId ?? 'transit')).toEqual(['transit', pharmacy.id]);
    expect(JSON.stringify(p)).not.toContain(ref(events.commissioned));
  });

  it('shows a party no flag raised on an event it may not read', async () => {
    const { packs, service } = setup();
    const rogue = event(stranger.id, 5, 'shipping');
    packs.own(PACK, rogue);
    const forMaker = await service.provenance(PACK, maker, {});
    expect(forMaker.flags.map((f) => f.event)).toContain(ref(rogue));
    const forWholesaler = await service.provenance(PACK, wholesaler, {});
    expect(forWholesaler.flags).toEqual([]);
    expect(forWholesaler.events.map((e) => e.eventHash)).not.toContain(ref(rogue));
  });

  it('refuses a reader party to nothing with FORBIDDEN', async () => {
    await expect(setup().service.provenance(PACK, stranger, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('attaches a checkable proof to each anchored event it shows, and its batch status', async () => {
    const { events, anchors, service } = setup();
    await anchors.anchor([events.commissioned, events.toWholesaler], { status: 'FINAL' });
    const p = await service.provenance(PACK, maker, {});
    const [first, second, third] = p.events;
    expect([first.anchorStatus, second.anchorStatus, third.anchorStatus]).toEqual(['FINAL', 'FINAL', 'UNBATCHED']);
    expect(rootFromProof(first.proof!.eventDigest, first.proof!.merkleProof)).toBe(first.proof!.root);
    expect(third.proof).toBeUndefined();
  });

  it('asks for proofs of the visible events only', async () => {
    const { events, anchors, service } = setup();
    await anchors.anchor([events.commissioned], { status: 'FINAL' });
    await anchors.anchor([events.atPharmacy], { status: 'FINAL' });
    await service.provenance(PACK, pharmacy, {});
    expect(anchors.asked).toEqual([[events.atPharmacy.batchId]]);
  });

  describe('page', () => {
    it('walks the events in order with cursors, however the pages are cut (property)', async () => {
      const { packs, service } = setup();
      packs.own(PACK, ...Array.from({ length: 7 }, (_, i) => event(maker.id, 10 + i, 'inspecting')));
      const p = await service.provenance(PACK, maker, {});
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 13 }), (size) => {
          const seen: string[] = [];
          let after: string | null = null;
          for (let guard = 0; guard < 20; guard++) {
            const page = service.page(p, { first: size, after: after });
            expect(page.totalCount).toBe(12);
            seen.push(...page.edges.map((e) => e.node.eventHash));
            if (!page.pageInfo.hasNextPage) break;
            after = page.pageInfo.endCursor!;
          }
          expect(seen).toEqual(p.events.map((e) => e.eventHash));
        }),
      );
    });

    it('walks them backward with last/before from the end, each page in order (property)', async () => {
      const { packs, service } = setup();
      packs.own(PACK, ...Array.from({ length: 7 }, (_, i) => event(maker.id, 10 + i, 'inspecting')));
      const p = await service.provenance(PACK, maker, {});
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 13 }), (last) => {
          const seen: string[] = [];
          let before: string | null = null;
          for (let guard = 0; guard < 20; guard++) {
            const page = service.page(p, { last, before });
            seen.unshift(...page.edges.map((e) => e.node.eventHash));
            expect(page.pageInfo.hasNextPage).toBe(before !== null);
            if (!page.pageInfo.hasPreviousPage) break;
            before = page.pageInfo.startCursor!;
          }
          expect(seen).toEqual(p.events.map((e) => e.eventHash));
        }),
      );
    });

    it('serves 500 per page unless asked for fewer, and refuses a page size outside 1 to 500', async () => {
      const { service } = setup();
      const p = await service.provenance(PACK, maker, {});
      const many = { ...p, events: Array.from({ length: 600 }, (_, i) => ({ ...p.events[0], eventHash: `h${i}` })) };
      expect(service.page(many, { first: null, after: null }).edges).toHaveLength(500);
      expect(service.page(many, { first: 500, after: null }).edges).toHaveLength(500);
      expect(service.page(many, { first: 1, after: null }).edges).toHaveLength(1);
      for (const first of [0, -1, 501, 10_000, 2.5, Number.NaN]) {
        expect(() => service.page(many, { first: first, after: null })).toThrow(
          expect.objectContaining({ code: ProvenanceErrorCode.INVALID_PROVENANCE_PAGE, details: { field: 'first', rule: 'range' } }),
        );
      }
    });

    it("refuses a cursor that is not one of this history's events", async () => {
      const { service } = setup();
      const p = await service.provenance(PACK, pharmacy, {});
      const full = await service.provenance(PACK, maker, {});
      // The cursor of an event the pharmacy may not read.
      const foreign = service.page(full, { first: 1, after: null }).pageInfo.endCursor!;
      for (const after of [foreign, 'garbage']) {
        expect(() => service.page(p, { first: 1, after: after })).toThrow(
          expect.objectContaining({ code: ProvenanceErrorCode.INVALID_PROVENANCE_CURSOR }),
        );
      }
    });
  });
});

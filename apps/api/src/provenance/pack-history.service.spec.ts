import { HistoryVisibility, ReadGrant } from '@pharmatrace/domain';
import type { PackRepository, ProvenanceRepository } from '@pharmatrace/persistence';
import { organization } from '../organizations/organization.fake';
import { ReadGrantDirectory } from '../policy/read-grant.directory';
import { ReadPolicyService } from '../policy/read-policy.service';
import { FakePacks, FakeProducts, storedEvent } from './pack-history.fake';
import { PackHistoryService } from './pack-history.service';

const PACK = 'https://id.gs1.org/01/00614141123452/21/1';
const GTIN = '00614141123452';
const SSCC = 'https://id.gs1.org/00/106141410000000019';
const maker = organization({ name: 'Maker', role: 'MANUFACTURER', gln: '0614141000012' });
const wholesaler = organization({ name: 'Wholesaler', role: 'DISTRIBUTOR', gln: '0614141000029' });
const pharmacy = organization({ name: 'Pharmacy', role: 'DISPENSER', gln: '0614141000036' });

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();
const commissioned = storedEvent(maker.id, {
  type: 'ObjectEvent',
  action: 'ADD',
  eventTime: at(0),
  epcList: [PACK],
  bizStep: 'commissioning',
  readPoint: { id: 'urn:epc:id:sgln:0614141.00001.0' },
});
const shipped = storedEvent(maker.id, {
  type: 'ObjectEvent',
  action: 'OBSERVE',
  eventTime: at(1),
  epcList: [PACK],
  bizStep: 'shipping',
  destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:0614141.00002' }],
});
const received = storedEvent(wholesaler.id, {
  type: 'ObjectEvent',
  action: 'OBSERVE',
  eventTime: at(2),
  epcList: [PACK],
  bizStep: 'receiving',
});

function setup(grants: ReadGrant[] = []) {
  const packs = new FakePacks().own(PACK, commissioned, shipped, received);
  const products = new FakeProducts();
  products.manufacturers.set(GTIN, maker.id);
  const policy = new ReadPolicyService({ of: () => grants } as unknown as ReadGrantDirectory, () => new Date('2025-06-01'));
  return {
    packs,
    products,
    service: new PackHistoryService(packs as unknown as PackRepository, products as unknown as ProvenanceRepository, policy),
  };
}

describe('PackHistoryService', () => {
  it("gives the GTIN's manufacturer every event", async () => {
    const { service } = setup();
    const read = await service.readable(PACK, maker);
    expect(read.visibility).toBe(HistoryVisibility.FULL);
    expect(read.visible.map((h) => h.event.id)).toEqual([commissioned.id, shipped.id, received.id]);
    expect(read.history).toHaveLength(3);
  });

  it('reads the history as the organization asking, where its own writes are (replicas)', async () => {
    const { service, packs } = setup();
    await service.readable(PACK, maker);
    expect(packs.readings).toEqual([maker.id]);
  });

  it('cuts another reader to the events it is party to, keeping the whole history for derivation', async () => {
    const { service } = setup();
    const read = await service.readable(PACK, wholesaler);
    expect(read.visibility).toBe(HistoryVisibility.PARTY_EVENTS);
    // Named as the shipment's destination, and the capturer of the receipt; not party to the commissioning.
    expect(read.visible.map((h) => h.event.id)).toEqual([shipped.id, received.id]);
    expect(read.history.map((h) => h.event.id)).toEqual([commissioned.id, shipped.id, received.id]);
  });

  it('refuses a reader party to none of it with FORBIDDEN', async () => {
    await expect(setup().service.readable(PACK, pharmacy)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { rule: 'party-to-an-event' },
    });
  });

  it('answers an unknown pack with an empty, open history', async () => {
    await expect(setup().service.readable('https://id.gs1.org/01/00614141123452/21/unknown', pharmacy)).resolves.toEqual({
      history: [],
      visible: [],
      visibility: HistoryVisibility.FULL,
    });
  });

  it("asks for a GTIN's manufacturer once, then remembers it", async () => {
    const { products, service } = setup();
    await service.readable(PACK, maker);
    await service.readable(PACK, maker);
    await service.readable(PACK, wholesaler);
    expect(products.lookups).toBe(1);
  });

  it('asks again about a GTIN nobody owns yet, so a later commissioning counts', async () => {
    const { products, service } = setup();
    products.manufacturers.clear();
    await expect(service.readable(PACK, maker)).resolves.toMatchObject({ visibility: HistoryVisibility.PARTY_EVENTS });
    products.manufacturers.set(GTIN, maker.id);
    await expect(service.readable(PACK, maker)).resolves.toMatchObject({ visibility: HistoryVisibility.FULL });
    expect(products.lookups).toBe(2);
  });

  it('reads a lot-scoped grant against the pack’s lot, looking the lot up only for such a grant', async () => {
    const grant = (lot: string | null): ReadGrant => ({
      granteeId: pharmacy.id,
      gtin: GTIN,
      lot,
      validFrom: new Date(0),
      validUntil: new Date('2999-01-01'),
      revokedAt: null,
    });
    const whole = setup([grant(null)]);
    await expect(whole.service.readable(PACK, pharmacy)).resolves.toMatchObject({ visibility: HistoryVisibility.FULL });
    expect(whole.packs.lotLookups).toBe(0);

    const lot = setup([grant('L1')]);
    lot.packs.lots.set(PACK, 'L1');
    await expect(lot.service.readable(PACK, pharmacy)).resolves.toMatchObject({ visibility: HistoryVisibility.FULL });
    lot.packs.lots.set(PACK, 'L2');
    await expect(lot.service.readable(PACK, pharmacy)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(lot.packs.lotLookups).toBe(2);
  });

  it('treats a container as owned by nobody: its readers are its parties', async () => {
    const { packs, products, service } = setup();
    packs.own(
      SSCC,
      storedEvent(wholesaler.id, { type: 'ObjectEvent', action: 'OBSERVE', eventTime: at(5), epcList: [SSCC], bizStep: 'shipping' }),
    );
    await expect(service.readable(SSCC, maker)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(service.readable(SSCC, wholesaler)).resolves.toMatchObject({ visibility: HistoryVisibility.PARTY_EVENTS });
    expect(products.lookups).toBe(2);
  });
});

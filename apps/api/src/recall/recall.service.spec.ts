import type { Organization } from '@pharmatrace/domain';
import type { RecallRepository } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { RecallErrorCode } from './recall.error';
import { RecallService } from './recall.service';

const GTIN = '00614141123452';
const MAKER = { id: 'org-maker', name: 'ACME Pharma', role: 'MANUFACTURER', gln: '0614141000012' } as Organization;
const RIVAL = { id: 'org-rival', name: 'Rival Pharma', role: 'MANUFACTURER', gln: '0614141000043' } as Organization;
const REGULATOR = { id: 'org-agency', name: 'Medicines Agency', role: 'REGULATOR', gln: '0614141000050' } as Organization;

/** Products by GTIN-14 with their maker, packs by lot and custodian; recalls and withdrawals as they were asked. */
class FakeRecalls {
  readonly manufacturers = new Map([[GTIN, MAKER.id]]);
  readonly packs = [
    { lot: 'LOT42', custodian: 'org-pharmacy' },
    { lot: 'LOT42', custodian: 'org-pharmacy' },
    { lot: 'LOT42', custodian: 'org-wholesaler' },
    { lot: 'LOT7', custodian: 'org-pharmacy' },
  ];
  readonly recalled: { gtin: string; lot: string; reason: string; by: string }[] = [];
  readonly withdrawn: { gtin: string; reason: string; by: string }[] = [];

  async productManufacturer(gtin: string) {
    return this.manufacturers.get(gtin) ?? null;
  }

  async recallLot(gtin: string, lot: string, reason: string, by: string) {
    this.recalled.push({ gtin, lot, reason, by });
    const packs = this.packs.filter((p) => p.lot === lot);
    return {
      packs: packs.length,
      custodians: [...new Set(packs.map((p) => p.custodian))].map((id) => ({ id, packs: packs.filter((p) => p.custodian === id).length })),
    };
  }

  async withdrawProduct(gtin: string, reason: string, by: string) {
    const first = !this.withdrawn.some((w) => w.gtin === gtin);
    this.withdrawn.push({ gtin, reason, by });
    return first;
  }
}

function setup() {
  const recalls = new FakeRecalls();
  return { recalls, service: new RecallService(recalls as unknown as RecallRepository) };
}

describe('recalls and withdrawals', () => {
  it('recalls a lot for its manufacturer, storing the GTIN-14 and trimmed reason, and counts packs and custodians', async () => {
    const { service, recalls } = setup();
    await expect(service.recallLot(MAKER, '614141123452', 'LOT42', '  contamination ')).resolves.toEqual({
      gtin: GTIN,
      lot: 'LOT42',
      packs: 3,
      custodiansAlerted: 2,
    });
    expect(recalls.recalled).toEqual([{ gtin: GTIN, lot: 'LOT42', reason: 'contamination', by: MAKER.id }]);
  });

  it('lets a regulator recall any product, and refuses another manufacturer', async () => {
    const { service, recalls } = setup();
    await expect(service.recallLot(REGULATOR, GTIN, 'LOT7', 'falsified')).resolves.toMatchObject({ packs: 1, custodiansAlerted: 1 });
    await expect(service.recallLot(RIVAL, GTIN, 'LOT42', 'spite')).rejects.toMatchObject({ code: RecallErrorCode.RECALL_FORBIDDEN });
    await expect(service.withdrawProduct(RIVAL, GTIN, 'spite')).rejects.toMatchObject({ code: RecallErrorCode.RECALL_FORBIDDEN });
    expect(recalls.recalled.map((r) => r.by)).toEqual([REGULATOR.id]);
    expect(recalls.withdrawn).toHaveLength(0);
  });

  it('refuses a product no pack of which was ever commissioned', async () => {
    const { service } = setup();
    await expect(service.recallLot(REGULATOR, '00614141999996', 'LOT1', 'x')).rejects.toMatchObject({
      code: RecallErrorCode.UNKNOWN_PRODUCT,
      details: { field: 'gtin' },
    });
  });

  it('refuses a lot AI (10) would refuse and a blank reason, before recalling anything', async () => {
    const { service, recalls } = setup();
    await expect(service.recallLot(MAKER, GTIN, 'LOT 42 IS WAY TOO LONG FOR AI10', 'x')).rejects.toMatchObject({
      code: RecallErrorCode.INVALID_RECALL,
      details: { field: 'lot' },
    });
    await expect(service.recallLot(MAKER, GTIN, 'LOT42', '   ')).rejects.toMatchObject({
      code: RecallErrorCode.INVALID_RECALL,
      details: { field: 'reason' },
    });
    await expect(service.withdrawProduct(MAKER, GTIN, '\t')).rejects.toMatchObject({
      code: RecallErrorCode.INVALID_RECALL,
      details: { field: 'reason' },
    });
    expect(recalls.recalled).toHaveLength(0);
    expect(recalls.withdrawn).toHaveLength(0);
  });

  it('refuses every GTIN with a wrong check digit', async () => {
    const { service, recalls } = setup();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 9 }), async (shift) => {
        const wrong = GTIN.slice(0, 13) + String((Number(GTIN[13]) + shift) % 10);
        await expect(service.recallLot(MAKER, wrong, 'LOT42', 'x')).rejects.toMatchObject({
          code: RecallErrorCode.INVALID_RECALL,
          details: { field: 'gtin' },
        });
      }),
    );
    expect(recalls.recalled).toHaveLength(0);
  });

  it('withdraws a product once, answering whether this call withdrew it', async () => {
    const { service, recalls } = setup();
    await expect(service.withdrawProduct(MAKER, GTIN, ' unsafe ')).resolves.toBe(true);
    await expect(service.withdrawProduct(REGULATOR, GTIN, 'unsafe')).resolves.toBe(false);
    expect(recalls.withdrawn[0]).toEqual({ gtin: GTIN, reason: 'unsafe', by: MAKER.id });
  });
});

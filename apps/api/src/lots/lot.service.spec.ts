import { keysetPage } from '../common/keyset-page.fake';
import type { LotPack, LotRepository, LotView, ReadGrantRepository } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { FakeReadGrantRepository } from '../grants/read-grant.fake';
import { organization } from '../organizations/organization.fake';
import { ReadGrantDirectory } from '../policy/read-grant.directory';
import { ReadPolicyService } from '../policy/read-policy.service';
import { LotErrorCode } from './lot.error';
import { LotService } from './lot.service';
import { LotScopeEnum } from './lot.types';

const GTIN = '00614141123452';
const maker = organization({ name: 'Maker', role: 'MANUFACTURER' });
const wholesaler = organization({ name: 'Wholesaler', role: 'DISTRIBUTOR' });
const pharmacy = organization({ name: 'Pharmacy', role: 'DISPENSER' });
const regulator = organization({ name: 'Regulator', role: 'REGULATOR' });

type StoredPack = LotPack & { gtin: string; lot: string };

/** LotRepository in memory, with its SQL's rules: custodianId narrows every read, pages run in EPC order after a key. */
class FakeLots {
  readonly stored: StoredPack[] = [];
  readonly recalls = new Map<string, string>();
  readonly manufacturers = new Map<string, string>();

  add(lot: string, custodianId: string | null, n: number, status = 'ACTIVE'): this {
    for (let i = 0; i < n; i++) {
      const serial = `${custodianId ?? 'none'}-${status}-${this.stored.length}`;
      this.stored.push({
        gtin: GTIN,
        lot,
        epc: `https://id.gs1.org/01/${GTIN}/21/${serial}`,
        serial,
        status,
        expiry: '2027-01-31',
        custodianId,
        containerEpc: null,
      });
    }
    return this;
  }

  private of(gtin: string, lot: string, custodianId: string | null) {
    return this.stored.filter((p) => p.gtin === gtin && p.lot === lot && (custodianId === null || p.custodianId === custodianId));
  }

  /** Who each read was made as (replica routing reads an organization's own writes where they are). */
  readonly readings: (string | null)[] = [];

  async view(reading: string | null, gtin: string, lot: string): Promise<LotView> {
    this.readings.push(reading);
    const reason = this.recalls.get(`${gtin}/${lot}`);
    return {
      gtin,
      lot,
      status: reason === undefined ? 'ACTIVE' : 'RECALLED',
      reason: reason ?? null,
      manufacturerId: this.manufacturers.get(gtin) ?? null,
    };
  }

  async heldBy(gtin: string, lot: string, organizationId: string): Promise<number> {
    this.readings.push(organizationId);
    return this.of(gtin, lot, organizationId).length;
  }

  async countsByStatus(reading: string | null, gtin: string, lot: string, custodianId: string | null) {
    this.readings.push(reading);
    const counts = new Map<string, number>();
    for (const p of this.of(gtin, lot, custodianId)) counts.set(p.status, (counts.get(p.status) ?? 0) + 1);
    return [...counts].sort().map(([status, count]) => ({ status, count }));
  }

  async countsByCustodian(reading: string | null, gtin: string, lot: string, custodianId: string | null) {
    this.readings.push(reading);
    const counts = new Map<string | null, number>();
    for (const p of this.of(gtin, lot, custodianId)) counts.set(p.custodianId, (counts.get(p.custodianId) ?? 0) + 1);
    return [...counts].map(([id, count]) => ({ custodianId: id, count })).sort((a, b) => b.count - a.count);
  }

  async packs(
    reading: string | null,
    gtin: string,
    lot: string,
    custodianId: string | null,
    limit: number,
    cursorEpc: string | null,
    direction: 'forward' | 'backward' = 'forward',
  ) {
    this.readings.push(reading);
    const rows = this.of(gtin, lot, custodianId).sort((a, b) => (a.epc < b.epc ? -1 : 1));
    const page = keysetPage(
      rows,
      (p) => p.epc,
      (a, b) => (a < b ? -1 : a > b ? 1 : 0),
      cursorEpc,
      limit,
      direction,
    );
    return { packs: page.rows.map(({ gtin: _g, lot: _l, ...p }) => p), hasMore: page.hasMore };
  }
}

function setup() {
  const lots = new FakeLots();
  lots.manufacturers.set(GTIN, maker.id);
  lots.add('L1', wholesaler.id, 3).add('L1', pharmacy.id, 2).add('L1', pharmacy.id, 1, 'DISPENSED').add('L2', pharmacy.id, 4);
  const grants = new FakeReadGrantRepository();
  const policy = new ReadPolicyService(
    new ReadGrantDirectory(grants as unknown as ReadGrantRepository, () => new Date()),
    () => new Date(),
  );
  return { lots, grants, service: new LotService(lots as unknown as LotRepository, policy) };
}

describe('LotService', () => {
  it('shows the manufacturer and a regulator the whole lot', async () => {
    const { service } = setup();
    for (const org of [maker, regulator]) {
      const lot = await service.lot(org, GTIN, 'L1');
      expect(lot).toMatchObject({ gtin: GTIN, lot: 'L1', scope: LotScopeEnum.ALL, custodianId: null, recalled: false, status: 'ACTIVE' });
      await expect(service.countsByCustodian(lot)).resolves.toEqual([
        { custodianId: wholesaler.id, count: 3 },
        { custodianId: pharmacy.id, count: 3 },
      ]);
    }
  });

  it('shows a holder only the packs it holds, in counts and pages alike', async () => {
    const { service } = setup();
    const lot = await service.lot(pharmacy, '614141123452', 'L1');
    expect(lot).toMatchObject({ gtin: GTIN, scope: LotScopeEnum.OWN_CUSTODY, custodianId: pharmacy.id });
    await expect(service.countsByStatus(lot)).resolves.toEqual([
      { status: 'ACTIVE', count: 2 },
      { status: 'DISPENSED', count: 1 },
    ]);
    await expect(service.countsByCustodian(lot)).resolves.toEqual([{ custodianId: pharmacy.id, count: 3 }]);
    const page = await service.packs(lot, { first: null, after: null });
    expect(page.edges.map((e) => e.node.custodianId)).toEqual([pharmacy.id, pharmacy.id, pharmacy.id]);
  });

  it('reads the lot, its counts and its packs as the organization asking, where its own writes are (replicas)', async () => {
    const { service, lots } = setup();
    const lot = await service.lot(pharmacy, GTIN, 'L1');
    await service.countsByStatus(lot);
    await service.countsByCustodian(lot);
    await service.packs(lot, { first: 2, after: null });
    expect(lots.readings).toEqual([pharmacy.id, pharmacy.id, pharmacy.id, pharmacy.id, pharmacy.id]);
  });

  it('opens the whole lot to a holder with a grant on it', async () => {
    const { grants, service } = setup();
    grants.seed({ granteeId: pharmacy.id, gtin: GTIN, lot: 'L1' });
    await expect(service.lot(pharmacy, GTIN, 'L1')).resolves.toMatchObject({ scope: LotScopeEnum.ALL, custodianId: null });
  });

  it('refuses FORBIDDEN to a holder of none of the lot, and to a manufacturer of another GTIN', async () => {
    const { service } = setup();
    await expect(service.lot(wholesaler, GTIN, 'L2')).rejects.toMatchObject({ code: 'FORBIDDEN', details: { rule: 'holds-a-pack' } });
    await expect(service.lot(organization({ role: 'MANUFACTURER' }), GTIN, 'L1')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { rule: 'own-gtin' },
    });
  });

  it('says whether the lot is recalled and why', async () => {
    const { lots, service } = setup();
    lots.recalls.set(`${GTIN}/L1`, 'contamination');
    await expect(service.lot(maker, GTIN, 'L1')).resolves.toMatchObject({ status: 'RECALLED', recalled: true, reason: 'contamination' });
  });

  it.each([
    ['a GTIN with a wrong check digit', '00614141123453', 'L1', 'gtin'],
    ['a lot of 21 characters', GTIN, 'L'.repeat(21), 'lot'],
    ['an empty lot', GTIN, '', 'lot'],
    ['a lot outside CSET 82', GTIN, 'L#1', 'lot'],
  ])('refuses %s as INVALID_LOT_QUERY', async (_, gtin, lot, field) => {
    await expect(setup().service.lot(maker, gtin, lot)).rejects.toMatchObject({ code: LotErrorCode.INVALID_LOT_QUERY, details: { field } });
  });

  describe('packs', () => {
    it('walks every pack once in EPC order, whatever the page size (property)', async () => {
      const { lots, service } = setup();
      lots.add('L3', wholesaler.id, 23);
      const lot = await service.lot(maker, GTIN, 'L3');
      const all = (await lots.packs(null, GTIN, 'L3', null, 1000, null)).packs.map((p) => p.epc);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 30 }), async (size) => {
          const seen: string[] = [];
          let after: string | null = null;
          for (let guard = 0; guard < 30; guard++) {
            const page = await service.packs(lot, { first: size, after: after });
            expect(page.edges.length).toBeLessThanOrEqual(size);
            seen.push(...page.edges.map((e) => e.node.epc));
            if (!page.pageInfo.hasNextPage) break;
            after = page.pageInfo.endCursor!;
          }
          expect(seen).toEqual(all);
        }),
      );
    });

    it('walks them backward with last/before, each page in EPC order (property)', async () => {
      const { lots, service } = setup();
      lots.add('L3', wholesaler.id, 23);
      const lot = await service.lot(maker, GTIN, 'L3');
      const all = (await lots.packs(null, GTIN, 'L3', null, 1000, null)).packs.map((p) => p.epc);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 30 }), async (last) => {
          const seen: string[] = [];
          let before: string | null = null;
          for (let guard = 0; guard < 30; guard++) {
            const page = await service.packs(lot, { last, before });
            expect(page.edges.length).toBeLessThanOrEqual(last);
            seen.unshift(...page.edges.map((e) => e.node.epc));
            if (!page.pageInfo.hasPreviousPage) break;
            before = page.pageInfo.startCursor!;
          }
          expect(seen).toEqual(all);
        }),
      );
    });

    it('takes 1 to 1000 packs a page, and only cursors it issued', async () => {
      const { service } = setup();
      const lot = await service.lot(maker, GTIN, 'L1');
      for (const first of [0, -1, 1001, 1.5]) {
        await expect(service.packs(lot, { first: first, after: null })).rejects.toMatchObject({
          code: LotErrorCode.INVALID_LOT_QUERY,
          details: { field: 'first' },
        });
      }
      await expect(service.packs(lot, { first: 1000, after: null })).resolves.toBeDefined();
      await expect(service.packs(lot, { first: 1, after: Buffer.from('urn:epc:id:sgtin:x').toString('base64url') })).rejects.toMatchObject({
        details: { field: 'after', rule: 'cursor' },
      });
    });

    it('serves 100 packs a page unless told', async () => {
      const { lots, service } = setup();
      lots.add('L4', wholesaler.id, 120);
      const lot = await service.lot(maker, GTIN, 'L4');
      const page = await service.packs(lot, { first: null, after: null });
      expect(page.edges).toHaveLength(100);
      expect(page.pageInfo.hasNextPage).toBe(true);
      expect(page.edges[0].node).toMatchObject({ expiry: '2027-01-31', status: 'ACTIVE', container: undefined });
    });
  });
});

import { keysetPage } from '../common/keyset-page.fake';
import type { AlertCriteria, AlertRepository, AlertRow, AlertVisibility, ReadGrantRepository } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { FakeReadGrantRepository } from '../grants/read-grant.fake';
import { organization } from '../organizations/organization.fake';
import { ReadGrantDirectory } from '../policy/read-grant.directory';
import { ReadPolicyService } from '../policy/read-policy.service';
import { AlertErrorCode } from './alert.error';
import { AlertService } from './alert.service';

const GTIN = '00614141123452';
const OTHER_GTIN = '00614141999996';
const PACK = 'https://id.gs1.org/01/00614141123452/21/1';
const maker = organization({ name: 'Maker', role: 'MANUFACTURER' });
const wholesaler = organization({ name: 'Wholesaler', role: 'DISTRIBUTOR' });
const pharmacy = organization({ name: 'Pharmacy', role: 'DISPENSER' });
const regulator = organization({ name: 'Regulator', role: 'REGULATOR' });

/** AlertRepository's page in memory, applying the visibility and criteria as its SQL does, newest first. */
class FakeAlerts {
  readonly rows: AlertRow[] = [];

  raise(fields: Partial<AlertRow>): AlertRow {
    const row: AlertRow = {
      id: this.rows.length + 1,
      code: 'UNKNOWN_SERIAL',
      epc: null,
      gtin: null,
      lot: null,
      actorId: null,
      manufacturerId: null,
      recipientId: null,
      details: {},
      createdAt: new Date(Date.UTC(2025, 0, 1, 0, this.rows.length)),
      ...fields,
    };
    this.rows.push(row);
    return row;
  }

  async page(c: AlertCriteria, v: AlertVisibility, limit: number, cursorId: number | null, direction: 'forward' | 'backward') {
    const visible = (a: AlertRow) =>
      v.kind === 'all' ||
      a.recipientId === v.organizationId ||
      a.actorId === v.organizationId ||
      (v.ownGtins && a.manufacturerId === v.organizationId) ||
      v.granted.some((g) => a.gtin === g.gtin && (g.lot === null || a.lot === g.lot));
    const rows = this.rows
      .filter(visible)
      .filter((a) => !c.codes?.length || c.codes.includes(a.code))
      .filter((a) => (!c.gtin || a.gtin === c.gtin) && (!c.lot || a.lot === c.lot) && (!c.epc || a.epc === c.epc))
      .filter((a) => (!c.since || a.createdAt >= c.since) && (!c.until || a.createdAt < c.until))
      .sort((a, b) => b.id - a.id);
    const page = keysetPage(
      rows,
      (a) => a.id,
      (a, b) => b - a,
      cursorId,
      limit,
      direction,
    );
    return { alerts: page.rows, hasMore: page.hasMore };
  }
}

function setup() {
  const alerts = new FakeAlerts();
  const grants = new FakeReadGrantRepository();
  const policy = new ReadPolicyService(
    new ReadGrantDirectory(grants as unknown as ReadGrantRepository, () => new Date()),
    () => new Date(),
  );
  return { alerts, grants, service: new AlertService(alerts as unknown as AlertRepository, policy) };
}

const ids = (page: { edges: { node: { id: string } }[] }) => page.edges.map((e) => Number(e.node.id));

describe('AlertService', () => {
  it('lists the alerts a party raised or is addressed, newest first; a regulator reads every one', async () => {
    const { alerts, service } = setup();
    const raised = alerts.raise({ actorId: pharmacy.id });
    const addressed = alerts.raise({ recipientId: pharmacy.id });
    alerts.raise({ actorId: wholesaler.id, manufacturerId: maker.id, gtin: GTIN });
    expect(ids(await service.list(pharmacy, null, { first: null, after: null }))).toEqual([addressed.id, raised.id]);
    expect(ids(await service.list(regulator, null, { first: null, after: null }))).toEqual([3, 2, 1]);
  });

  it("adds the alerts on a manufacturer's GTINs, and on a grantee's granted lot", async () => {
    const { alerts, grants, service } = setup();
    const onGtin = alerts.raise({ gtin: GTIN, lot: 'L1', manufacturerId: maker.id });
    const otherLot = alerts.raise({ gtin: GTIN, lot: 'L2', manufacturerId: maker.id });
    expect(ids(await service.list(maker, null, { first: null, after: null }))).toEqual([otherLot.id, onGtin.id]);
    grants.seed({ granteeId: wholesaler.id, gtin: GTIN, lot: 'L1' });
    expect(ids(await service.list(wholesaler, null, { first: null, after: null }))).toEqual([onGtin.id]);
    expect(ids(await service.list(pharmacy, null, { first: null, after: null }))).toEqual([]);
  });

  it('filters by a GTIN in any length and an EPC in any syntax, as stored', async () => {
    const { alerts, service } = setup();
    const match = alerts.raise({ gtin: GTIN, epc: PACK, code: 'LOT_RECALLED' });
    alerts.raise({ gtin: OTHER_GTIN, code: 'LOT_RECALLED' });
    alerts.raise({ gtin: GTIN, epc: 'https://id.gs1.org/01/00614141123452/21/2', code: 'LOT_RECALLED' });
    expect(ids(await service.list(regulator, { gtin: '614141123452' }, { first: null, after: null }))).toEqual([3, match.id]);
    expect(ids(await service.list(regulator, { epc: ' urn:epc:id:sgtin:0614141.012345.1 ' }, { first: null, after: null }))).toEqual([
      match.id,
    ]);
    expect(ids(await service.list(regulator, { code: ['LOT_RECALLED'], gtin: OTHER_GTIN }, { first: null, after: null }))).toEqual([2]);
  });

  it.each([
    ['a GTIN with a wrong check digit', { gtin: '00614141123453' }, 'gtin'],
    ['an EPC it cannot read', { epc: 'urn:epc:id:sgtin:nope' }, 'epc'],
  ])('refuses %s as INVALID_ALERT_QUERY', async (_, filter, field) => {
    await expect(setup().service.list(regulator, filter, { first: null, after: null })).rejects.toMatchObject({
      code: AlertErrorCode.INVALID_ALERT_QUERY,
      details: { field },
    });
  });

  it('takes 1 to 500 alerts a page and only cursors it issued', async () => {
    const { service } = setup();
    for (const first of [0, 501, 2.5, -3]) {
      await expect(service.list(regulator, null, { first: first, after: null })).rejects.toMatchObject({
        code: AlertErrorCode.INVALID_ALERT_QUERY,
        details: { field: 'first' },
      });
    }
    for (const after of ['nope', Buffer.from('alert:').toString('base64url'), Buffer.from('event:12').toString('base64url')]) {
      await expect(service.list(regulator, null, { first: 10, after: after })).rejects.toMatchObject({
        details: { field: 'after', rule: 'cursor' },
      });
    }
  });

  it('walks every visible alert once, newest first, whatever the page size (property)', async () => {
    const { alerts, service } = setup();
    for (let i = 0; i < 30; i++) alerts.raise(i % 3 ? { recipientId: pharmacy.id } : { actorId: wholesaler.id });
    const expected = alerts.rows
      .filter((a) => a.recipientId === pharmacy.id)
      .map((a) => a.id)
      .reverse();
    await fc.assert(
      fc.asyncProperty(fc.option(fc.integer({ min: 1, max: 25 }), { nil: null }), async (first) => {
        const seen: number[] = [];
        let after: string | null = null;
        for (let guard = 0; guard < 40; guard++) {
          const page = await service.list(pharmacy, null, { first: first, after: after });
          seen.push(...ids(page));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor!;
        }
        expect(seen).toEqual(expected);
      }),
    );
  });

  it('walks them backward from the oldest to the newest with last/before, each page in list order (property)', async () => {
    const { alerts, service } = setup();
    for (let i = 0; i < 30; i++) alerts.raise(i % 3 ? { recipientId: pharmacy.id } : { actorId: wholesaler.id });
    const expected = alerts.rows.filter((a) => a.recipientId === pharmacy.id).map((a) => a.id);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 25 }), async (last) => {
        const seen: number[] = [];
        let before: string | null = null;
        for (let guard = 0; guard < 40; guard++) {
          const page = await service.list(pharmacy, null, { last, before });
          const pageIds = ids(page);
          // Each page is newest first, like the list; read backward, pages come oldest first.
          expect(pageIds).toEqual([...pageIds].sort((a, b) => b - a));
          seen.unshift(...pageIds);
          expect(page.pageInfo.hasNextPage).toBe(before !== null);
          if (!page.pageInfo.hasPreviousPage) break;
          before = page.pageInfo.startCursor!;
        }
        expect(seen).toEqual([...expected].reverse());
      }),
    );
  });

  it('refuses first with last, and after with before, naming the field', async () => {
    const { service } = setup();
    await expect(service.list(regulator, null, { first: 2, last: 2 })).rejects.toMatchObject({
      code: 'INVALID_PAGE_ARGUMENTS',
      details: { field: 'last', rule: 'one-direction' },
    });
    await expect(service.list(regulator, null, { after: 'x', before: 'y' })).rejects.toMatchObject({ details: { field: 'before' } });
  });
});

import { BIG_LOT, BIG_LOT_PACKS, bigLotPacks, planHistory, unitEvents, unitStates } from './load-history';
import { API_FIRST, copyRows } from './capture-ceiling.bench';
import { benchSizes } from './sizes';

describe('bench sizes', () => {
  it('keeps the published defaults, lowers them under BENCH_QUICK=1, and lets an explicit variable win', () => {
    expect(benchSizes({})).toMatchObject({ quick: false, events: 10_000_000, packs: 1_000_000, ceilingDocs: 80, ceilingClients: 4 });
    const quick = benchSizes({ BENCH_QUICK: '1' });
    expect(quick.events).toBeLessThan(100_000);
    expect(quick.packs).toBeLessThan(100_000);
    expect(benchSizes({ BENCH_QUICK: '1', BENCH_EVENTS: '300000' }).events).toBe(300_000);
    expect(benchSizes({ BENCH_HOSTILE_SIZES: '10,20' }).hostileSizes).toEqual([10, 20]);
  });

  it('names the variable and rule of a size it cannot use', () => {
    expect(() => benchSizes({ BENCH_EVENTS: 'lots' })).toThrow('BENCH_EVENTS=lots: expected a positive number');
    expect(() => benchSizes({ BENCH_MERKLE_LEAVES: '10,-1' })).toThrow('BENCH_MERKLE_LEAVES=10,-1');
  });
});

describe('provenance planning at every size', () => {
  // `BENCH_EVENTS=300000 npm run bench provenance` once stopped after loading, expecting a full lot of 100,000 packs.
  it.each([1, 6_000, 31_000, 300_000])('plans BENCH_EVENTS=%i with the lot it will actually hold', (events) => {
    const plan = planHistory(events);
    expect(plan.units).toBeGreaterThanOrEqual(1);
    const lot = bigLotPacks(plan.units);
    expect(lot).toBeGreaterThan(0);
    expect(lot).toBeLessThanOrEqual(Math.min(BIG_LOT_PACKS, plan.packs));
  });

  it('counts the lot as the generated history holds it', () => {
    const plan = planHistory(31_000);
    let packs = 0;
    for (let u = 0; u < plan.units; u++)
      packs += unitStates(unitEvents(u, plan.firstIds[u], plan.units)).filter(
        (s) => s.gtin === BIG_LOT.gtin && s.lot === BIG_LOT.lot,
      ).length;
    expect(packs).toBe(bigLotPacks(plan.units));
  });

  it('holds the full lot of 100,000 packs from about 800k events', () => {
    expect(bigLotPacks(planHistory(1_000_000).units)).toBe(BIG_LOT_PACKS);
    expect(bigLotPacks(planHistory(300_000).units)).toBeLessThan(BIG_LOT_PACKS);
  });
});

describe('capture ceiling planning', () => {
  it("builds the COPY rows of one document with the capture path's own preparation and reducer", () => {
    const rows = copyRows(0, 1, 1);
    expect(rows.events).toBe(1000);
    // 800 commissioned packs, 100 packings of a case and its 8 packs, 100 shipped cases.
    expect(rows.eventEpc).toHaveLength(800 + 100 * 9 + 100);
    expect(rows.packState).toHaveLength(900);
  });

  it("captures documents whose events are not ahead of the server's clock", () => {
    expect(() => copyRows(API_FIRST + 500, 1, 1)).not.toThrow();
  });
});

import type { AppConfig } from '@pharmatrace/config';
import { LicenceEnforcement, type TradingPartner } from '@pharmatrace/domain';
import type { LicenceRepository } from '@pharmatrace/persistence';
import { PARTNER_CHECK_MS, TradingPartnerLoader } from './trading-partner.loader';

const day = (d: number) => new Date(Date.UTC(2026, 0, d));
const licensed = (until: number): TradingPartner['licences'] => [
  { validFrom: day(1), validUntil: day(until), verifiedAt: day(1), rejectedAt: null },
];

/**
 * LicenceRepository.tradingPartners over partners the test changes (change), each change numbered as a transaction
 * id; a read from a horizon answers those changed at or after it. Counts whole and partial reads; `gate` holds a read
 * open after it has taken its answer (its snapshot).
 */
class FakeLicences {
  whole = 0;
  partial = 0;
  gate?: Promise<void>;
  fail = false;
  private xid = 1;
  private changed = new Map<string, number>();
  readonly partners = new Map<string, TradingPartner>();

  constructor(partners: TradingPartner[]) {
    for (const p of partners) this.change(p);
  }

  change(partner: TradingPartner): void {
    this.partners.set(partner.id, partner);
    this.changed.set(partner.id, this.xid++);
  }

  async tradingPartners(since?: string): Promise<{ partners: TradingPartner[]; horizon: string }> {
    if (since === undefined) this.whole++;
    else this.partial++;
    const answer = [...this.partners.values()].filter((p) => since === undefined || this.changed.get(p.id)! >= Number(since));
    const horizon = String(this.xid);
    if (this.gate) await this.gate;
    if (this.fail) throw new Error('database down');
    return { partners: answer, horizon };
  }
}

function setup(partners: TradingPartner[]) {
  const licences = new FakeLicences(partners);
  const loader = new TradingPartnerLoader(licences as unknown as LicenceRepository, { licenceEnforcement: 'refuse' } as AppConfig);
  return { licences, loader };
}

const wholesaler = (licences: TradingPartner['licences']): TradingPartner => ({
  id: 'w',
  gln: '0614141000029',
  role: 'DISTRIBUTOR',
  licences,
});

const pharmacy = (id: string, licences: TradingPartner['licences']): TradingPartner => ({
  id,
  gln: `061414100${id.padStart(4, '0')}`,
  role: 'DISPENSER',
  licences,
});

describe('TradingPartnerLoader', () => {
  afterEach(() => jest.useRealTimers());

  it('reads the partners once for the captures of a while, and answers each at its own record time', async () => {
    const { licences, loader } = setup([wholesaler(licensed(20))]);
    await expect(loader.at(day(10))).resolves.toEqual({
      unlicensedIds: new Set(),
      unlicensedGlns: new Set(),
      enforcement: LicenceEnforcement.REFUSE,
    });
    expect((await loader.at(day(11))).unlicensedIds).toEqual(new Set());
    // Past the licence's end, the same partners, judged again: lapsed.
    expect((await loader.at(day(25))).unlicensedIds).toEqual(new Set(['w']));
    expect([licences.whole, licences.partial]).toEqual([1, 0]);
  });

  it('after a change was forgotten reads only the changes, so a rejected licence stops the next trade', async () => {
    const { licences, loader } = setup([wholesaler(licensed(20)), pharmacy('p1', licensed(20))]);
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set());
    licences.change(wholesaler([]));
    loader.forget();
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set(['w']));
    // A registration: the new organization, unlicensed, beside the others as they were.
    licences.change(pharmacy('p2', []));
    loader.forget();
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set(['w', 'p2']));
    expect([licences.whole, licences.partial]).toEqual([1, 2]);
  });

  it('asks for changes at least every PARTNER_CHECK_MS when no message tells it of one', async () => {
    jest.useFakeTimers({ now: day(10) });
    const { licences, loader } = setup([wholesaler(licensed(20))]);
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set());
    // Changed where no message reached this process (Redis down): obeyed once the check is due, not before.
    licences.change(wholesaler([]));
    jest.advanceTimersByTime(PARTNER_CHECK_MS - 1);
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set());
    jest.advanceTimersByTime(1);
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set(['w']));
    expect([licences.whole, licences.partial]).toEqual([1, 1]);
  });

  it('does not keep a read that began before a change', async () => {
    const { licences, loader } = setup([wholesaler(licensed(20))]);
    let open!: () => void;
    licences.gate = new Promise((resolve) => (open = resolve));
    const before = loader.at(day(10));
    licences.change(wholesaler([]));
    loader.forget();
    open();
    await before;
    licences.gate = undefined;
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set(['w']));
  });

  it('keeps a read begun after a change when one begun before it ends last', async () => {
    const { licences, loader } = setup([wholesaler(licensed(20))]);
    await loader.at(day(10));
    loader.forget();
    let open!: () => void;
    licences.gate = new Promise((resolve) => (open = resolve));
    const before = loader.at(day(10));
    licences.gate = undefined;
    licences.change(wholesaler([]));
    loader.forget();
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set(['w']));
    open();
    await before;
    // Kept, not replaced by the older read: no read again.
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set(['w']));
    expect([licences.whole, licences.partial]).toEqual([1, 2]);
  });

  it('does not keep a failed read', async () => {
    const { licences, loader } = setup([wholesaler(licensed(20))]);
    licences.fail = true;
    await expect(loader.at(day(10))).rejects.toThrow('database down');
    licences.fail = false;
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set());
  });
});

import type { AppConfig } from '@pharmatrace/config';
import { LicenceEnforcement, type TradingPartner } from '@pharmatrace/domain';
import type { LicenceRepository } from '@pharmatrace/persistence';
import { TradingPartnerLoader } from './trading-partner.loader';

const day = (d: number) => new Date(Date.UTC(2026, 0, d));
const licensed = (until: number): TradingPartner['licences'] => [
  { validFrom: day(1), validUntil: day(until), verifiedAt: day(1), rejectedAt: null },
];

/** LicenceRepository.tradingPartners over a list the test changes, counting reads; `gate` holds a read open. */
class FakeLicences {
  reads = 0;
  gate?: Promise<void>;
  fail = false;
  constructor(public partners: TradingPartner[]) {}

  async tradingPartners(): Promise<TradingPartner[]> {
    this.reads++;
    const snapshot = this.partners;
    if (this.gate) await this.gate;
    if (this.fail) throw new Error('database down');
    return snapshot;
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

describe('TradingPartnerLoader', () => {
  it('reads the partners once for the captures of a minute, and answers each at its own record time', async () => {
    const { licences, loader } = setup([wholesaler(licensed(20))]);
    await expect(loader.at(day(10))).resolves.toEqual({
      unlicensedIds: new Set(),
      unlicensedGlns: new Set(),
      enforcement: LicenceEnforcement.REFUSE,
    });
    expect((await loader.at(day(11))).unlicensedIds).toEqual(new Set());
    // Past the licence's end, the same partners, judged again: lapsed.
    expect((await loader.at(day(25))).unlicensedIds).toEqual(new Set(['w']));
    expect(licences.reads).toBe(1);
  });

  it('reads them again after a change was forgotten, so a rejected licence stops the next trade', async () => {
    const { licences, loader } = setup([wholesaler(licensed(20))]);
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set());
    licences.partners = [wholesaler([])];
    loader.forget();
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set(['w']));
    expect(licences.reads).toBe(2);
  });

  it('does not keep a read that began before a change', async () => {
    const { licences, loader } = setup([wholesaler(licensed(20))]);
    let open!: () => void;
    licences.gate = new Promise((resolve) => (open = resolve));
    const before = loader.at(day(10));
    licences.partners = [wholesaler([])];
    loader.forget();
    open();
    await before;
    licences.gate = undefined;
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set(['w']));
  });

  it('does not keep a failed read', async () => {
    const { licences, loader } = setup([wholesaler(licensed(20))]);
    licences.fail = true;
    await expect(loader.at(day(10))).rejects.toThrow('database down');
    licences.fail = false;
    expect((await loader.at(day(10))).unlicensedIds).toEqual(new Set());
  });
});

import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { LicenceEnforcement, TradingPartner, TradingPartnerLicences, unlicensedPartnersSpan } from '@pharmatrace/domain';
import { LicenceRepository } from '@pharmatrace/persistence';
import { CacheInvalidation } from '../common/cache-invalidation';

const TTL_MS = 60_000;

/**
 * What every capture path hands its reducer for the licence rule (libs/domain tradesWithUnlicensed). The partners and
 * their licences are kept for a minute, like the organization directory, and forgotten on every API process at once
 * when a regulator verifies or rejects a licence or an organization registers (forget): read on every capture, they
 * were every organization with its licences, 0.4-0.7 s at 70,000 organizations. The unlicensed sets are kept for the
 * span of time in which no licence begins or lapses, so a capture inside it does no pass over the partners either.
 */
@Injectable()
export class TradingPartnerLoader {
  private partners?: { list: Promise<readonly TradingPartner[]>; until: number; generation: number };
  private span?: ReturnType<typeof unlicensedPartnersSpan> & { generation: number };
  /** Bumped by every forget: a list read before it is not kept after it. */
  private generation = 0;

  constructor(
    private readonly licences: LicenceRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly invalidation?: CacheInvalidation,
  ) {
    invalidation?.on('tradingPartners', () => this.drop());
  }

  /** Who may not trade at the capture's record time, and whether trading with them is refused or alerted. */
  async at(recordTime: Date): Promise<TradingPartnerLicences> {
    const enforcement = this.config.licenceEnforcement === 'alert' ? LicenceEnforcement.ALERT : LicenceEnforcement.REFUSE;
    const t = recordTime.getTime();
    let span = this.span;
    if (
      !span ||
      span.generation !== this.generation ||
      !this.partners ||
      Date.now() >= this.partners.until ||
      t < span.from ||
      t >= span.until
    ) {
      const generation = this.generation;
      span = { ...unlicensedPartnersSpan(await this.list(), recordTime), generation };
      if (generation === this.generation) this.span = span;
    }
    return { unlicensedIds: span.unlicensedIds, unlicensedGlns: span.unlicensedGlns, enforcement };
  }

  /** After a licence decision or a registration: every process reads the partners again on its next capture. */
  forget(): void {
    if (this.invalidation) this.invalidation.forget('tradingPartners', 'all');
    else this.drop();
  }

  private list(): Promise<readonly TradingPartner[]> {
    const cached = this.partners;
    if (cached && cached.generation === this.generation && Date.now() < cached.until) return cached.list;
    const generation = this.generation;
    const list = this.licences.tradingPartners();
    this.partners = { list, until: Date.now() + TTL_MS, generation };
    // A failed read is not kept: the next capture tries again.
    list.catch(() => {
      if (this.partners?.list === list) this.partners = undefined;
    });
    return list;
  }

  private drop(): void {
    this.generation++;
    this.partners = undefined;
    this.span = undefined;
  }
}

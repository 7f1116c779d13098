import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { LicenceEnforcement, TradingPartner, TradingPartnerLicences, unlicensedPartnersSpan } from '@pharmatrace/domain';
import { LicenceRepository } from '@pharmatrace/persistence';
import { CacheInvalidation } from '../common/cache-invalidation';

/** How long a process trusts its partners without asking for changes, where no message told it of one. */
export const PARTNER_CHECK_MS = 10_000;

/** The partners as of one read: `horizon` is where the next read of changes starts. */
interface Partners {
  byId: ReadonlyMap<string, TradingPartner>;
  horizon: string;
  checkedAt: number;
  /** The forget count when the read began: a read begun before a forget does not answer captures after it. */
  generation: number;
}

/**
 * What every capture path hands its reducer for the licence rule (libs/domain tradesWithUnlicensed). Every partner
 * with its licences is read once; after that only the organizations registered or whose licences changed since the
 * previous read (LicenceRepository.tradingPartners with its horizon), at the first capture after a forget (a regulator's
 * decision or a registration, told to every API process) and at least every PARTNER_CHECK_MS without one. Read whole on
 * every change and every minute, the partners were 0.4-0.7 s of Postgres at 70,000 organizations and as many rows on
 * each process's main thread. The unlicensed sets are kept for the span of time in which no licence begins or lapses,
 * so a capture inside it does no pass over the partners either.
 */
@Injectable()
export class TradingPartnerLoader {
  private partners?: Partners;
  private reading?: { done: Promise<Partners>; generation: number };
  private span?: ReturnType<typeof unlicensedPartnersSpan> & { of: Partners['byId'] };
  /** Bumped by every forget. */
  private generation = 0;

  constructor(
    private readonly licences: LicenceRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly invalidation?: CacheInvalidation,
  ) {
    invalidation?.on('tradingPartners', () => this.generation++);
  }

  /** Who may not trade at the capture's record time, and whether trading with them is refused or alerted. */
  async at(recordTime: Date): Promise<TradingPartnerLicences> {
    const enforcement = this.config.licenceEnforcement === 'alert' ? LicenceEnforcement.ALERT : LicenceEnforcement.REFUSE;
    const partners = await this.current();
    const t = recordTime.getTime();
    let span = this.span;
    // A read that found no change keeps the map, and the span with it.
    if (!span || span.of !== partners.byId || t < span.from || t >= span.until) {
      span = { ...unlicensedPartnersSpan([...partners.byId.values()], recordTime), of: partners.byId };
      if (partners === this.partners) this.span = span;
    }
    return { unlicensedIds: span.unlicensedIds, unlicensedGlns: span.unlicensedGlns, enforcement };
  }

  /** After a licence decision or a registration: every process reads the changes on its next capture. */
  forget(): void {
    if (this.invalidation) this.invalidation.forget('tradingPartners', 'all');
    else this.generation++;
  }

  private current(): Promise<Partners> {
    const held = this.partners;
    if (held && held.generation === this.generation && Date.now() < held.checkedAt + PARTNER_CHECK_MS) return Promise.resolve(held);
    if (this.reading?.generation === this.generation) return this.reading.done;
    const generation = this.generation;
    const done = this.read(held, generation);
    const reading = { done, generation };
    this.reading = reading;
    // A failed read is not kept: the next capture tries again.
    done.then(
      (next) => {
        if (!this.partners || next.generation >= this.partners.generation) this.partners = next;
        if (this.reading === reading) this.reading = undefined;
      },
      () => {
        if (this.reading === reading) this.reading = undefined;
      },
    );
    return done;
  }

  /** The partners after `held` (whole without it), read from its horizon. */
  private async read(held: Partners | undefined, generation: number): Promise<Partners> {
    const checkedAt = Date.now();
    const { partners, horizon } = await this.licences.tradingPartners(held?.horizon);
    let byId = held?.byId;
    if (!byId || partners.length) {
      const next = new Map(byId);
      for (const partner of partners) next.set(partner.id, partner);
      byId = next;
    }
    return { byId, horizon, checkedAt, generation };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { LicenceEnforcement, TradingPartnerLicences, unlicensedPartners } from '@pharmatrace/domain';
import { LicenceRepository } from '@pharmatrace/persistence';

/** What every capture path hands its reducer for the licence rule (libs/domain tradesWithUnlicensed). */
@Injectable()
export class TradingPartnerLoader {
  constructor(
    private readonly licences: LicenceRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Who may not trade at the capture's record time, and whether trading with them is refused or alerted. */
  async at(recordTime: Date): Promise<TradingPartnerLicences> {
    const enforcement = this.config.licenceEnforcement === 'alert' ? LicenceEnforcement.ALERT : LicenceEnforcement.REFUSE;
    return { ...unlicensedPartners(await this.licences.tradingPartners(), recordTime), enforcement };
  }
}

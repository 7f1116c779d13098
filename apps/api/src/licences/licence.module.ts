import { Module } from '@nestjs/common';
import { LicenceResolver } from './licence.resolver';
import { LicenceService } from './licence.service';
import { TradingPartnerLoader } from './trading-partner.loader';

@Module({ providers: [LicenceService, LicenceResolver, TradingPartnerLoader], exports: [TradingPartnerLoader] })
export class LicenceModule {}

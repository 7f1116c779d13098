import { Global, Module } from '@nestjs/common';
import { MasterDataResolver } from './master-data.resolver';
import { MasterDataService } from './master-data.service';

/** Master data for every feature that captures documents or reads events and packs (capture, events, verify). */
@Global()
@Module({
  providers: [MasterDataService, MasterDataResolver],
  exports: [MasterDataService],
})
export class MasterDataModule {}

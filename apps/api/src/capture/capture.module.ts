import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { createEpcisValidator } from '@pharmatrace/epcis';
import { LicenceModule } from '../licences/licence.module';
import { SignatureModule } from '../signatures/signature.module';
import { CaptureResolver } from './capture.resolver';
import { CaptureService, EPCIS_VALIDATOR } from './capture.service';
import { FlowResolver } from './flow.resolver';
import { FlowService } from './flow.service';

@Module({
  imports: [SignatureModule, LicenceModule],
  providers: [
    CaptureResolver,
    CaptureService,
    FlowService,
    FlowResolver,
    {
      provide: EPCIS_VALIDATOR,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        createEpcisValidator(config.standardsDir ? { schemaDir: `${config.standardsDir}/epcis-2.0/json-schema` } : {}),
    },
  ],
  exports: [CaptureService, EPCIS_VALIDATOR],
})
export class CaptureModule {}

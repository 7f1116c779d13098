import { Module } from '@nestjs/common';
import { LicenceResolver } from './licence.resolver';
import { LicenceService } from './licence.service';

@Module({ providers: [LicenceService, LicenceResolver], exports: [LicenceService] })
export class LicenceModule {}

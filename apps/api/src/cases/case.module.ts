import { Module } from '@nestjs/common';
import { CaseEntryResolver, CaseResolver } from './case.resolver';
import { CaseService } from './case.service';

@Module({ providers: [CaseService, CaseResolver, CaseEntryResolver], exports: [CaseService] })
export class CaseModule {}

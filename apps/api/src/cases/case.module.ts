import { Module } from '@nestjs/common';
import { CaseEntryResolver, CaseResolver } from './case.resolver';
import { CaseDocumentSchema } from './case-document.schema';
import { CaseDocumentService } from './case-document.service';
import { CaseSignatureService } from './case-signature.service';
import { CaseController } from './case.controller';
import { CaseService } from './case.service';

@Module({
  controllers: [CaseController],
  providers: [CaseService, CaseSignatureService, CaseDocumentSchema, CaseDocumentService, CaseResolver, CaseEntryResolver],
  exports: [CaseService],
})
export class CaseModule {}

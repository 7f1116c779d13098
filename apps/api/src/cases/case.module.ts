import { Module } from '@nestjs/common';
import { CaseFormsController } from './case-forms.controller';
import { CaseNotificationResolver, CaseRegulatorResolver } from './case-regulator.resolver';
import { CaseEntryResolver, CaseResolver } from './case.resolver';
import { CaseDocumentSchema } from './case-document.schema';
import { CaseDocumentService } from './case-document.service';
import { CaseSignatureService } from './case-signature.service';
import { CaseController } from './case.controller';
import { CaseService } from './case.service';
import { PartnerNotificationService } from './partner-notification.service';
import { ReceiptReconciliationService } from './receipt-reconciliation.service';
import { RegulatorFormService } from './regulator-form.service';
import { ScorecardResolver } from './scorecard.resolver';
import { ScorecardService } from './scorecard.service';

@Module({
  controllers: [CaseFormsController, CaseController],
  providers: [
    CaseService,
    CaseSignatureService,
    CaseDocumentSchema,
    CaseDocumentService,
    CaseResolver,
    CaseEntryResolver,
    PartnerNotificationService,
    RegulatorFormService,
    CaseRegulatorResolver,
    CaseNotificationResolver,
    ReceiptReconciliationService,
    ScorecardService,
    ScorecardResolver,
  ],
  exports: [CaseService],
})
export class CaseModule {}

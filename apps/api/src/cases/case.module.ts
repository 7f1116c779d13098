import { Module } from '@nestjs/common';
import { CaseFormsController } from './case-forms.controller';
import { CaseNotificationResolver, CaseRegulatorResolver } from './case-regulator.resolver';
import { CaseEntryResolver, CaseResolver } from './case.resolver';
import { CaseService } from './case.service';
import { PartnerNotificationService } from './partner-notification.service';
import { ReceiptReconciliationService } from './receipt-reconciliation.service';
import { RegulatorFormService } from './regulator-form.service';
import { ScorecardResolver } from './scorecard.resolver';
import { ScorecardService } from './scorecard.service';

@Module({
  controllers: [CaseFormsController],
  providers: [
    CaseService,
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

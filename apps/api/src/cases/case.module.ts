import { Module } from '@nestjs/common';
import { CaseEntryResolver, CaseResolver } from './case.resolver';
import { CaseService } from './case.service';
import { ReceiptReconciliationService } from './receipt-reconciliation.service';
import { ScorecardResolver } from './scorecard.resolver';
import { ScorecardService } from './scorecard.service';

@Module({
  providers: [CaseService, CaseResolver, CaseEntryResolver, ReceiptReconciliationService, ScorecardService, ScorecardResolver],
  exports: [CaseService],
})
export class CaseModule {}

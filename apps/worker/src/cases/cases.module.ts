import { Module } from '@nestjs/common';
import { CASE_CLOCK, CaseClock, CaseTickService } from './case-tick.service';

/** Exception cases on the worker's clock: grace-period alerts and left-over receipt reconciliation (docs/cases.md). */
@Module({
  providers: [CaseTickService, { provide: CASE_CLOCK, useValue: (() => new Date()) satisfies CaseClock }],
})
export class CasesModule {}

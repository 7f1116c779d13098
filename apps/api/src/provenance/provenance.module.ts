import { Module } from '@nestjs/common';
import { AnchoringModule } from '../anchoring/anchoring.module';
import { PackHistoryService } from './pack-history.service';
import { AggregationSpanResolver, CustodyIntervalResolver, ProvenanceFlagResolver, ProvenanceResolver } from './provenance.resolver';
import { ProvenanceService } from './provenance.service';

@Module({
  imports: [AnchoringModule],
  providers: [
    PackHistoryService,
    ProvenanceService,
    ProvenanceResolver,
    CustodyIntervalResolver,
    AggregationSpanResolver,
    ProvenanceFlagResolver,
  ],
  exports: [PackHistoryService],
})
export class ProvenanceModule {}

import { Module } from '@nestjs/common';
import { AnchoringModule } from '../anchoring/anchoring.module';
import { PackHistoryService } from './pack-history.service';
import { ProvenanceResolver } from './provenance.resolver';
import { ProvenanceService } from './provenance.service';

@Module({
  imports: [AnchoringModule],
  providers: [PackHistoryService, ProvenanceService, ProvenanceResolver],
  exports: [PackHistoryService],
})
export class ProvenanceModule {}

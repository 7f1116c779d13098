import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { AnchoringQueue } from './anchoring.queue';
import { AnchoringService } from './anchoring.service';
import { ChainGateway } from './chain.gateway';
import { FaultInjector } from './fault.injector';
import { SealingService } from './sealing.service';

@Module({
  imports: [MetricsModule],
  providers: [ChainGateway, FaultInjector, SealingService, AnchoringService, AnchoringQueue],
  exports: [AnchoringService],
})
export class AnchoringModule {}

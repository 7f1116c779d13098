import { Module } from '@nestjs/common';
import { MetricsServer } from './metrics.server';
import { WorkerMetrics } from './worker.metrics';

@Module({
  providers: [WorkerMetrics, MetricsServer],
  exports: [WorkerMetrics, MetricsServer],
})
export class MetricsModule {}

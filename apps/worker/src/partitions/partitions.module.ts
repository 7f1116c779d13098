import { Module } from '@nestjs/common';
import { PARTITION_CLOCK, PartitionClock, PartitionMaintenanceService } from './partition-maintenance.service';

/** The monthly partitions of the event record: made ahead, and archived when configured (docs/scaling.md). */
@Module({
  providers: [PartitionMaintenanceService, { provide: PARTITION_CLOCK, useValue: (() => new Date()) satisfies PartitionClock }],
})
export class PartitionsModule {}

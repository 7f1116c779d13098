import { Module } from '@nestjs/common';
import { BacklogCheck } from './backlog.check';
import { ChainCheck } from './chain.check';
import { HealthController } from './health.controller';
import { PostgresCheck } from './postgres.check';
import { ReadinessService } from './readiness.service';
import { RedisCheck } from './redis.check';
import { ReplicaCheck } from './replica.check';

@Module({
  controllers: [HealthController],
  providers: [PostgresCheck, RedisCheck, ChainCheck, BacklogCheck, ReplicaCheck, ReadinessService],
})
export class HealthModule {}

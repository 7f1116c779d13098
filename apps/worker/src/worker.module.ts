import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@pharmatrace/config';
import { PersistenceModule } from '@pharmatrace/persistence';
import { LoggerModule } from 'nestjs-pino';
import { AnchoringModule } from './anchoring/anchoring.module';
import { CasesModule } from './cases/cases.module';
import { MetricsModule } from './metrics/metrics.module';
import { PartitionsModule } from './partitions/partitions.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        // JSON lines like the API's; the worker serves no HTTP, so only the logger is used.
        LoggerModule.forRoot({ pinoHttp: { level: config.logLevel } }),
        // The worker writes and reads what it writes: the primary only (replicas serve the API's reads).
        PersistenceModule.forRoot({
          url: config.databaseUrl,
          logSql: config.logSql,
          poolSize: 5,
          appRole: config.databaseAppRole,
          poolMode: config.database.poolMode,
          preparedStatements: config.database.preparedStatements,
        }),
        AnchoringModule,
        SubscriptionsModule,
        CasesModule,
        PartitionsModule,
        MetricsModule,
      ],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@pharmatrace/config';
import { PersistenceModule } from '@pharmatrace/persistence';
import { AnchoringModule } from './anchoring/anchoring.module';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot({ url: config.databaseUrl, logSql: config.logSql, poolSize: 5 }), AnchoringModule],
    };
  }
}

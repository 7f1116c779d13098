import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { AppConfig, ConfigModule } from '@pharmatrace/config';
import { PersistenceModule } from '@pharmatrace/persistence';
import { CaptureModule } from './capture/capture.module';
import { DispensingModule } from './dispensing/dispensing.module';
import { RecallModule } from './recall/recall.module';
import { AuthGuard } from './common/auth.guard';
import { ErrorFilter } from './common/error.filter';
import { EpcisRestModule } from './epcis-rest/epcis-rest.module';
import { EventsModule } from './events/events.module';
import { GraphiqlController } from './graphiql/graphiql.controller';
import { offlineGraphiqlPlugin } from './graphiql/graphiql.page';
import { HealthController } from './health.controller';
import { OrganizationModule } from './organizations/organization.module';
import { ProvenanceModule } from './provenance/provenance.module';
import { VerificationModule } from './verification/verification.module';
import { WebModule } from './web/web.module';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot({ url: config.databaseUrl, logSql: config.logSql, poolSize: 20 }),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          autoSchemaFile: true,
          sortSchema: true,
          playground: false,
          // The scanner page reads the schema to ask only for fields the server has; the schema is public anyway.
          introspection: true,
          plugins: [offlineGraphiqlPlugin()],
          context: ({ req }: { req: unknown }) => ({ req }),
        }),
        OrganizationModule,
        CaptureModule,
        ProvenanceModule,
        VerificationModule,
        DispensingModule,
        RecallModule,
        EventsModule,
        EpcisRestModule,
        WebModule,
      ],
      controllers: [HealthController, GraphiqlController],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}

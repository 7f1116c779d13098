import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { AppConfig, ConfigModule } from '@pharmatrace/config';
import { PersistenceModule } from '@pharmatrace/persistence';
import { CaptureModule } from '../../apps/api/src/capture/capture.module';
import { AuthGuard } from '../../apps/api/src/common/auth.guard';
import { ErrorFilter } from '../../apps/api/src/common/error.filter';
import { EpcisRestModule } from '../../apps/api/src/epcis-rest/epcis-rest.module';
import { OrganizationModule } from '../../apps/api/src/organizations/organization.module';
import { PolicyModule } from '../../apps/api/src/policy/policy.module';
export async function startApi(config: AppConfig): Promise<INestApplication> {
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      PersistenceModule.forRoot({ url: config.databaseUrl, logSql: config.logSql, poolSize: 20 }),
      GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, context: ({ req }: { req: unknown }) => ({ req }) }),
      PolicyModule, OrganizationModule, CaptureModule, EpcisRestModule,
    ],
    providers: [{ provide: APP_GUARD, useClass: AuthGuard }, { provide: APP_FILTER, useClass: ErrorFilter }],
  })
  class M {}
  const moduleRef = await Test.createTestingModule({ imports: [M] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  await app.init();
  return app;
}

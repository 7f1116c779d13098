import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { AppConfig, ConfigModule } from '@pharmatrace/config';
import { PersistenceModule } from '@pharmatrace/persistence';
import { AlertModule } from './alerts/alert.module';
import { ApiKeyModule } from './api-keys/api-key.module';
import { AuditModule } from './audit/audit.module';
import { AuditLogModule } from './audit-log/audit-log.module';
import { CaptureModule } from './capture/capture.module';
import { DispensingModule } from './dispensing/dispensing.module';
import { RecallModule } from './recall/recall.module';
import { RateLimitGuard } from './rate-limits/rate-limit.guard';
import { RateLimitModule } from './rate-limits/rate-limit.module';
import { AuthGuard } from './common/auth.guard';
import { CommonModule } from './common/common.module';
import { ErrorFilter } from './common/error.filter';
import { InputLimitsPipe } from './common/input-limits.pipe';
import { EpcisRestModule } from './epcis-rest/epcis-rest.module';
import { EpcisQueriesModule } from './epcis-queries/epcis-queries.module';
import { EventsModule } from './events/events.module';
import { ReadGrantModule } from './grants/read-grant.module';
import { GraphiqlController } from './graphiql/graphiql.controller';
import { CompiledExecutionGateway } from './graphql/compiled-execution.gateway';
import { refusalsAsBadRequest } from './graphql/operation-limits.plugin';
import { offlineGraphiqlPlugin } from './graphiql/graphiql.page';
import { HealthModule } from './health/health.module';
import { LicenceModule } from './licences/licence.module';
import { LoggingModule } from './logging/logging.module';
import { LotModule } from './lots/lot.module';
import { MasterDataModule } from './master-data/master-data.module';
import { MetricsModule } from './metrics/metrics.module';
import { OrganizationModule } from './organizations/organization.module';
import { PolicyModule } from './policy/policy.module';
import { ProofsModule } from './proofs/proofs.module';
import { ProvenanceModule } from './provenance/provenance.module';
import { VerificationModule } from './verification/verification.module';
import { WebModule } from './web/web.module';
import { CaseModule } from './cases/case.module';

/**
 * Limits on what one GraphQL operation may ask, checked before it runs (GraphQL Armor). Introspection is exempt from
 * depth and cost (the scanner page and GraphiQL read the schema). The deepest real query, provenance with proofs and
 * organizations, nests 5 levels and costs well under 1,000. Armor multiplies a list's cost by a literal `first`, so a
 * regulator's lot page written `packs(first: 100)` costs about 8,000 (measured); the limit leaves room for it.
 */
const ARMOR = new ApolloArmor({
  maxDepth: { n: 10 },
  costLimit: { maxCost: 20000 },
  maxAliases: { n: 15 },
  maxDirectives: { n: 50 },
  maxTokens: { n: 5000 },
}).protect();

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    const execution = new CompiledExecutionGateway({ compare: config.graphqlCompareExecution });
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        MetricsModule,
        PersistenceModule.forRoot({
          url: config.databaseUrl,
          logSql: config.logSql,
          poolSize: 20,
          appRole: config.databaseAppRole,
          replicaUrls: config.database.replicaUrls,
          replicaMaxLagSeconds: config.database.replicaMaxLagSeconds,
          replicaMaxLagBytes: config.database.replicaMaxLagBytes,
          poolMode: config.database.poolMode,
          preparedStatements: config.database.preparedStatements,
          primeConnections: config.database.primeConnections,
          readTimeoutMs: config.database.readTimeoutMs,
          redis: { redisUrl: config.redisUrl, redisCluster: config.redisCluster, keyPrefix: config.queuePrefix },
        }),
        GraphQLModule.forRoot<ApolloDriverConfig & { gateway: GatewayInterface }>({
          driver: ApolloDriver,
          autoSchemaFile: true,
          sortSchema: true,
          playground: false,
          // The scanner page reads the schema to ask only for fields the server has; the schema is public anyway.
          introspection: true,
          // Stack traces are for a developer's machine, and only when asked for: Apollo's default sends them whenever NODE_ENV is not production.
          includeStacktraceInErrorResponses: config.debugErrors,
          // No cache hints: a verdict must never be served from a cache, and the plugin hooked every field resolved.
          plugins: [offlineGraphiqlPlugin(), ApolloServerPluginCacheControlDisabled(), ...ARMOR.plugins.map(refusalsAsBadRequest)],
          validationRules: ARMOR.validationRules,
          transformSchema: execution.useSchema,
          // Nest's config type leaves `gateway` out (it is for federation); Nest passes it on to Apollo, whose option it is.
          gateway: execution,
          context: ({ req }: { req: unknown }) => ({ req }),
          // Field resolvers (`lot { packs }`, `provenance { events }`) get the ErrorFilter too: without it their typed errors
          // reached the client as INTERNAL_SERVER_ERROR, bad input answered as a server fault.
          fieldResolverEnhancers: ['filters'],
          // Nest's driver would answer 200 whatever the errors say; ErrorFilter sets a status only for 413 and 429.
          preserveHttpStatusForExecutionErrors: false,
        }),
        PolicyModule,
        CommonModule,
        OrganizationModule,
        ApiKeyModule,
        RateLimitModule,
        CaptureModule,
        ProvenanceModule,
        ProofsModule,
        VerificationModule,
        DispensingModule,
        RecallModule,
        EventsModule,
        MasterDataModule,
        LotModule,
        AlertModule,
        ReadGrantModule,
        LicenceModule,
        EpcisRestModule,
        EpcisQueriesModule,
        AuditModule,
        AuditLogModule,
        CaseModule,
        WebModule,
        HealthModule,
      ],
      controllers: [GraphiqlController],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        // After the AuthGuard: requests are counted against the key it found.
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_PIPE, useClass: InputLimitsPipe },
      ],
    };
  }
}

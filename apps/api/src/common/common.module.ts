import { Global, Inject, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { ApiKeyUsageRecorder } from './api-key-usage.recorder';
import { CacheInvalidation } from './cache-invalidation';
import { CLOCK, systemClock } from './clock';
import { OrganizationDirectory } from './organization.directory';
import { ReadScopeMiddleware } from './read-scope.middleware';

@Global()
@Module({
  providers: [OrganizationDirectory, ApiKeyUsageRecorder, CacheInvalidation, { provide: CLOCK, useValue: systemClock }],
  exports: [OrganizationDirectory, ApiKeyUsageRecorder, CacheInvalidation, CLOCK],
})
export class CommonModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer) {
    // The read scope only routes reads between the primary and replicas, and without replicas every read is the
    // primary's. It is an AsyncLocalStorage, whose promise hooks cost every request on Node 20 (see LoggingModule).
    if (this.config.database.replicaUrls.length) consumer.apply(ReadScopeMiddleware).forRoutes('{*splat}');
  }
}

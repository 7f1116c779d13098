import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
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
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(ReadScopeMiddleware).forRoutes('{*splat}');
  }
}

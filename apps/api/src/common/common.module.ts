import { Global, Module } from '@nestjs/common';
import { ApiKeyUsageRecorder } from './api-key-usage.recorder';
import { CacheInvalidation } from './cache-invalidation';
import { CLOCK, systemClock } from './clock';
import { OrganizationDirectory } from './organization.directory';

@Global()
@Module({
  providers: [OrganizationDirectory, ApiKeyUsageRecorder, CacheInvalidation, { provide: CLOCK, useValue: systemClock }],
  exports: [OrganizationDirectory, ApiKeyUsageRecorder, CacheInvalidation, CLOCK],
})
export class CommonModule {}

import { Global, Module } from '@nestjs/common';
import { ApiKeyUsageRecorder } from './api-key-usage.recorder';
import { CLOCK, systemClock } from './clock';
import { OrganizationDirectory } from './organization.directory';

@Global()
@Module({
  providers: [OrganizationDirectory, ApiKeyUsageRecorder, { provide: CLOCK, useValue: systemClock }],
  exports: [OrganizationDirectory, ApiKeyUsageRecorder, CLOCK],
})
export class CommonModule {}

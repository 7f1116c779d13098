import { Global, Module } from '@nestjs/common';
import { CLOCK, systemClock } from './clock';
import { OrganizationDirectory } from './organization.directory';

@Global()
@Module({ providers: [OrganizationDirectory, { provide: CLOCK, useValue: systemClock }], exports: [OrganizationDirectory, CLOCK] })
export class CommonModule {}

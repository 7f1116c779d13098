import { Global, Module } from '@nestjs/common';
import { OrganizationDirectory } from './organization.directory';

@Global()
@Module({ providers: [OrganizationDirectory], exports: [OrganizationDirectory] })
export class CommonModule {}

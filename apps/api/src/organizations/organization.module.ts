import { Module } from '@nestjs/common';
import { LicenceModule } from '../licences/licence.module';
import { OrganizationResolver } from './organization.resolver';
import { OrganizationService } from './organization.service';

@Module({ imports: [LicenceModule], providers: [OrganizationResolver, OrganizationService], exports: [OrganizationService] })
export class OrganizationModule {}

import { Global, Module } from '@nestjs/common';
import { OrganizationLoader } from './organization.loader';
import { ReadPolicyService } from './read-policy.service';

/** The read policy and the per-request organization loader, for every feature that reads. */
@Global()
@Module({ providers: [ReadPolicyService, OrganizationLoader], exports: [ReadPolicyService, OrganizationLoader] })
export class PolicyModule {}

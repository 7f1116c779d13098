import { Global, Module } from '@nestjs/common';
import { OrganizationLoader } from './organization.loader';
import { ReadGrantDirectory } from './read-grant.directory';
import { ReadPolicyService } from './read-policy.service';

/** The read policy, the live read grants it decides on, and the per-request organization loader, for every feature that reads. */
@Global()
@Module({
  providers: [ReadPolicyService, ReadGrantDirectory, OrganizationLoader],
  exports: [ReadPolicyService, ReadGrantDirectory, OrganizationLoader],
})
export class PolicyModule {}

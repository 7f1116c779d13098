import type { Organization } from '@pharmatrace/domain';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { CurrentOrganization } from '../common/auth.decorators';
import { MasterDataService } from './master-data.service';
import { MasterDataElementType } from './master-data.types';

@Resolver()
export class MasterDataResolver {
  constructor(private readonly service: MasterDataService) {}

  @Query(() => [MasterDataElementType], {
    description:
      'Master data captured in EPCIS headers: the latest version of each element by each organization whose master data you may read (docs/master-data.md)',
  })
  async masterData(
    @CurrentOrganization() org: Organization,
    @Args('type', { description: 'Vocabulary type URI or its last word (BusinessLocation, ReadPoint, EPCClass…)' }) type: string,
    @Args('ids', { type: () => [String], description: 'Element ids, 1 to 100, in any spelling (URN or Digital Link)' }) ids: string[],
  ): Promise<MasterDataElementType[]> {
    return (await this.service.find(org, type, ids)).map(MasterDataElementType.from);
  }
}

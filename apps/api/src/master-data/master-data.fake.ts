import type { EventQueryRepository, MasterDataRepository, NewMasterDataElement } from '@pharmatrace/persistence';
import type { ReadPolicyService } from '../policy/read-policy.service';
import { MasterDataService } from './master-data.service';

/**
 * The real MasterDataService over an in-memory store that keeps what captures store (`stored`), for the service
 * specs of the features that capture documents, query events and verify packs. It knows no element and no capturer.
 */
export function fakeMasterData(): { service: MasterDataService; stored: NewMasterDataElement[] } {
  const stored: NewMasterDataElement[] = [];
  const repository = {
    store: async (_capturedBy: string, _at: Date, elements: NewMasterDataElement[]) => stored.push(...elements),
    capturers: async () => [],
    latest: async () => [],
  };
  const service = new MasterDataService(
    repository as unknown as MasterDataRepository,
    {} as EventQueryRepository,
    { eventVisibility: async () => undefined } as unknown as ReadPolicyService,
  );
  return { service, stored };
}

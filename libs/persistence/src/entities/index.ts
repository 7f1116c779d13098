import { AnchorAttemptEntity } from './anchor-attempt.entity';
import { AnchorBatchEntity } from './anchor-batch.entity';
import { EventEpcEntity } from './event-epc.entity';
import { EventEntity } from './event.entity';
import { OrganizationEntity } from './organization.entity';
import { PackStateEntity } from './pack-state.entity';

export { AnchorAttemptEntity, AnchorBatchEntity, EventEpcEntity, EventEntity, OrganizationEntity, PackStateEntity };
export type { AnchorAttemptStatus } from './anchor-attempt.entity';
export type { AnchorBatchStatus } from './anchor-batch.entity';
export type { EpcRole } from './event-epc.entity';
export type { OrganizationRole } from './organization.entity';

export const ENTITIES = [
  OrganizationEntity,
  EventEntity,
  EventEpcEntity,
  PackStateEntity,
  AnchorBatchEntity,
  AnchorAttemptEntity,
];

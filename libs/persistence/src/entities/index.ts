import { AnchorAttemptEntity } from './anchor-attempt.entity';
import { AnchorBatchEntity } from './anchor-batch.entity';
import { OrganizationEntity } from './organization.entity';

export { AnchorAttemptEntity, AnchorBatchEntity, OrganizationEntity };
export type { AnchorAttemptStatus } from './anchor-attempt.entity';
export type { AnchorBatchStatus } from './anchor-batch.entity';
export type { EpcRole } from './epc-role';
export type { OrganizationRole } from './organization.entity';

/**
 * The tables read through TypeORM's repositories; every other table is read and written in SQL with typed rows. The
 * migrations are the schema's truth: test/integration/schema.spec.ts holds these entities to the migrated columns.
 */
export const ENTITIES = [OrganizationEntity, AnchorBatchEntity, AnchorAttemptEntity];

import type { OrganizationEntity } from '@pharmatrace/persistence';

export type Principal = { kind: 'admin' } | { kind: 'organization'; organization: OrganizationEntity; apiKeyId: string };

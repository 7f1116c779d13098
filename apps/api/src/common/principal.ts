import type { Organization } from '@pharmatrace/domain';

export type Principal = { kind: 'admin' } | { kind: 'organization'; organization: Organization; apiKeyId: string };

import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditLogService } from '../audit-log/audit-log.service';
import { ApiKeyEvent, ApiKeyEvents } from './api-key.events';

const ACTION: Record<ApiKeyEvent['type'], string> = { CREATED: 'api_key.create', ROTATED: 'api_key.rotate', REVOKED: 'api_key.revoke' };

/** Key creation, rotation and revocation go into the append-only audit log; what is recorded never holds a secret. */
@Injectable()
export class ApiKeyAudit implements OnModuleInit {
  constructor(
    private readonly events: ApiKeyEvents,
    private readonly auditLog: AuditLogService,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((event) => this.record(event));
  }

  record(event: ApiKeyEvent): Promise<void> {
    return this.auditLog.record({
      actor: event.actor === 'OPERATOR' ? { kind: 'operator' } : { kind: 'organization', organizationId: event.organizationId },
      action: ACTION[event.type],
      subjectType: 'api_key',
      subjectId: event.keyId,
      before: event.type === 'CREATED' ? null : { status: 'ACTIVE' },
      after: {
        organizationId: event.organizationId,
        status: event.type === 'REVOKED' ? 'REVOKED' : event.type === 'ROTATED' ? 'ROTATED' : 'ACTIVE',
        ...(event.replacedBy ? { replacedBy: event.replacedBy } : {}),
        at: event.at.toISOString(),
      },
    });
  }
}

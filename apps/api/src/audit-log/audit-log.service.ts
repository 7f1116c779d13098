import { Injectable } from '@nestjs/common';
import { AuditLogRepository, NewAuditEntry } from '@pharmatrace/persistence';
import { connection, ConnectionArgs, pageRequest } from '../common/paging';
import { AuditLogError, AuditLogErrorCode } from './audit-log.error';
import { AuditLogConnectionType } from './audit-log.types';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

/** Writes audit entries for actions whose change is committed elsewhere, and pages the log for regulators. */
@Injectable()
export class AuditLogService {
  constructor(private readonly repository: AuditLogRepository) {}

  record(entry: NewAuditEntry): Promise<void> {
    return this.repository.append(entry);
  }

  async list(args: ConnectionArgs, action: string | null, subjectId: string | null): Promise<AuditLogConnectionType> {
    const request = pageRequest(args);
    const size = request.size ?? DEFAULT_PAGE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)
      throw this.invalid(request.sizeField, 'range', `must be an integer from 1 to ${MAX_PAGE}`);
    const cursorId = request.cursor === null ? null : this.cursor(request.cursor, request.cursorField);
    const criteria = { action: action ?? undefined, subjectId: subjectId ?? undefined };
    const page = await this.repository.page(criteria, size, cursorId, request.direction);
    const edges = page.entries.map((e) => ({
      cursor: Buffer.from(`audit:${e.id}`).toString('base64url'),
      node: {
        id: String(e.id),
        at: e.at,
        actorKind: e.actorKind,
        actorOrganizationId: e.actorOrgId ?? undefined,
        action: e.action,
        subjectType: e.subjectType,
        subjectId: e.subjectId,
        before: e.before,
        after: e.after,
      },
    }));
    return connection(request, edges, page.hasMore);
  }

  private cursor(cursor: string, field: string): number {
    const match = /^audit:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match) throw this.invalid(field, 'cursor', 'is not a cursor this server issued');
    return Number(match[1]);
  }

  private invalid(field: string, rule: string, message: string): AuditLogError {
    return new AuditLogError(AuditLogErrorCode.INVALID_AUDIT_LOG_QUERY, `${field}: ${message}`, { field, rule });
  }
}

import { Injectable } from '@nestjs/common';
import { AuditLogRepository, NewAuditEntry } from '@pharmatrace/persistence';
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

  async list(first: number | null, after: string | null, action: string | null, subjectId: string | null): Promise<AuditLogConnectionType> {
    const size = first ?? DEFAULT_PAGE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)
      throw this.invalid('first', 'range', `must be an integer from 1 to ${MAX_PAGE}`);
    const beforeId = after === null || after === undefined ? null : this.cursor(after);
    const page = await this.repository.page({ action: action ?? undefined, subjectId: subjectId ?? undefined }, size, beforeId);
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
    return { edges, pageInfo: { hasNextPage: page.hasMore, endCursor: edges.at(-1)?.cursor } };
  }

  private cursor(after: string): number {
    const match = /^audit:(\d{1,18})$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
    if (!match) throw this.invalid('after', 'cursor', 'is not a cursor this server issued');
    return Number(match[1]);
  }

  private invalid(field: string, rule: string, message: string): AuditLogError {
    return new AuditLogError(AuditLogErrorCode.INVALID_AUDIT_LOG_QUERY, `${field}: ${message}`, { field, rule });
  }
}

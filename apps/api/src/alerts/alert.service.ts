import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { canonicalEpc, Gs1Error, isValidGtin, toGtin14 } from '@pharmatrace/gs1';
import { AlertCriteria, AlertRepository } from '@pharmatrace/persistence';
import { ReadPolicyService } from '../policy/read-policy.service';
import { connection, ConnectionArgs, pageRequest } from '../common/paging';
import { AlertError, AlertErrorCode } from './alert.error';
import { AlertConnectionType, AlertFilter } from './alert.types';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

/** Alerts newest first, narrowed by the read policy: a list shows the alerts the caller may read. */
@Injectable()
export class AlertService {
  constructor(
    private readonly repository: AlertRepository,
    private readonly policy: ReadPolicyService,
  ) {}

  async list(org: Organization, filter: AlertFilter | null, args: ConnectionArgs): Promise<AlertConnectionType> {
    const request = pageRequest(args);
    const size = request.size ?? DEFAULT_PAGE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)
      throw this.invalid(request.sizeField, 'range', `must be an integer from 1 to ${MAX_PAGE}`);
    const cursorId = request.cursor === null ? null : this.cursor(request.cursor, request.cursorField);
    const criteria = this.criteria(filter ?? {});
    const page = await this.repository.page(criteria, await this.policy.alerts(org), size, cursorId, request.direction);
    const edges = page.alerts.map((a) => ({
      cursor: Buffer.from(`alert:${a.id}`).toString('base64url'),
      node: {
        actorId: a.actorId,
        manufacturerId: a.manufacturerId,
        recipientId: a.recipientId,
        id: String(a.id),
        code: a.code,
        epc: a.epc ?? undefined,
        gtin: a.gtin ?? undefined,
        lot: a.lot ?? undefined,
        details: a.details,
        createdAt: a.createdAt,
      },
    }));
    return connection(request, edges, page.hasMore);
  }

  private criteria(f: AlertFilter): AlertCriteria {
    const criteria: AlertCriteria = {
      codes: f.code ?? undefined,
      lot: f.lot ?? undefined,
      since: f.since ?? undefined,
      until: f.until ?? undefined,
    };
    if (f.gtin) {
      if (!isValidGtin(f.gtin)) throw this.invalid('gtin', 'check-digit', 'not a GTIN with a valid check digit');
      criteria.gtin = toGtin14(f.gtin);
    }
    if (f.epc) {
      try {
        criteria.epc = canonicalEpc(f.epc.trim());
      } catch (e) {
        if (e instanceof Gs1Error) throw this.invalid('epc', e.rule, e.message);
        throw e;
      }
    }
    return criteria;
  }

  private cursor(cursor: string, field: string): number {
    const match = /^alert:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match) throw this.invalid(field, 'cursor', 'is not a cursor this server issued');
    return Number(match[1]);
  }

  private invalid(field: string, rule: string, message: string): AlertError {
    return new AlertError(AlertErrorCode.INVALID_ALERT_QUERY, `${field}: ${message}`, { field, rule });
  }
}

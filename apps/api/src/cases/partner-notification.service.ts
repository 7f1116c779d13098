import { Injectable } from '@nestjs/common';
import { CaseNotificationRepository, CaseRow, NewCaseNotification } from '@pharmatrace/persistence';
import { OrganizationDirectory } from '../common/organization.directory';
import { CaseNotificationType, CaseType } from './case.types';

/** What a partner's webhook receives: the determination and the packs that partner handled, nothing of the others'. */
export interface CaseNotificationPayload {
  type: 'pharmatrace.case.illegitimate';
  /** The job's id: the same on every attempt, so a receiver drops repeats by it. */
  notificationId: string;
  case: { id: string; number: number; category: string; resolution: 'ILLEGITIMATE'; determinedAt: string; regulatorDueAt: string };
  reporter: { name: string; gln: string };
  packs: { epc: string; gtin: string | null; serial: string | null; lot: string | null; expiry: string | null }[];
}

/**
 * Every trading partner that handled a case's packs is told of an illegitimate determination (DSCSA: trading partners
 * that may have received the product), through its webhook subscriptions; one without any is recorded as having no
 * channel, so the case shows who still has to be told by other means. The jobs are written with the resolution, in
 * its transaction; the worker delivers them (apps/worker/src/subscriptions/case-notification-delivery.service.ts).
 */
@Injectable()
export class PartnerNotificationService {
  constructor(
    private readonly notifications: CaseNotificationRepository,
    private readonly organizations: OrganizationDirectory,
  ) {}

  /**
   * The jobs for an illegitimate determination of `row` stored at `version` (the version the change creates). Their ids
   * are deterministic: the same determination never tells a partner twice, a later one (after a reopening) does again.
   */
  async plan(row: CaseRow, version: number, determinedAt: Date, regulatorDueAt: Date): Promise<NewCaseNotification[]> {
    const handlers = await this.notifications.handlers(row.id);
    if (!handlers.length) return [];
    const [webhooks, facts, reporter] = await Promise.all([
      this.notifications.webhooks(handlers.map((h) => h.organizationId)),
      this.notifications.packs([...new Set(handlers.flatMap((h) => h.packs))]),
      this.organizations.byId(row.reporterId),
    ]);
    const packs = new Map(facts.map((f) => [f.epc, f]));
    return handlers.flatMap(({ organizationId, packs: handled }) => {
      const channels = webhooks.filter((w) => w.ownerId === organizationId).map((w) => w.subscriptionId);
      return (channels.length ? channels : [null]).map((subscriptionId) => {
        const jobId = `case:${row.id}:v${version}:${organizationId}:${subscriptionId ?? 'none'}`;
        const payload: CaseNotificationPayload = {
          type: 'pharmatrace.case.illegitimate',
          notificationId: jobId,
          case: {
            id: row.id,
            number: Number(row.number),
            category: row.category,
            resolution: 'ILLEGITIMATE',
            determinedAt: determinedAt.toISOString(),
            regulatorDueAt: regulatorDueAt.toISOString(),
          },
          reporter: { name: reporter?.name ?? '', gln: reporter?.gln ?? '' },
          packs: handled.map((epc) => {
            const f = packs.get(epc);
            return { epc, gtin: f?.gtin ?? null, serial: f?.serial ?? null, lot: f?.lot ?? null, expiry: f?.expiry ?? null };
          }),
        };
        return { jobId, caseId: row.id, organizationId, subscriptionId, at: determinedAt, payload };
      });
    });
  }

  /**
   * Who was to be told and how it went, in the order the jobs were written (read after the case itself was); none to
   * whoever may not read the forms (the product's manufacturer: who the parties told is theirs).
   */
  async list(c: CaseType): Promise<CaseNotificationType[]> {
    if (!c.access.forms) return [];
    return (await this.notifications.forCase(c.id)).map((n) => ({
      organizationId: n.organizationId,
      channel: n.channel === 'webhook' ? 'WEBHOOK' : 'NO_CHANNEL',
      status: n.status === 'sending' ? 'PENDING' : (n.status.toUpperCase().replace('-', '_') as CaseNotificationType['status']),
      attempts: n.attempt,
      createdAt: n.createdAt,
      lastAttemptAt: n.attempt > 0 ? n.at : undefined,
      deliveredAt: n.status === 'delivered' ? n.at : undefined,
      nextAttemptAt: n.nextAttemptAt ?? undefined,
      httpStatus: n.httpStatus ?? undefined,
      error: n.error ?? undefined,
    }));
  }
}

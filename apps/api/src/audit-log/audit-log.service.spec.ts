import type { AuditLogRepository } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { AuditLogErrorCode } from './audit-log.error';
import { FakeAuditLogRepository } from './audit-log.fake';
import { AuditLogService } from './audit-log.service';

function setup() {
  const repository = new FakeAuditLogRepository();
  return { repository, service: new AuditLogService(repository as unknown as AuditLogRepository) };
}

const record = (service: AuditLogService, action: string, subjectId: string, organizationId?: string) =>
  service.record({
    actor: organizationId ? { kind: 'organization', organizationId } : { kind: 'operator' },
    action,
    subjectType: action.split('.')[0],
    subjectId,
    before: null,
    after: { subjectId },
  });

describe('AuditLogService', () => {
  it('records an entry and lists it with its actor, newest first', async () => {
    const { service } = setup();
    await record(service, 'licence.add', 'lic-1', 'org-1');
    await record(service, 'organization.create', 'org-2');
    const page = await service.list({ first: null, after: null }, null, null);
    expect(page.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ action: 'organization.create', actorKind: 'operator', actorOrganizationId: undefined, subjectId: 'org-2' }),
      expect.objectContaining({
        action: 'licence.add',
        actorKind: 'organization',
        actorOrganizationId: 'org-1',
        subjectType: 'licence',
        after: { subjectId: 'lic-1' },
      }),
    ]);
    expect(page.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: page.edges[0].cursor,
      endCursor: page.edges[1].cursor,
    });
  });

  it('filters by action and by subject', async () => {
    const { service } = setup();
    await record(service, 'grant.create', 'g-1', 'org-1');
    await record(service, 'grant.revoke', 'g-1', 'org-1');
    await record(service, 'grant.create', 'g-2', 'org-1');
    expect((await service.list({ first: null, after: null }, 'grant.create', null)).edges.map((e) => e.node.subjectId)).toEqual([
      'g-2',
      'g-1',
    ]);
    expect((await service.list({ first: null, after: null }, null, 'g-1')).edges.map((e) => e.node.action)).toEqual([
      'grant.revoke',
      'grant.create',
    ]);
    expect((await service.list({ first: null, after: null }, 'grant.revoke', 'g-2')).edges).toEqual([]);
  });

  it('walks the whole log once, newest first, whatever the page size (property)', async () => {
    const { repository, service } = setup();
    for (let i = 0; i < 37; i++) await record(service, 'lot.recall', `lot-${i}`);
    const all = repository.entries.map((e) => String(e.id)).reverse();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), async (first) => {
        const seen: string[] = [];
        let after: string | null = null;
        for (let guard = 0; guard < 50; guard++) {
          const page = await service.list({ first: first, after: after }, null, null);
          seen.push(...page.edges.map((e) => e.node.id));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor!;
        }
        expect(seen).toEqual(all);
      }),
    );
  });

  it('walks it backward with last/before, oldest page first, each page newest first (property)', async () => {
    const { repository, service } = setup();
    for (let i = 0; i < 37; i++) await record(service, 'lot.recall', `lot-${i}`);
    const all = repository.entries.map((e) => String(e.id)).reverse();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), async (last) => {
        const seen: string[] = [];
        let before: string | null = null;
        for (let guard = 0; guard < 50; guard++) {
          const page = await service.list({ last, before }, null, null);
          seen.unshift(...page.edges.map((e) => e.node.id));
          expect(page.pageInfo.hasNextPage).toBe(before !== null);
          if (!page.pageInfo.hasPreviousPage) break;
          before = page.pageInfo.startCursor!;
        }
        expect(seen).toEqual(all);
      }),
    );
  });

  it('serves 50 entries a page unless told, and 1 to 500 when told', async () => {
    const { service } = setup();
    for (let i = 0; i < 60; i++) await record(service, 'lot.recall', `lot-${i}`);
    const byDefault = await service.list({ first: null, after: null }, null, null);
    expect([byDefault.edges.length, byDefault.pageInfo.hasNextPage]).toEqual([50, true]);
    const most = await service.list({ first: 500, after: null }, null, null);
    expect([most.edges.length, most.pageInfo.hasNextPage]).toEqual([60, false]);
    for (const first of [0, -1, 501, 1.5, Number.NaN]) {
      await expect(service.list({ first: first, after: null }, null, null)).rejects.toMatchObject({
        code: AuditLogErrorCode.INVALID_AUDIT_LOG_QUERY,
        details: { field: 'first', rule: 'range' },
      });
    }
  });

  it('refuses a cursor it did not issue', async () => {
    const { service } = setup();
    for (const after of [
      '',
      'abc',
      Buffer.from('alert:5').toString('base64url'),
      Buffer.from('audit:-1').toString('base64url'),
      Buffer.from('audit:1 ').toString('base64url'),
    ]) {
      await expect(service.list({ first: 10, after: after }, null, null)).rejects.toMatchObject({
        code: AuditLogErrorCode.INVALID_AUDIT_LOG_QUERY,
        details: { field: 'after', rule: 'cursor' },
      });
    }
  });
});

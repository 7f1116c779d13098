import { HistoryVisibility } from '@pharmatrace/domain';
import type { ApiKeyRepository, OrganizationRepository, ProvenanceRepository, ReadGrantRepository } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { OrganizationDirectory } from '../common/organization.directory';
import { FakeOrganizationRepository, organization } from '../organizations/organization.fake';
import { ReadGrantDirectory } from '../policy/read-grant.directory';
import { ReadPolicyService } from '../policy/read-policy.service';
import { ReadGrantErrorCode } from './read-grant.error';
import { FakeReadGrantRepository } from './read-grant.fake';
import { ReadGrantService } from './read-grant.service';

const NOW = new Date('2025-06-01T12:00:00Z');
const HOUR = 3_600_000;
const GTIN14 = '00614141123452';
const maker = organization({ name: 'Maker', role: 'MANUFACTURER', gln: '0614141000012', companyPrefixes: ['0614141'] });
const rival = organization({ name: 'Rival', role: 'MANUFACTURER', gln: '0614141000036', companyPrefixes: ['0799999'] });
const wholesaler = organization({ name: 'Wholesaler', role: 'DISTRIBUTOR', gln: '0614141000029' });

function setup(now = NOW) {
  const clock = () => now;
  const organizations = new FakeOrganizationRepository().add(maker, rival, wholesaler);
  const grants = new FakeReadGrantRepository(clock);
  const products = new Map<string, string>([
    [GTIN14, maker.id],
    ['00614141999996', rival.id],
  ]);
  const live = new ReadGrantDirectory(grants as unknown as ReadGrantRepository, clock);
  const directory = new OrganizationDirectory(organizations as unknown as OrganizationRepository, {} as unknown as ApiKeyRepository);
  const provenance = { manufacturerOf: async (gtin: string | null) => (gtin && products.get(gtin)) ?? null };
  const service = new ReadGrantService(
    grants as unknown as ReadGrantRepository,
    provenance as unknown as ProvenanceRepository,
    directory,
    live,
    clock,
  );
  return { grants, live, service, policy: new ReadPolicyService(live, clock) };
}

const input = (fields: Partial<{ grantee: string; gtin: string; lot: string; validFrom: Date; validUntil: Date }> = {}) => ({
  grantee: wholesaler.id,
  gtin: '614141123452',
  validUntil: new Date(NOW.getTime() + 24 * HOUR),
  ...fields,
});

async function refusal(promise: Promise<unknown>): Promise<{ code: string; details?: Record<string, unknown>; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e) => e,
  );
}

describe('ReadGrantService', () => {
  describe('grant', () => {
    it('stores a grant from now on the GTIN-14, active at once', async () => {
      const { grants, service } = setup();
      const granted = await service.grant(maker, input());
      expect(granted).toMatchObject({
        grantorId: maker.id,
        granteeId: wholesaler.id,
        gtin: GTIN14,
        lot: undefined,
        validFrom: NOW,
        active: true,
        revokedAt: undefined,
      });
      expect(grants.rows.get(granted.id)).toMatchObject({
        grantorId: maker.id,
        granteeId: wholesaler.id,
        gtin: GTIN14,
        lot: null,
        validFrom: NOW,
      });
    });

    it('names the grantee by GLN as well as by id, and keeps a lot', async () => {
      const { service } = setup();
      await expect(service.grant(maker, input({ grantee: ` ${wholesaler.gln} `, lot: 'L-42' }))).resolves.toMatchObject({
        granteeId: wholesaler.id,
        lot: 'L-42',
      });
    });

    it('is in force for the grantee from its next read, though its grants were cached', async () => {
      const { service, policy } = setup();
      const pack = { gtin: GTIN14, manufacturerId: maker.id };
      await expect(policy.history(wholesaler, 'epc', pack, async () => null, 4, 1)).resolves.toBe(HistoryVisibility.PARTY_EVENTS);
      const granted = await service.grant(maker, input());
      await expect(policy.history(wholesaler, 'epc', pack, async () => null, 4, 1)).resolves.toBe(HistoryVisibility.FULL);
      await service.revoke(maker, granted.id);
      await expect(policy.history(wholesaler, 'epc', pack, async () => null, 4, 1)).resolves.toBe(HistoryVisibility.PARTY_EVENTS);
    });

    it('starts later when told, and is not active before then', async () => {
      const { service } = setup();
      const validFrom = new Date(NOW.getTime() + HOUR);
      await expect(service.grant(maker, input({ validFrom }))).resolves.toMatchObject({ validFrom, active: false });
    });

    it.each([
      ['a GTIN with a wrong check digit', { gtin: '614141123453' }, 'gtin', 'check-digit'],
      ['a GTIN of 11 digits', { gtin: '61414112345' }, 'gtin', 'check-digit'],
      ['a lot longer than 20 characters', { lot: 'L'.repeat(21) }, 'lot', undefined],
      ['a lot with a character outside CSET 82', { lot: 'L 1' }, 'lot', undefined],
      [
        'an end before its start',
        { validFrom: new Date(NOW.getTime() + 2 * HOUR), validUntil: new Date(NOW.getTime() + HOUR) },
        'validUntil',
        'after-valid-from',
      ],
      [
        'an end equal to its start',
        { validFrom: new Date(NOW.getTime() + HOUR), validUntil: new Date(NOW.getTime() + HOUR) },
        'validUntil',
        'after-valid-from',
      ],
      [
        'an end already past',
        { validFrom: new Date(NOW.getTime() - 2 * HOUR), validUntil: new Date(NOW.getTime() - HOUR) },
        'validUntil',
        'future',
      ],
      ['an unknown grantee id', { grantee: randomUUID() }, 'grantee', 'registered'],
      ['an unknown grantee GLN', { grantee: '0614141000043' }, 'grantee', 'registered'],
      ['a grantee that is neither id nor GLN', { grantee: 'Wholesaler' }, 'grantee', 'registered'],
      ['the grantor itself', { grantee: maker.id }, 'grantee', 'another-organization'],
    ])('refuses %s as INVALID_GRANT, storing nothing', async (_, fields, field, rule) => {
      const { grants, service } = setup();
      const error = await refusal(service.grant(maker, input(fields)));
      expect(error.code).toBe(ReadGrantErrorCode.INVALID_GRANT);
      expect(error.details).toMatchObject(rule ? { field, rule } : { field });
      expect(grants.rows.size).toBe(0);
    });

    it('refuses a GTIN another organization makes, or none does, alike and without naming anyone', async () => {
      const { grants, service } = setup();
      const theirs = await refusal(service.grant(maker, input({ gtin: '00614141999996' })));
      const nobodys = await refusal(service.grant(maker, input({ gtin: '4006381333931' })));
      expect(theirs.code).toBe(ReadGrantErrorCode.GRANT_FORBIDDEN);
      expect(nobodys.code).toBe(ReadGrantErrorCode.GRANT_FORBIDDEN);
      expect(theirs.message).not.toContain(rival.name);
      expect(theirs.message).not.toContain(rival.id);
      expect(grants.rows.size).toBe(0);
    });

    it('refuses any end not after both its start and now (property)', async () => {
      const { service } = setup();
      const offset = fc.integer({ min: -48, max: 48 }).map((h) => new Date(NOW.getTime() + h * HOUR));
      await fc.assert(
        fc.asyncProperty(fc.option(offset, { nil: undefined }), offset, async (validFrom, validUntil) => {
          const start = validFrom ?? NOW;
          const outcome = await service.grant(maker, input({ validFrom, validUntil })).then(
            (g) => g.active,
            (e) => e.code,
          );
          if (validUntil <= start || validUntil <= NOW) expect(outcome).toBe(ReadGrantErrorCode.INVALID_GRANT);
          else expect(outcome).toBe(start <= NOW);
        }),
      );
    });
  });

  describe('revoke', () => {
    it('revokes its own grant at the clock time, keeping the row', async () => {
      const { grants, service } = setup();
      const { id } = await service.grant(maker, input());
      const revoked = await service.revoke(maker, id);
      expect(revoked).toMatchObject({ id, revokedAt: NOW, revokedById: maker.id, active: false });
      expect(grants.rows.get(id)).toMatchObject({ revokedAt: NOW, revokedBy: maker.id });
    });

    it("answers another's grant, an unknown id and a malformed one alike as GRANT_NOT_FOUND", async () => {
      const { grants, service } = setup();
      const theirs = grants.seed({ grantorId: rival.id, granteeId: wholesaler.id, gtin: '00614141999996' });
      for (const id of [theirs.id, randomUUID(), 'not-a-uuid']) {
        await expect(refusal(service.revoke(maker, id))).resolves.toMatchObject({
          code: ReadGrantErrorCode.GRANT_NOT_FOUND,
          details: { id },
        });
      }
      // The grantee may not revoke it either.
      await expect(refusal(service.revoke(wholesaler, theirs.id))).resolves.toMatchObject({ code: ReadGrantErrorCode.GRANT_NOT_FOUND });
      expect(grants.rows.get(theirs.id)!.revokedAt).toBeNull();
    });
  });

  it('lists the grants an organization gave and received, active or not at the clock time', async () => {
    const { grants, service } = setup();
    const given = grants.seed({ grantorId: maker.id, granteeId: wholesaler.id, gtin: GTIN14 });
    const expired = grants.seed({ grantorId: maker.id, granteeId: rival.id, gtin: GTIN14, validUntil: new Date(NOW.getTime() - 1) });
    const received = grants.seed({ grantorId: rival.id, granteeId: maker.id, gtin: '00614141999996' });
    grants.seed({ grantorId: rival.id, granteeId: wholesaler.id, gtin: '00614141999996' });
    const listed = await service.involving(maker);
    expect(Object.fromEntries(listed.map((g) => [g.id, g.active]))).toEqual({ [given.id]: true, [expired.id]: false, [received.id]: true });
  });
});

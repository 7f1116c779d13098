import type { Organization } from '@pharmatrace/domain';
import { PersistenceError, PersistenceErrorCode } from '@pharmatrace/persistence';
import type { ApiKeyRepository, AuditLogRepository, OrganizationRepository, SignatureRepository } from '@pharmatrace/persistence';
import { isValidGln } from '@pharmatrace/gs1';
import { getAddress, Wallet } from 'ethers';
import fc from 'fast-check';
import { hashApiKey } from '../common/api-key';
import { OrganizationDirectory } from '../common/organization.directory';
import { AuditLogService } from '../audit-log/audit-log.service';
import { FakeAuditLogRepository } from '../audit-log/audit-log.fake';
import { ReadPolicyService } from '../policy/read-policy.service';
import { ReadGrantDirectory } from '../policy/read-grant.directory';
import { OrganizationError, OrganizationErrorCode } from './organization.error';
import { FakeOrganizationRepository, organization } from './organization.fake';
import { DIRECTORY_LIST_LIMIT, OrganizationService } from './organization.service';
import { TradingPartnerLoader } from '../licences/trading-partner.loader';
import { DirectoryFilter, OrganizationRoleEnum } from './organization.types';

const GLN = '0614141000012';

/** SignatureRepository's one write, kept on the fake organizations. */
class FakeSigning {
  constructor(private readonly organizations: FakeOrganizationRepository) {}

  async registerSigningAddress(organizationId: string, address: string, requireSignedCaptures: boolean): Promise<Organization> {
    const org = this.organizations.byId.get(organizationId)!;
    const updated = { ...org, ethAddress: address, requireSignedCaptures };
    this.organizations.byId.set(organizationId, updated);
    return updated;
  }
}

function setup() {
  const partners = { forgotten: 0, forget: () => void partners.forgotten++ };
  const organizations = new FakeOrganizationRepository();
  const auditLog = new FakeAuditLogRepository();
  const policy = new ReadPolicyService({ of: () => [] } as unknown as ReadGrantDirectory, () => new Date());
  const directory = new OrganizationDirectory(organizations as unknown as OrganizationRepository, {} as ApiKeyRepository);
  const service = new OrganizationService(
    organizations as unknown as OrganizationRepository,
    policy,
    new FakeSigning(organizations) as unknown as SignatureRepository,
    new AuditLogService(auditLog as unknown as AuditLogRepository),
    directory,
    partners as unknown as TradingPartnerLoader,
  );
  return { organizations, auditLog, service, directory, partners };
}

const input = (fields: Partial<{ name: string; role: OrganizationRoleEnum; gln: string; companyPrefixes: string[] }> = {}) => ({
  name: 'ACME Pharma',
  role: OrganizationRoleEnum.MANUFACTURER,
  gln: GLN,
  companyPrefixes: ['0614141'],
  ...fields,
});

/** A mixed-case address with one letter's case changed: its EIP-55 checksum no longer holds. */
function flipFirstLetter(address: string): string {
  const i = address.slice(2).search(/[a-fA-F]/) + 2;
  const c = address[i];
  return address.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + address.slice(i + 1);
}

async function refusal(promise: Promise<unknown>): Promise<OrganizationError> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e) => e,
  );
}

describe('OrganizationService', () => {
  describe('create', () => {
    it('stores the organization with a trimmed name and unique prefixes, and hands out the key whose hash it stored', async () => {
      const { organizations, service } = setup();
      const { organization: created, apiKey } = await service.create(
        input({ name: '  ACME Pharma ', companyPrefixes: ['0614141', '0614141'] }),
      );
      expect(created).toMatchObject({
        name: 'ACME Pharma',
        role: 'MANUFACTURER',
        gln: GLN,
        companyPrefixes: ['0614141'],
        requireSignedCaptures: false,
      });
      expect(organizations.byId.get(created.id)).toMatchObject({ name: 'ACME Pharma', companyPrefixes: ['0614141'] });
      expect(apiKey).toMatch(/^pt_[A-Za-z0-9_-]{43}$/);
      expect(organizations.firstKeyHashes.get(created.id)).toEqual(hashApiKey(apiKey));
    });

    it('hands every organization a different key', async () => {
      const { service } = setup();
      const a = await service.create(input());
      const b = await service.create(input({ gln: '0614141000029', companyPrefixes: ['0614142'] }));
      expect(a.apiKey).not.toBe(b.apiKey);
    });

    it('records the creation in the audit log, never the key or its hash', async () => {
      const { auditLog, service } = setup();
      const { organization: created, apiKey } = await service.create(input());
      expect(auditLog.entries).toHaveLength(1);
      expect(auditLog.entries[0]).toMatchObject({
        actorKind: 'operator',
        action: 'organization.create',
        subjectType: 'organization',
        subjectId: created.id,
        before: null,
        after: { id: created.id, name: 'ACME Pharma', role: 'MANUFACTURER', gln: GLN, companyPrefixes: ['0614141'] },
      });
      const recorded = JSON.stringify(auditLog.entries[0]);
      expect(recorded).not.toContain(apiKey);
      expect(recorded).not.toContain(hashApiKey(apiKey).toString('hex'));
    });

    it.each([
      ['an empty name', { name: '   ' }, 'name'],
      ['a GLN of 12 digits', { gln: '061414100001' }, 'gln'],
      ['a GLN with letters', { gln: '061414100001A' }, 'gln'],
      ['a GLN with a wrong check digit', { gln: '0614141000013' }, 'gln'],
      ['a prefix of 3 digits', { companyPrefixes: ['061'] }, 'companyPrefixes'],
      ['a prefix of 13 digits', { companyPrefixes: ['0614141000012'] }, 'companyPrefixes'],
      ['a manufacturer without a prefix', { companyPrefixes: [] }, 'companyPrefixes'],
    ])('refuses %s as INVALID_ORGANIZATION on its field, storing nothing', async (_, fields, field) => {
      const { organizations, auditLog, service } = setup();
      const error = await refusal(service.create(input(fields)));
      expect(error).toBeInstanceOf(OrganizationError);
      expect(error.code).toBe(OrganizationErrorCode.INVALID_ORGANIZATION);
      expect(error.details).toMatchObject({ field });
      expect(organizations.byId.size).toBe(0);
      expect(auditLog.entries).toHaveLength(0);
    });

    it("tells the capture's licence rule of the new organization, which holds no licence yet", async () => {
      const { service, partners } = setup();
      await service.create(input());
      expect(partners.forgotten).toBe(1);
    });

    it('lets a distributor register without a prefix', async () => {
      const { service } = setup();
      await expect(service.create(input({ role: OrganizationRoleEnum.DISTRIBUTOR, companyPrefixes: [] }))).resolves.toMatchObject({
        organization: { companyPrefixes: [] },
      });
    });

    it('answers a taken GLN as GLN_TAKEN, and records nothing', async () => {
      const { auditLog, service } = setup();
      await service.create(input());
      await expect(refusal(service.create(input({ companyPrefixes: ['0999999'] })))).resolves.toMatchObject({
        code: OrganizationErrorCode.GLN_TAKEN,
        details: { field: 'gln' },
      });
      expect(auditLog.entries).toHaveLength(1);
    });

    it('passes on a unique violation of another constraint as it is', async () => {
      const { organizations, service } = setup();
      const boom = new PersistenceError(PersistenceErrorCode.UNIQUE_VIOLATION, 'api_key_hash_key', 'dup');
      organizations.create = async () => {
        throw boom;
      };
      await expect(service.create(input())).rejects.toBe(boom);
    });

    it("names the registered holder of an overlapping prefix, and another of the same request as no one's", async () => {
      const { organizations, service } = setup();
      const holder = organization({ name: 'Holder', companyPrefixes: ['061414'] });
      organizations.add(holder);
      await expect(refusal(service.create(input({ companyPrefixes: ['0614141'] })))).resolves.toMatchObject({
        code: OrganizationErrorCode.COMPANY_PREFIX_OVERLAP,
        details: {
          field: 'companyPrefixes',
          rule: 'prefix-overlap',
          prefix: '0614141',
          conflictsWith: '061414',
          organizationId: holder.id,
        },
      });
      const ownOverlap = await refusal(service.create(input({ gln: '0614141000029', companyPrefixes: ['0799999', '07999991'] })));
      expect(ownOverlap).toMatchObject({
        code: OrganizationErrorCode.COMPANY_PREFIX_OVERLAP,
        details: { prefix: '0799999', conflictsWith: '07999991', organizationId: null },
      });
      expect(ownOverlap.message).toContain('of the same request');
      expect(organizations.byId.size).toBe(1);
    });

    it('admits a set of prefixes exactly when none equals or begins another (property)', async () => {
      const prefix = fc.stringMatching(/^[0-9]{4,6}$/);
      await fc.assert(
        fc.asyncProperty(fc.array(prefix, { minLength: 1, maxLength: 4 }), prefix, async (requested, registered) => {
          const { organizations, service } = setup();
          organizations.add(organization({ gln: '0614141000029', companyPrefixes: [registered] }));
          const all = [...new Set([...requested, registered])];
          const overlapping =
            all.some((a) => all.some((b) => a !== b && (a.startsWith(b) || b.startsWith(a)))) || requested.includes(registered);
          const outcome = await service.create(input({ companyPrefixes: requested })).then(
            () => 'created',
            (e: OrganizationError) => e.code,
          );
          expect(outcome).toBe(overlapping ? OrganizationErrorCode.COMPANY_PREFIX_OVERLAP : 'created');
        }),
      );
    });

    it('accepts a 13-digit GLN exactly when its check digit is right (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.stringMatching(/^[0-9]{13}$/), async (gln) => {
          const { service } = setup();
          const outcome = await service.create(input({ gln })).then(
            () => 'created',
            (e: OrganizationError) => e.code,
          );
          expect(outcome).toBe(isValidGln(gln) ? 'created' : OrganizationErrorCode.INVALID_ORGANIZATION);
        }),
        { numRuns: 50 },
      );
    });
  });

  describe('registerSigningAddress', () => {
    const wallet = new Wallet(`0x${'42'.repeat(32)}`);

    it('stores the EIP-55 form of a lower-case address, with the signing rule', async () => {
      const { organizations, service } = setup();
      const org = organization();
      organizations.add(org);
      const updated = await service.registerSigningAddress(org, `  ${wallet.address.toLowerCase()} `, true);
      expect(updated).toMatchObject({ id: org.id, ethAddress: wallet.address, requireSignedCaptures: true });
      expect(organizations.byId.get(org.id)).toMatchObject({ ethAddress: getAddress(wallet.address), requireSignedCaptures: true });
    });

    it('makes the cached organization be read afresh (every API process is told through CacheInvalidation)', async () => {
      const { organizations, service, directory } = setup();
      const org = organization();
      organizations.add(org);
      expect(await directory.byId(org.id)).toMatchObject({ ethAddress: null });
      await service.registerSigningAddress(org, wallet.address, true);
      expect(await directory.byId(org.id)).toMatchObject({ ethAddress: wallet.address, requireSignedCaptures: true });
    });

    it.each([
      ['not hex', 'hello'],
      ['19 bytes', `0x${'ab'.repeat(19)}`],
      ['a broken checksum', flipFirstLetter(wallet.address)],
      ['the zero address', `0x${'0'.repeat(40)}`],
    ])('refuses %s as INVALID_ORGANIZATION on address, changing nothing', async (_, address) => {
      const { organizations, service } = setup();
      const org = organization();
      organizations.add(org);
      await expect(refusal(service.registerSigningAddress(org, address, false))).resolves.toMatchObject({
        code: OrganizationErrorCode.INVALID_ORGANIZATION,
        details: { field: 'address' },
      });
      expect(organizations.byId.get(org.id)!.ethAddress).toBeNull();
    });
  });

  it('lists every organization, oldest first, to any reader of the directory', async () => {
    const { organizations, service } = setup();
    const first = organization({ name: 'First' });
    const second = organization({ name: 'Second', role: 'REGULATOR', ethAddress: '0xabc' });
    organizations.add(second, first);
    const listed = await service.directory(organization({ role: 'DISPENSER' }));
    expect(listed.map((o) => o.name)).toEqual(['First', 'Second']);
    expect(listed[1]).toMatchObject({ role: 'REGULATOR', ethAddress: '0xabc' });
    expect(listed[0].ethAddress).toBeUndefined();
  });

  it('refuses the unpaged list past 1,000 organizations rather than shorten it', async () => {
    const { organizations, service } = setup();
    for (let i = 0; i < DIRECTORY_LIST_LIMIT; i++) organizations.add(organization());
    expect(await service.directory(organization())).toHaveLength(DIRECTORY_LIST_LIMIT);
    organizations.add(organization());
    expect(await refusal(service.directory(organization()))).toMatchObject({
      code: OrganizationErrorCode.DIRECTORY_TOO_LARGE,
      details: { field: 'organizations', limit: DIRECTORY_LIST_LIMIT },
    });
  });

  describe('directoryPage', () => {
    const none = { glns: null, search: null, roles: null, ownerOfGtin: null };
    const reader = organization({ role: 'DISPENSER' });

    it('walks the filtered directory a page at a time, forward and backward, each organization once', async () => {
      const { organizations, service } = setup();
      const all = Array.from({ length: 11 }, (_, i) => organization({ name: `Org ${i}`, role: i % 2 ? 'DISTRIBUTOR' : 'DISPENSER' }));
      organizations.add(...all);
      const filter = { ...none, roles: [OrganizationRoleEnum.DISTRIBUTOR] };
      const names: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await service.directoryPage(reader, { first: 2, after }, filter);
        names.push(...page.edges.map((e) => e.node.name));
        expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor!;
      }
      expect(names).toEqual(['Org 1', 'Org 3', 'Org 5', 'Org 7', 'Org 9']);
      const last = await service.directoryPage(reader, { last: 2 }, filter);
      expect(last.edges.map((e) => e.node.name)).toEqual(['Org 7', 'Org 9']);
      const before = await service.directoryPage(reader, { last: 2, before: last.pageInfo.startCursor }, filter);
      expect(before.edges.map((e) => e.node.name)).toEqual(['Org 3', 'Org 5']);
      expect(before.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    });

    it('finds by GLN, by text in the name or GLN (any case, % and _ literal), and a GTIN by its brand owner', async () => {
      const { organizations, service } = setup();
      const maker = organization({ name: 'ACME Pharma', role: 'MANUFACTURER', gln: '9506000000015', companyPrefixes: ['9506000'] });
      const other = organization({ name: 'Beta 100% Labs', role: 'MANUFACTURER', gln: '9507000000012', companyPrefixes: ['95070001'] });
      organizations.add(maker, other);
      const names = async (filter: DirectoryFilter) =>
        (await service.directoryPage(reader, {}, { ...none, ...filter })).edges.map((e) => e.node.name);
      expect(await names({ glns: ['9507000000012', '0614141000012'] })).toEqual(['Beta 100% Labs']);
      expect(await names({ glns: [] })).toEqual([]);
      expect(await names({ search: 'acme' })).toEqual(['ACME Pharma']);
      expect(await names({ search: ' 950700 ' })).toEqual(['Beta 100% Labs']);
      expect(await names({ search: '100%' })).toEqual(['Beta 100% Labs']);
      expect(await names({ ownerOfGtin: '09506000123455' })).toEqual(['ACME Pharma']);
      expect(await names({ ownerOfGtin: '9507000100002' })).toEqual(['Beta 100% Labs']);
      expect(await names({ ownerOfGtin: '09507000200009' })).toEqual([]);
    });

    it.each([
      ['a page of 0', { first: 0 }, none, 'first', 'range'],
      ['a page of 501', { first: 501 }, none, 'first', 'range'],
      ['a fractional size', { last: 1.5 }, none, 'last', 'range'],
      ['garbage for a cursor', { after: 'not-a-cursor' }, none, 'after', 'cursor'],
      ['another feature’s cursor', { before: Buffer.from('audit:12').toString('base64url') }, none, 'before', 'cursor'],
      [
        'a cursor naming no organization',
        { after: Buffer.from('organization:00000000-0000-4000-8000-000000000000').toString('base64url') },
        none,
        'after',
        'cursor',
      ],
      ['a GLN of 3 digits', {}, { ...none, glns: ['123'] }, 'glns', 'gln'],
      ['501 GLNs', {}, { ...none, glns: Array.from({ length: 501 }, () => GLN) }, 'glns', 'range'],
      ['blank text', {}, { ...none, search: '   ' }, 'search', 'range'],
      ['101 characters of text', {}, { ...none, search: 'x'.repeat(101) }, 'search', 'range'],
      ['a GTIN with a wrong check digit', {}, { ...none, ownerOfGtin: '09506000123457' }, 'ownerOfGtin', 'gtin'],
    ])('refuses %s as INVALID_DIRECTORY_QUERY naming its field and rule', async (_label, args, filter, field, rule) => {
      const { service } = setup();
      expect(await refusal(service.directoryPage(reader, args, filter))).toMatchObject({
        code: OrganizationErrorCode.INVALID_DIRECTORY_QUERY,
        details: { field, rule },
      });
    });
  });
});

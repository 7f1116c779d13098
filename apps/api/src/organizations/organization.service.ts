import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { findPrefixOverlap, RegisteredPrefix } from '@pharmatrace/domain';
import { isValidGln } from '@pharmatrace/gs1';
import { OrganizationRepository, PersistenceError, SignatureRepository } from '@pharmatrace/persistence';
import { getAddress, ZeroAddress } from 'ethers';
import { generateApiKey, hashApiKey } from '../common/api-key';
import { AuditLogService } from '../audit-log/audit-log.service';
import { OrganizationDirectory } from '../common/organization.directory';
import { ReadPolicyService } from '../policy/read-policy.service';
import { TradingPartnerLoader } from '../licences/trading-partner.loader';
import { OrganizationError, OrganizationErrorCode } from './organization.error';
import { CreateOrganizationInput, CreateOrganizationPayload, OrganizationType } from './organization.types';

const COMPANY_PREFIX = /^\d{4,12}$/;

@Injectable()
export class OrganizationService {
  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly policy: ReadPolicyService,
    private readonly signing: SignatureRepository,
    private readonly auditLog: AuditLogService,
    private readonly cache: OrganizationDirectory,
    private readonly partners: TradingPartnerLoader,
  ) {}

  async create(input: CreateOrganizationInput): Promise<CreateOrganizationPayload> {
    const name = input.name.trim();
    if (!name) throw this.invalid('name', 'must not be empty');
    if (!/^\d{13}$/.test(input.gln)) throw this.invalid('gln', 'must be 13 digits');
    if (!isValidGln(input.gln)) throw this.invalid('gln', 'check digit is wrong');
    const bad = input.companyPrefixes.find((p) => !COMPANY_PREFIX.test(p));
    if (bad !== undefined) throw this.invalid('companyPrefixes', `"${bad}" is not a GS1 company prefix (4 to 12 digits)`);
    if (input.role === 'MANUFACTURER' && !input.companyPrefixes.length) {
      throw this.invalid('companyPrefixes', 'a MANUFACTURER needs at least one company prefix to commission its GTINs');
    }
    const apiKey = generateApiKey();
    try {
      const entity = await this.organizations.create(
        { name, role: input.role, gln: input.gln, companyPrefixes: [...new Set(input.companyPrefixes)] },
        hashApiKey(apiKey),
        (registered) => this.refuseOverlap(input.companyPrefixes, registered),
      );
      // A new organization holds no licence yet: the licence rule must know it on the next capture, on every process.
      this.partners.forget();
      const organization = OrganizationType.from(entity);
      // After the creation's transaction (the repository owns it); the key and its hash are never recorded.
      const after = {
        id: organization.id,
        name: organization.name,
        role: organization.role,
        gln: organization.gln,
        companyPrefixes: organization.companyPrefixes,
      };
      await this.auditLog.record({
        actor: { kind: 'operator' },
        action: 'organization.create',
        subjectType: 'organization',
        subjectId: entity.id,
        before: null,
        after,
      });
      return { organization, apiKey };
    } catch (e) {
      if (e instanceof PersistenceError && e.constraint?.includes('gln')) {
        throw new OrganizationError(OrganizationErrorCode.GLN_TAKEN, `an organization with GLN ${input.gln} exists already`, {
          field: 'gln',
        });
      }
      throw e;
    }
  }

  async registerSigningAddress(org: Organization, input: string, requireSignedCaptures: boolean): Promise<OrganizationType> {
    let address: string;
    try {
      address = getAddress(input.trim());
    } catch {
      throw this.invalid('address', 'must be a 20-byte 0x address; a mixed-case one must carry a valid EIP-55 checksum');
    }
    if (address === ZeroAddress) throw this.invalid('address', 'the zero address has no key');
    const updated = await this.signing.registerSigningAddress(org.id, address, requireSignedCaptures);
    this.cache.forgetOrganization(org.id);
    return OrganizationType.from(updated);
  }

  async directory(reader: Organization): Promise<OrganizationType[]> {
    this.policy.organizations(reader);
    return this.list();
  }

  async list(): Promise<OrganizationType[]> {
    return (await this.organizations.findAll()).map(OrganizationType.from);
  }

  /** The operator is the caller, so naming the organization that holds the prefix discloses nothing it may not see. */
  private refuseOverlap(requested: string[], registered: RegisteredPrefix[]) {
    const overlap = findPrefixOverlap(requested, registered);
    if (!overlap) return;
    const holder = overlap.holder
      ? `${overlap.holder.organizationName}'s "${overlap.conflictsWith}"`
      : `"${overlap.conflictsWith}" of the same request`;
    throw new OrganizationError(
      OrganizationErrorCode.COMPANY_PREFIX_OVERLAP,
      `input.companyPrefixes: "${overlap.prefix}" overlaps ${holder}: company prefixes may not equal or begin one another`,
      {
        field: 'companyPrefixes',
        rule: 'prefix-overlap',
        prefix: overlap.prefix,
        conflictsWith: overlap.conflictsWith,
        organizationId: overlap.holder?.organizationId ?? null,
      },
    );
  }

  private invalid(field: string, rule: string) {
    return new OrganizationError(OrganizationErrorCode.INVALID_ORGANIZATION, `input.${field}: ${rule}`, { field, rule });
  }
}

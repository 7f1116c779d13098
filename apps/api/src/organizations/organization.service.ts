import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { findPrefixOverlap, RegisteredPrefix } from '@pharmatrace/domain';
import { companyPrefixCandidates, companyPrefixDigits, Gs1Error, isValidGln } from '@pharmatrace/gs1';
import { DirectoryCriteria, OrganizationRepository, PersistenceError, SignatureRepository } from '@pharmatrace/persistence';
import { getAddress, ZeroAddress } from 'ethers';
import { generateApiKey, hashApiKey } from '../common/api-key';
import { AuditLogService } from '../audit-log/audit-log.service';
import { OrganizationDirectory } from '../common/organization.directory';
import { connection, ConnectionArgs, pageRequest } from '../common/paging';
import { ReadPolicyService } from '../policy/read-policy.service';
import { TradingPartnerLoader } from '../licences/trading-partner.loader';
import { OrganizationError, OrganizationErrorCode } from './organization.error';
import {
  CreateOrganizationInput,
  CreateOrganizationPayload,
  DirectoryFilter,
  OrganizationConnectionType,
  OrganizationType,
} from './organization.types';

const COMPANY_PREFIX = /^\d{4,12}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The unpaged list answers up to this many; past it, the directory must be paged (organizationDirectory). */
export const DIRECTORY_LIST_LIMIT = 1000;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;
/** As many GLNs as a page can hold: one provenance names a few dozen places at most. */
const MAX_GLNS = MAX_PAGE;
const MAX_SEARCH = 100;

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

  /**
   * The whole directory in one list, kept for clients written before it was paged, while it stays small: past
   * DIRECTORY_LIST_LIMIT organizations the answer would be too large to be one list, and a shortened one would be a lie.
   */
  async directory(reader: Organization): Promise<OrganizationType[]> {
    this.policy.organizations(reader);
    const all = await this.organizations.findAll(DIRECTORY_LIST_LIMIT + 1);
    if (all.length > DIRECTORY_LIST_LIMIT) {
      throw new OrganizationError(
        OrganizationErrorCode.DIRECTORY_TOO_LARGE,
        `organizations: the directory holds more than ${DIRECTORY_LIST_LIMIT} organizations; page it with organizationDirectory(first, after) or filter it (glns, search, roles, ownerOfGtin)`,
        { field: 'organizations', limit: DIRECTORY_LIST_LIMIT },
      );
    }
    return all.map(OrganizationType.from);
  }

  /** One page of the directory, oldest first, filtered: the way to read a registry of any size (each filter has an index). */
  async directoryPage(reader: Organization, args: ConnectionArgs, filter: DirectoryFilter): Promise<OrganizationConnectionType> {
    this.policy.organizations(reader);
    const request = pageRequest(args);
    const size = request.size ?? DEFAULT_PAGE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
      throw this.invalidQuery(request.sizeField, 'range', `must be an integer from 1 to ${MAX_PAGE}`);
    }
    const cursor = request.cursor === null ? null : this.cursorId(request.cursor, request.cursorField);
    const page = await this.organizations.page(this.criteria(filter), size, cursor, request.direction);
    if (!page.cursorFound) throw this.invalidQuery(request.cursorField, 'cursor', 'names no organization of this directory');
    const edges = page.organizations.map((o) => ({
      cursor: Buffer.from(`organization:${o.id}`).toString('base64url'),
      node: OrganizationType.from(o),
    }));
    return connection(request, edges, page.hasMore);
  }

  private criteria(filter: DirectoryFilter): DirectoryCriteria {
    const criteria: DirectoryCriteria = {};
    if (filter.glns) {
      if (filter.glns.length > MAX_GLNS) throw this.invalidQuery('glns', 'range', `at most ${MAX_GLNS} GLNs`);
      const bad = filter.glns.find((g) => !/^\d{13}$/.test(g));
      if (bad !== undefined) throw this.invalidQuery('glns', 'gln', `"${bad}" is not a GLN (13 digits)`);
      criteria.glns = filter.glns;
    }
    if (filter.search != null) {
      const search = filter.search.trim();
      if (!search || search.length > MAX_SEARCH) throw this.invalidQuery('search', 'range', `must hold 1 to ${MAX_SEARCH} characters`);
      criteria.search = search;
    }
    if (filter.roles) criteria.roles = filter.roles;
    if (filter.ownerOfGtin != null) {
      try {
        criteria.companyPrefixes = companyPrefixCandidates(companyPrefixDigits(filter.ownerOfGtin));
      } catch (e) {
        if (!(e instanceof Gs1Error)) throw e;
        throw this.invalidQuery('ownerOfGtin', 'gtin', `"${filter.ownerOfGtin}" is not a GTIN: ${e.message}`);
      }
    }
    return criteria;
  }

  private cursorId(cursor: string, field: string): string {
    const match = /^organization:(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match || !UUID.test(match[1])) throw this.invalidQuery(field, 'cursor', 'is not a cursor this server issued');
    return match[1];
  }

  private invalidQuery(field: string, rule: string, message: string): OrganizationError {
    return new OrganizationError(OrganizationErrorCode.INVALID_DIRECTORY_QUERY, `${field}: ${message}`, { field, rule });
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

import type { Organization } from '@pharmatrace/domain';
import { Inject, Injectable } from '@nestjs/common';
import { grantInForce } from '@pharmatrace/domain';
import { Gs1Error, isValidGtin, toGtin14, validateAiValue } from '@pharmatrace/gs1';
import { ProvenanceRepository, ReadGrantRepository, ReadGrantRow } from '@pharmatrace/persistence';
import { Clock, CLOCK } from '../common/clock';
import { OrganizationDirectory } from '../common/organization.directory';
import { ReadGrantDirectory } from '../policy/read-grant.directory';
import { ReadGrantError, ReadGrantErrorCode } from './read-grant.error';
import { GrantReadAccessInput, ReadGrantType } from './read-grant.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Owner-granted read access: the GTIN's manufacturer (as the read policy knows it, the organization that commissioned
 * it, under its company prefix) lets another organization read its packs of the GTIN, or of one lot, for a period.
 * Grants and revocations are rows kept for good; the read policy obeys them from the next read.
 */
@Injectable()
export class ReadGrantService {
  constructor(
    private readonly grants: ReadGrantRepository,
    private readonly products: ProvenanceRepository,
    private readonly organizations: OrganizationDirectory,
    private readonly live: ReadGrantDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async grant(org: Organization, input: GrantReadAccessInput): Promise<ReadGrantType> {
    if (!isValidGtin(input.gtin)) throw this.invalid('gtin', 'check-digit', 'not a GTIN with a valid check digit');
    const gtin = toGtin14(input.gtin);
    const lot = input.lot ?? null;
    if (lot !== null) this.lotNumber(lot);
    const now = this.clock();
    const validFrom = input.validFrom ?? now;
    if (input.validUntil <= validFrom) throw this.invalid('validUntil', 'after-valid-from', 'must be later than validFrom');
    if (input.validUntil <= now) throw this.invalid('validUntil', 'future', 'must be in the future');
    const grantee = await this.grantee(input.grantee);
    if (grantee.id === org.id) throw this.invalid('grantee', 'another-organization', 'a manufacturer reads its own packs already');
    // The same answer whether another organization makes the GTIN or none does: a refusal names no one.
    if ((await this.products.manufacturerOf(gtin)) !== org.id) {
      throw new ReadGrantError(
        ReadGrantErrorCode.GRANT_FORBIDDEN,
        `${gtin} is not a GTIN ${org.name} has commissioned: only a GTIN's manufacturer grants read access to it`,
        { gtin },
      );
    }
    const row = await this.grants.create({ grantorId: org.id, granteeId: grantee.id, gtin, lot, validFrom, validUntil: input.validUntil });
    this.live.forget(grantee.id);
    return this.toType(row, now);
  }

  async revoke(org: Organization, id: string): Promise<ReadGrantType> {
    const found = UUID.test(id) ? await this.grants.byId(id) : null;
    if (!found || found.grantorId !== org.id)
      throw new ReadGrantError(ReadGrantErrorCode.GRANT_NOT_FOUND, `${org.name} gave no grant ${id}`, { id });
    const now = this.clock();
    const revoked = (await this.grants.revoke(id, org.id, now))!;
    this.live.forget(revoked.granteeId);
    return this.toType(revoked, now);
  }

  async involving(org: Organization): Promise<ReadGrantType[]> {
    const now = this.clock();
    return (await this.grants.involving(org.id)).map((row) => this.toType(row, now));
  }

  /** By id or GLN; an organization that does not exist is a bad input like any other (the directory is open to all). */
  private async grantee(ref: string): Promise<Organization> {
    const key = ref.trim();
    const org = UUID.test(key) ? await this.organizations.byId(key) : /^\d{13}$/.test(key) ? await this.organizations.byGln(key) : null;
    if (!org) throw this.invalid('grantee', 'registered', 'no registered organization has this id or GLN');
    return org;
  }

  private lotNumber(lot: string): void {
    try {
      validateAiValue('10', lot);
    } catch (e) {
      if (e instanceof Gs1Error) throw this.invalid('lot', e.rule, e.message);
      throw e;
    }
  }

  private toType(row: ReadGrantRow, now: Date): ReadGrantType {
    return {
      grantorId: row.grantorId,
      granteeId: row.granteeId,
      revokedById: row.revokedBy,
      id: row.id,
      gtin: row.gtin,
      lot: row.lot ?? undefined,
      validFrom: row.validFrom,
      validUntil: row.validUntil,
      createdAt: row.createdAt,
      revokedAt: row.revokedAt ?? undefined,
      active: grantInForce(row, now),
    };
  }

  private invalid(field: string, rule: string, message: string): ReadGrantError {
    return new ReadGrantError(ReadGrantErrorCode.INVALID_GRANT, `input.${field}: ${message}`, { field, rule });
  }
}

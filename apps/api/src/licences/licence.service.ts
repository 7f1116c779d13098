import type { Organization } from '@pharmatrace/domain';
import { Inject, Injectable } from '@nestjs/common';
import { LicenceRepository, PersistenceError, StoredLicence } from '@pharmatrace/persistence';
import DataLoader from 'dataloader';
import { CLOCK, Clock } from '../common/clock';
import { LicenceError, LicenceErrorCode } from './licence.error';
import { AddLicenceInput, LicenceType } from './licence.types';
import { TradingPartnerLoader } from './trading-partner.loader';

const MAX_TEXT = 200;

@Injectable()
export class LicenceService {
  /** The directory lists every organization with its licences: one query per request, however many it lists. */
  private readonly perRequest = new WeakMap<object, DataLoader<string, StoredLicence[]>>();

  constructor(
    private readonly licences: LicenceRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly partners: TradingPartnerLoader,
  ) {}

  async add(org: Organization, input: AddLicenceInput): Promise<LicenceType> {
    const text = (field: 'type' | 'issuingAuthority' | 'number') => {
      const value = input[field].trim();
      if (!value) throw this.invalid(field, 'must not be empty');
      if (value.length > MAX_TEXT) throw this.invalid(field, `at most ${MAX_TEXT} characters`);
      return value;
    };
    const licence = { organizationId: org.id, type: text('type'), issuingAuthority: text('issuingAuthority'), number: text('number') };
    if (!(input.validFrom < input.validUntil)) throw this.invalid('validUntil', 'must be after validFrom');
    try {
      const added = await this.licences.add({ ...licence, validFrom: input.validFrom, validUntil: input.validUntil });
      // The trading partners are not forgotten: a declared licence counts for nothing until a regulator verifies it
      // (which forgets them), and any organization may declare at will, each forcing every API process to read the
      // whole registry again on its next capture (0.4–0.7 s at 70,000 organizations).
      return LicenceType.from(added, this.clock());
    } catch (e) {
      if (e instanceof PersistenceError) {
        throw new LicenceError(
          LicenceErrorCode.LICENCE_EXISTS,
          `${licence.type} ${licence.number} of ${licence.issuingAuthority} is on record already`,
          { field: 'number' },
        );
      }
      throw e;
    }
  }

  async verify(regulator: Organization, id: string): Promise<LicenceType> {
    await this.existing(id);
    const verified = (await this.licences.verify(id, regulator.id))!;
    this.partners.forget();
    return LicenceType.from(verified, this.clock());
  }

  async reject(regulator: Organization, id: string, reason: string): Promise<LicenceType> {
    if (!reason.trim()) throw this.invalid('reason', 'must not be empty');
    await this.existing(id);
    const rejected = (await this.licences.reject(id, regulator.id, reason.trim()))!;
    this.partners.forget();
    return LicenceType.from(rejected, this.clock());
  }

  async licencesOf(request: object, organizationId: string): Promise<LicenceType[]> {
    const now = this.clock();
    return (await this.loaderFor(request).load(organizationId)).map((l) => LicenceType.from(l, now));
  }

  private async existing(id: string): Promise<StoredLicence> {
    const found = await this.licences.findById(id);
    if (!found) throw new LicenceError(LicenceErrorCode.UNKNOWN_LICENCE, `no licence ${id}`, { field: 'id' });
    return found;
  }

  private loaderFor(request: object): DataLoader<string, StoredLicence[]> {
    let loader = this.perRequest.get(request);
    if (!loader) {
      loader = new DataLoader(async (ids: readonly string[]) => {
        const byOrganization = await this.licences.forOrganizations(ids);
        return ids.map((id) => byOrganization.get(id) ?? []);
      });
      this.perRequest.set(request, loader);
    }
    return loader;
  }

  private invalid(field: string, rule: string) {
    return new LicenceError(LicenceErrorCode.INVALID_LICENCE, `${field}: ${rule}`, { field, rule });
  }
}

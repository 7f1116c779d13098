import { systemClock } from '../common/clock';
import { LicenceStatus } from '@pharmatrace/domain';
import { LicenceRepository, NewLicence, PersistenceError, PersistenceErrorCode, StoredLicence } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { organization } from '../organizations/organization.fake';
import { LicenceError, LicenceErrorCode } from './licence.error';
import { LicenceService } from './licence.service';
import { TradingPartnerLoader } from './trading-partner.loader';

/** LicenceRepository in memory: one licence per organization, type, authority and number; the last decision counts. */
class FakeLicences {
  readonly rows = new Map<string, StoredLicence>();
  /** Each call of forOrganizations, with the ids it was asked for. */
  readonly batches: string[][] = [];

  async add(licence: NewLicence): Promise<StoredLicence> {
    const same = [...this.rows.values()].some(
      (l) =>
        l.organizationId === licence.organizationId &&
        l.type === licence.type &&
        l.issuingAuthority === licence.issuingAuthority &&
        l.number === licence.number,
    );
    if (same)
      throw new PersistenceError(PersistenceErrorCode.UNIQUE_VIOLATION, 'organization_licence_unique', 'unique constraint violated');
    const row: StoredLicence = {
      ...licence,
      id: randomUUID(),
      createdAt: new Date(),
      verifiedBy: null,
      verifiedAt: null,
      rejectedBy: null,
      rejectedAt: null,
      rejectionReason: null,
    };
    this.rows.set(row.id, row);
    return row;
  }

  async findById(id: string): Promise<StoredLicence | null> {
    return this.rows.get(id) ?? null;
  }

  async verify(id: string, regulatorId: string): Promise<StoredLicence | null> {
    return this.decide(id, { verifiedBy: regulatorId, verifiedAt: new Date(), rejectedBy: null, rejectedAt: null, rejectionReason: null });
  }

  async reject(id: string, regulatorId: string, reason: string): Promise<StoredLicence | null> {
    return this.decide(id, {
      rejectedBy: regulatorId,
      rejectedAt: new Date(),
      rejectionReason: reason,
      verifiedBy: null,
      verifiedAt: null,
    });
  }

  async forOrganizations(ids: readonly string[]): Promise<Map<string, StoredLicence[]>> {
    this.batches.push([...ids]);
    const out = new Map<string, StoredLicence[]>(ids.map((id) => [id, []]));
    for (const row of this.rows.values()) out.get(row.organizationId)?.push(row);
    return out;
  }

  private decide(id: string, change: Partial<StoredLicence>): StoredLicence | null {
    const row = this.rows.get(id);
    if (!row) return null;
    const after = { ...row, ...change };
    this.rows.set(id, after);
    return after;
  }
}

const pharmacy = organization({ name: 'Pharmacy', role: 'DISPENSER' });
const regulator = organization({ name: 'Regulator', role: 'REGULATOR' });
const DAY = 86_400_000;
const input = (fields: Partial<Record<'type' | 'issuingAuthority' | 'number', string>> & { validFrom?: Date; validUntil?: Date } = {}) => ({
  type: 'Pharmacy licence',
  issuingAuthority: 'State Board of Pharmacy',
  number: 'PH-1234',
  validFrom: new Date(Date.now() - DAY),
  validUntil: new Date(Date.now() + 365 * DAY),
  ...fields,
});

function setup() {
  const licences = new FakeLicences();
  const partners = { forgotten: 0, forget: () => void partners.forgotten++ };
  return {
    licences,
    partners,
    service: new LicenceService(licences as unknown as LicenceRepository, systemClock, partners as unknown as TradingPartnerLoader),
  };
}

async function refusal(promise: Promise<unknown>): Promise<LicenceError> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e) => e,
  );
}

describe('LicenceService', () => {
  describe('add', () => {
    it('stores a trimmed licence for the caller, pending a regulator and so not valid yet', async () => {
      const { licences, service } = setup();
      const added = await service.add(pharmacy, input({ type: ' Pharmacy licence ', number: '\tPH-1234 ' }));
      expect(added).toMatchObject({ type: 'Pharmacy licence', number: 'PH-1234', status: LicenceStatus.PENDING, valid: false });
      expect(licences.rows.get(added.id)).toMatchObject({
        organizationId: pharmacy.id,
        type: 'Pharmacy licence',
        issuingAuthority: 'State Board of Pharmacy',
        number: 'PH-1234',
      });
    });

    it.each(['type', 'issuingAuthority', 'number'] as const)('refuses an empty or over-long %s as INVALID_LICENCE', async (field) => {
      const { licences, service } = setup();
      await expect(refusal(service.add(pharmacy, input({ [field]: '  ' })))).resolves.toMatchObject({
        code: LicenceErrorCode.INVALID_LICENCE,
        details: { field },
      });
      await expect(refusal(service.add(pharmacy, input({ [field]: 'x'.repeat(201) })))).resolves.toMatchObject({
        code: LicenceErrorCode.INVALID_LICENCE,
        details: { field },
      });
      await expect(service.add(pharmacy, input({ [field]: 'x'.repeat(200) }))).resolves.toBeDefined();
      expect(licences.rows.size).toBe(1);
    });

    it('takes a validity exactly when it ends after it starts (property)', async () => {
      const { service } = setup();
      const date = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true });
      await fc.assert(
        fc.asyncProperty(date, date, fc.string({ minLength: 1, maxLength: 8 }), async (validFrom, validUntil, n) => {
          const outcome = await service.add(pharmacy, input({ validFrom, validUntil, number: `${n}-${randomUUID()}` })).then(
            () => 'added',
            (e: LicenceError) => e.code,
          );
          expect(outcome).toBe(validFrom < validUntil ? 'added' : LicenceErrorCode.INVALID_LICENCE);
        }),
      );
    });

    it('refuses the same licence twice as LICENCE_EXISTS', async () => {
      const { service } = setup();
      await service.add(pharmacy, input());
      const error = await refusal(service.add(pharmacy, input()));
      expect(error).toMatchObject({ code: LicenceErrorCode.LICENCE_EXISTS, details: { field: 'number' } });
      // Another organization may declare the same number (the fake's unique rule is per organization).
      await expect(service.add(organization(), input())).resolves.toBeDefined();
    });

    it('passes on an error that is not the database refusing a duplicate', async () => {
      const { licences, service } = setup();
      const down = new Error('connection terminated');
      licences.add = async () => {
        throw down;
      };
      await expect(service.add(pharmacy, input())).rejects.toBe(down);
    });
  });

  describe('regulator decisions', () => {
    it('makes a verified licence valid within its dates, and a later rejection replaces the verification', async () => {
      const { service, partners } = setup();
      const { id } = await service.add(pharmacy, input());
      // A decision reaches the capture's licence rule (TradingPartnerLoader) at once; a declaration, which counts for
      // nothing yet and any organization may send at will, makes no process read the registry again.
      expect(partners.forgotten).toBe(0);
      await expect(service.verify(regulator, id)).resolves.toMatchObject({
        status: LicenceStatus.VERIFIED,
        valid: true,
        verifiedBy: regulator.id,
      });
      const rejected = await service.reject(regulator, id, '  forged  ');
      expect(rejected).toMatchObject({
        status: LicenceStatus.REJECTED,
        valid: false,
        rejectedBy: regulator.id,
        rejectionReason: 'forged',
        verifiedBy: undefined,
      });
      expect(partners.forgotten).toBe(2);
    });

    it('does not call a verified licence valid outside its dates', async () => {
      const { service } = setup();
      const { id } = await service.add(
        pharmacy,
        input({ validFrom: new Date(Date.now() - 10 * DAY), validUntil: new Date(Date.now() - DAY) }),
      );
      await expect(service.verify(regulator, id)).resolves.toMatchObject({ status: LicenceStatus.VERIFIED, valid: false });
    });

    it('refuses an unknown licence as UNKNOWN_LICENCE, and a rejection without a reason before looking', async () => {
      const { licences, service } = setup();
      await expect(refusal(service.verify(regulator, randomUUID()))).resolves.toMatchObject({ code: LicenceErrorCode.UNKNOWN_LICENCE });
      await expect(refusal(service.reject(regulator, randomUUID(), 'no'))).resolves.toMatchObject({
        code: LicenceErrorCode.UNKNOWN_LICENCE,
      });
      const { id } = await service.add(pharmacy, input());
      await expect(refusal(service.reject(regulator, id, '   '))).resolves.toMatchObject({
        code: LicenceErrorCode.INVALID_LICENCE,
        details: { field: 'reason' },
      });
      expect(licences.rows.get(id)!.rejectedAt).toBeNull();
    });
  });

  describe('licencesOf', () => {
    it("answers each organization's licences, asking the repository once per request however many are listed", async () => {
      const { licences, service } = setup();
      const other = organization();
      await service.add(pharmacy, input());
      await service.add(pharmacy, input({ number: 'PH-2' }));
      await service.add(other, input());
      const request = {};
      const [mine, theirs, none] = await Promise.all([
        service.licencesOf(request, pharmacy.id),
        service.licencesOf(request, other.id),
        service.licencesOf(request, regulator.id),
      ]);
      expect(mine.map((l) => l.number)).toEqual(['PH-1234', 'PH-2']);
      expect(theirs).toHaveLength(1);
      expect(none).toEqual([]);
      expect(licences.batches).toEqual([[pharmacy.id, other.id, regulator.id]]);
    });

    it('reads afresh for another request, so a decision shows on the next one', async () => {
      const { licences, service } = setup();
      const { id } = await service.add(pharmacy, input());
      await expect(service.licencesOf({}, pharmacy.id)).resolves.toMatchObject([{ status: LicenceStatus.PENDING }]);
      await service.verify(regulator, id);
      await expect(service.licencesOf({}, pharmacy.id)).resolves.toMatchObject([{ status: LicenceStatus.VERIFIED }]);
      expect(licences.batches).toHaveLength(2);
    });
  });
});

import { HistoryVisibility, ReadGrant, ReadQuery } from '@pharmatrace/domain';
import type { ReadGrantRepository } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { AuthErrorCode } from '../common/auth.error';
import { FakeReadGrantRepository } from '../grants/read-grant.fake';
import { organization } from '../organizations/organization.fake';
import { PolicyError } from './policy.error';
import { ReadGrantDirectory } from './read-grant.directory';
import { ReadPolicyService } from './read-policy.service';

const NOW = new Date('2025-06-01T12:00:00Z');
const GTIN = '00614141123452';
const maker = organization({ name: 'Maker', role: 'MANUFACTURER', gln: '0614141000012', companyPrefixes: ['0614141'] });
const wholesaler = organization({ name: 'Wholesaler', role: 'DISTRIBUTOR', gln: '0614141000029' });
const pharmacy = organization({ name: 'Pharmacy', role: 'DISPENSER', gln: '0614141000036' });
const regulator = organization({ name: 'Regulator', role: 'REGULATOR', gln: '0614141000043' });

function setup(now = NOW) {
  const repository = new FakeReadGrantRepository(() => now);
  const directory = new ReadGrantDirectory(repository as unknown as ReadGrantRepository, () => now);
  return { repository, directory, policy: new ReadPolicyService(directory, () => now) };
}

/** The rejection of `promise`, failing the test if it resolves. */
async function refusal(promise: Promise<unknown>): Promise<PolicyError> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e) => e,
  );
}

describe('ReadPolicyService', () => {
  describe('history', () => {
    const pack = { gtin: GTIN, manufacturerId: maker.id };

    it("answers FULL to the GTIN's manufacturer and to a regulator, whatever they are party to", async () => {
      const { policy } = setup();
      const never = async (): Promise<string> => {
        throw new Error('lotOf asked without a lot grant');
      };
      await expect(policy.history(maker, 'epc', pack, never, 5, 0)).resolves.toBe(HistoryVisibility.FULL);
      await expect(policy.history(regulator, 'epc', pack, never, 5, 0)).resolves.toBe(HistoryVisibility.FULL);
    });

    it('cuts a stranger to its party events, and refuses one party to none with FORBIDDEN naming the pack', async () => {
      const { policy } = setup();
      await expect(policy.history(wholesaler, 'urn:epc:id:sgtin:0614141.112345.1', pack, async () => null, 5, 2)).resolves.toBe(
        HistoryVisibility.PARTY_EVENTS,
      );
      const error = await refusal(policy.history(wholesaler, 'urn:epc:id:sgtin:0614141.112345.1', pack, async () => null, 5, 0));
      expect(error).toBeInstanceOf(PolicyError);
      expect(error.code).toBe(AuthErrorCode.FORBIDDEN);
      expect(error.details).toEqual({ query: ReadQuery.HISTORY, rule: 'party-to-an-event' });
      expect(error.message).toContain('urn:epc:id:sgtin:0614141.112345.1');
    });

    it('answers an empty history FULL to anyone: it is no secret', async () => {
      await expect(setup().policy.history(pharmacy, 'epc', pack, async () => null, 0, 0)).resolves.toBe(HistoryVisibility.FULL);
    });

    it('opens the whole history to a grantee, and asks for the lot only when a lot grant names the GTIN', async () => {
      const { repository, policy } = setup();
      repository.seed({ granteeId: wholesaler.id, gtin: GTIN });
      let asked = 0;
      const lotOf = async () => {
        asked++;
        return 'L1';
      };
      await expect(policy.history(wholesaler, 'epc', pack, lotOf, 5, 0)).resolves.toBe(HistoryVisibility.FULL);
      expect(asked).toBe(0);

      const lotScoped = setup();
      lotScoped.repository.seed({ granteeId: wholesaler.id, gtin: GTIN, lot: 'L1' });
      await expect(lotScoped.policy.history(wholesaler, 'epc', pack, lotOf, 5, 0)).resolves.toBe(HistoryVisibility.FULL);
      expect(asked).toBe(1);
      await expect(refusal(lotScoped.policy.history(wholesaler, 'epc', pack, async () => 'L2', 5, 0))).resolves.toMatchObject({
        code: 'FORBIDDEN',
      });
    });

    it("decides grants on the injected clock, not the machine's", async () => {
      const { repository, policy } = setup(new Date('2030-01-01T00:00:00Z'));
      // Live by the machine's clock today, over by the server's (injected) one.
      repository.seed({ granteeId: wholesaler.id, gtin: GTIN, validFrom: new Date('2020-01-01'), validUntil: new Date('2029-01-01') });
      await expect(refusal(policy.history(wholesaler, 'epc', pack, async () => null, 3, 0))).resolves.toMatchObject({ code: 'FORBIDDEN' });

      const early = setup(new Date('2020-01-01T00:00:00Z'));
      early.repository.seed({
        granteeId: wholesaler.id,
        gtin: GTIN,
        validFrom: new Date('2024-01-01'),
        validUntil: new Date('2999-01-01'),
      });
      await expect(refusal(early.policy.history(wholesaler, 'epc', pack, async () => null, 3, 0))).resolves.toMatchObject({
        code: 'FORBIDDEN',
      });
    });

    it("ignores another organization's grant and a revoked one", async () => {
      const { repository, policy } = setup();
      repository.seed({ granteeId: pharmacy.id, gtin: GTIN });
      repository.seed({ granteeId: wholesaler.id, gtin: GTIN, revokedAt: new Date('2025-01-01'), revokedBy: maker.id });
      await expect(refusal(policy.history(wholesaler, 'epc', pack, async () => null, 3, 0))).resolves.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('obeys a new grant once the directory forgets the grantee', async () => {
      const { repository, directory, policy } = setup();
      await expect(policy.history(wholesaler, 'epc', pack, async () => null, 3, 1)).resolves.toBe(HistoryVisibility.PARTY_EVENTS);
      repository.seed({ granteeId: wholesaler.id, gtin: GTIN });
      // Still the cached answer: the directory keeps grants for a minute unless told.
      await expect(policy.history(wholesaler, 'epc', pack, async () => null, 3, 1)).resolves.toBe(HistoryVisibility.PARTY_EVENTS);
      directory.forget(wholesaler.id);
      await expect(policy.history(wholesaler, 'epc', pack, async () => null, 3, 1)).resolves.toBe(HistoryVisibility.FULL);
    });

    it('never refuses a reader party to an event, nor lets a stranger with no grant read it whole (property)', async () => {
      const { policy } = setup();
      const readers = fc.constantFrom(wholesaler, pharmacy, maker);
      await fc.assert(
        fc.asyncProperty(readers, fc.integer({ min: 1, max: 50 }), fc.nat(50), fc.boolean(), async (reader, events, party, owned) => {
          const subject = { gtin: GTIN, manufacturerId: owned ? reader.id : 'someone-else' };
          const answer = await policy.history(reader, 'epc', subject, async () => null, events, party).catch((e: PolicyError) => e.code);
          if (owned) expect(answer).toBe(HistoryVisibility.FULL);
          else expect(answer).toBe(party > 0 ? HistoryVisibility.PARTY_EVENTS : 'FORBIDDEN');
        }),
      );
    });
  });

  describe('lot', () => {
    it('reads the whole lot for the manufacturer, and the held packs for a holder', async () => {
      const { policy } = setup();
      await expect(policy.lot(maker, GTIN, 'L1', maker.id, 0)).resolves.toEqual({ kind: 'all' });
      await expect(policy.lot(pharmacy, GTIN, 'L1', maker.id, 3)).resolves.toEqual({ kind: 'own-custody', organizationId: pharmacy.id });
    });

    it('names the rule it refused on: own-gtin for a manufacturer, holds-a-pack for anyone else', async () => {
      const { policy } = setup();
      const otherMaker = organization({ name: 'Other Maker', role: 'MANUFACTURER' });
      // A manufacturer holding packs of another's GTIN still may not read the lot.
      await expect(refusal(policy.lot(otherMaker, GTIN, 'L1', maker.id, 4))).resolves.toMatchObject({
        code: 'FORBIDDEN',
        details: { query: ReadQuery.LOT, rule: 'own-gtin' },
      });
      await expect(refusal(policy.lot(pharmacy, GTIN, 'L1', maker.id, 0))).resolves.toMatchObject({
        code: 'FORBIDDEN',
        details: { query: ReadQuery.LOT, rule: 'holds-a-pack' },
      });
    });

    it('opens a lot to the grantee of that lot and not of another', async () => {
      const { repository, policy } = setup();
      repository.seed({ granteeId: pharmacy.id, gtin: GTIN, lot: 'L1' });
      await expect(policy.lot(pharmacy, GTIN, 'L1', maker.id, 0)).resolves.toEqual({ kind: 'all' });
      await expect(refusal(policy.lot(pharmacy, GTIN, 'L2', maker.id, 0))).resolves.toMatchObject({ code: 'FORBIDDEN' });
    });
  });

  describe('lists', () => {
    it('lets a regulator read every event, without a criterion', async () => {
      await expect(setup().policy.eventVisibility(regulator)).resolves.toBeUndefined();
    });

    it("narrows an event list to the caller, its GLN's patterns and its live grants", async () => {
      const { repository, policy } = setup();
      repository.seed({ granteeId: wholesaler.id, gtin: GTIN, lot: 'L1' });
      repository.seed({ granteeId: wholesaler.id, gtin: '00614141999996', validUntil: new Date('2025-01-01') });
      const visibility = await policy.eventVisibility(wholesaler);
      expect(visibility).toMatchObject({ organizationId: wholesaler.id, ownGtins: false, granted: [{ gtin: GTIN, lot: 'L1' }] });
      expect(visibility!.glnPatterns).toContain(`urn:epc:id:sgln:0614141.00002.%`);
      expect(visibility!.glnPatterns.every((p) => p.replace(/\./g, '').includes(wholesaler.gln.slice(0, 12)))).toBe(true);
      await expect(policy.eventVisibility(maker)).resolves.toMatchObject({ ownGtins: true, granted: [] });
    });

    it('scopes alerts to the involved organization, and opens them all to a regulator', async () => {
      const { repository, policy } = setup();
      repository.seed({ granteeId: pharmacy.id, gtin: GTIN });
      await expect(policy.alerts(pharmacy)).resolves.toEqual({
        kind: 'involved',
        organizationId: pharmacy.id,
        ownGtins: false,
        granted: [{ gtin: GTIN, lot: null }],
      });
      await expect(policy.alerts(regulator)).resolves.toEqual({ kind: 'all' });
    });
  });

  describe('custodyShown', () => {
    const pack = { gtin: GTIN, lot: 'L1', manufacturerId: maker.id };

    it('shows the custodian to itself and to the manufacturer, not to a stranger', async () => {
      const { policy } = setup();
      expect(await policy.custodyShown(pharmacy, pack, pharmacy.id)).toBe(true);
      expect(await policy.custodyShown(maker, pack, pharmacy.id)).toBe(true);
      expect(await policy.custodyShown(wholesaler, pack, pharmacy.id)).toBe(false);
      expect(await policy.custodyShown(wholesaler, pack, null)).toBe(false);
    });

    it("answers without a turn once the caller's grants are cached", async () => {
      const { repository, policy } = setup();
      repository.seed({ granteeId: wholesaler.id, gtin: GTIN });
      // The first read waits for the repository, later ones do not.
      await expect(policy.custodyShown(wholesaler, pack, pharmacy.id)).resolves.toBe(true);
      expect(policy.custodyShown(wholesaler, pack, pharmacy.id)).toBe(true);
    });

    it('decides on grants handed over synchronously as on awaited ones', () => {
      const grants: ReadGrant[] = [
        { granteeId: wholesaler.id, gtin: GTIN, lot: 'L2', validFrom: new Date(0), validUntil: new Date('2999-01-01'), revokedAt: null },
      ];
      const policy = new ReadPolicyService({ of: () => grants } as unknown as ReadGrantDirectory, () => NOW);
      expect(policy.custodyShown(wholesaler, pack, null)).toBe(false);
      expect(policy.custodyShown(wholesaler, { ...pack, lot: 'L2' }, null)).toBe(true);
    });
  });

  it('keeps the directory open to every role', () => {
    const { policy } = setup();
    for (const org of [maker, wholesaler, pharmacy, regulator]) expect(() => policy.organizations(org)).not.toThrow();
  });

  it('isPartyTo counts the capturer and any GLN the event names', () => {
    const { policy } = setup();
    const body = {
      readPoint: { id: 'urn:epc:id:sgln:0614141.00003.0' },
      destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:0614141.00004' }],
    };
    expect(policy.isPartyTo(maker, { capturedBy: maker.id, body: {} })).toBe(true);
    expect(policy.isPartyTo(pharmacy, { capturedBy: maker.id, body })).toBe(true);
    expect(policy.isPartyTo(regulator, { capturedBy: maker.id, body })).toBe(true);
    expect(policy.isPartyTo(wholesaler, { capturedBy: maker.id, body })).toBe(false);
  });
});

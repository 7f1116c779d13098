import type { Organization } from '@pharmatrace/domain';
import { Inject, Injectable } from '@nestjs/common';
import {
  AlertScope,
  decideRead,
  eventVisibility,
  HistoryVisibility,
  isPartyTo,
  LotScope,
  PackSubject,
  partyGlns,
  Reader,
  ReadGrant,
  ReadQuery,
} from '@pharmatrace/domain';
import type { AlertVisibility, EventCriteria } from '@pharmatrace/persistence';
import { Clock, CLOCK } from '../common/clock';
import { PolicyError } from './policy.error';
import { ReadGrantDirectory } from './read-grant.directory';

/**
 * Applies the one read rule of libs/domain read-policy (`decideRead`) to the caller and its live grants: the one place
 * the API decides who reads what. Lists are narrowed in their query (a list shows what the caller may read); a pack
 * or lot the caller may not read is refused with FORBIDDEN; an event it may not read is answered as absent.
 */
@Injectable()
export class ReadPolicyService {
  constructor(
    private readonly grants: ReadGrantDirectory,
    // Grants start and end on the server's clock, like every other time rule.
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  reader(org: Organization): Reader {
    return { organizationId: org.id, role: org.role, gln: org.gln };
  }

  /** The criterion narrowing an event list (or the lookup of one event) to what `org` may read; undefined for regulators. */
  async eventVisibility(org: Organization): Promise<EventCriteria['visibleTo']> {
    return eventVisibility(this.reader(org), await this.grants.of(org.id), this.clock());
  }

  isPartyTo(org: Organization, event: { capturedBy: string; body: Record<string, unknown> }): boolean {
    return isPartyTo(this.reader(org), { capturedBy: event.capturedBy, glns: partyGlns(event.body) });
  }

  /**
   * A pack's history (provenance and proof bundles alike). `lotOf` is asked only when a lot-scoped grant of the caller
   * names the pack's GTIN: nearly every read decides without it.
   */
  async history(
    org: Organization,
    epc: string,
    pack: Omit<PackSubject, 'lot'>,
    lotOf: () => Promise<string | null>,
    events: number,
    partyEvents: number,
  ): Promise<HistoryVisibility> {
    const grants = await this.grants.of(org.id);
    const lot = grants.some((g) => g.gtin === pack.gtin && g.lot !== null) ? await lotOf() : null;
    const visibility = decideRead(
      this.reader(org),
      // Not `{ ...pack, lot }`: a spread followed by a new field gives each object a hidden class of its own (custody.ts).
      { query: ReadQuery.HISTORY, pack: { gtin: pack.gtin, lot, manufacturerId: pack.manufacturerId }, historyEvents: events, partyEvents },
      grants,
      this.clock(),
    );
    if (visibility === HistoryVisibility.FORBIDDEN) {
      throw this.forbidden(
        ReadQuery.HISTORY,
        'party-to-an-event',
        `${org.name} is party to no event of ${epc}; its verdict is open to all through verify`,
      );
    }
    return visibility;
  }

  async lot(
    org: Organization,
    gtin: string,
    lot: string,
    manufacturerId: string | null,
    heldPacks: number,
  ): Promise<Exclude<LotScope, { kind: 'forbidden' }>> {
    const subject = { query: ReadQuery.LOT, pack: { gtin, lot, manufacturerId }, heldPacks } as const;
    const scope = decideRead(this.reader(org), subject, await this.grants.of(org.id), this.clock());
    if (scope.kind === 'forbidden') {
      throw this.forbidden(
        ReadQuery.LOT,
        org.role === 'MANUFACTURER' ? 'own-gtin' : 'holds-a-pack',
        `${org.name} may not read lot ${lot} of ${gtin}`,
      );
    }
    return scope;
  }

  async alerts(org: Organization): Promise<AlertVisibility> {
    const scope: AlertScope = decideRead(this.reader(org), { query: ReadQuery.ALERTS }, await this.grants.of(org.id), this.clock());
    return scope;
  }

  /**
   * Whether verify shows `org` the pack's custodian and container. Without waiting a turn when the caller's grants
   * are cached: this is the verification hot path.
   */
  custodyShown(org: Organization, pack: PackSubject, custodianId: string | null): boolean | Promise<boolean> {
    const decide = (grants: readonly ReadGrant[]) =>
      decideRead(this.reader(org), { query: ReadQuery.CUSTODY, pack, custodianId }, grants, this.clock());
    const grants = this.grants.of(org.id);
    return grants instanceof Promise ? grants.then(decide) : decide(grants);
  }

  organizations(org: Organization): void {
    if (!decideRead(this.reader(org), { query: ReadQuery.ORGANIZATIONS }, [], this.clock())) {
      throw this.forbidden(ReadQuery.ORGANIZATIONS, 'directory', `${org.name} may not read the directory`);
    }
  }

  private forbidden(query: ReadQuery, rule: string, message: string): PolicyError {
    return new PolicyError(message, { query, rule });
  }
}

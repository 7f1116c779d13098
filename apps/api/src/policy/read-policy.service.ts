import { Injectable } from '@nestjs/common';
import {
  alertScopeFor,
  eventScopeFor,
  glnLikePatterns,
  historyVisibility,
  HistoryVisibility,
  isPartyTo,
  lotScopeFor,
  LotScope,
  mayReadOrganizations,
  partyGlns,
  Reader,
  ReadQuery,
} from '@pharmatrace/domain';
import type { AlertVisibility, EventCriteria, OrganizationEntity } from '@pharmatrace/persistence';
import { PolicyError } from './policy.error';

/**
 * Applies the pure read rules of libs/domain read-policy to the caller: the one place the API decides who reads what.
 * Lists are narrowed in their query (documented: a list shows what the caller may read); a single item the caller
 * may not read is refused with FORBIDDEN.
 */
@Injectable()
export class ReadPolicyService {
  reader(org: OrganizationEntity): Reader {
    return { organizationId: org.id, role: org.role, gln: org.gln };
  }

  /** The criterion narrowing an event list to what `org` may read; undefined for regulators. */
  eventVisibility(org: OrganizationEntity): EventCriteria['visibleTo'] {
    const scope = eventScopeFor(this.reader(org));
    if (scope.kind === 'all') return undefined;
    return { organizationId: scope.organizationId, glnPatterns: glnLikePatterns(scope.gln), ownGtins: scope.kind === 'party-or-own-gtins' };
  }

  isPartyTo(org: OrganizationEntity, event: { capturedBy: string; body: Record<string, unknown> }): boolean {
    return isPartyTo(this.reader(org), { capturedBy: event.capturedBy, glns: partyGlns(event.body) });
  }

  history(org: OrganizationEntity, epc: string, manufacturerId: string | null, events: number, partyEvents: number): HistoryVisibility {
    const visibility = historyVisibility(this.reader(org), manufacturerId, events, partyEvents);
    if (visibility === HistoryVisibility.FORBIDDEN) {
      throw this.forbidden(ReadQuery.PROVENANCE, 'party-to-an-event', `${org.name} is party to no event of ${epc}; its verdict is open to all through verify`);
    }
    return visibility;
  }

  lot(org: OrganizationEntity, gtin: string, lot: string, manufacturerId: string | null, heldPacks: number): Exclude<LotScope, { kind: 'forbidden' }> {
    const scope = lotScopeFor(this.reader(org), manufacturerId, heldPacks);
    if (scope.kind === 'forbidden') {
      throw this.forbidden(ReadQuery.LOT, org.role === 'MANUFACTURER' ? 'own-gtin' : 'holds-a-pack', `${org.name} may not read lot ${lot} of ${gtin}`);
    }
    return scope;
  }

  alerts(org: OrganizationEntity): AlertVisibility {
    return alertScopeFor(this.reader(org));
  }

  organizations(org: OrganizationEntity): void {
    if (!mayReadOrganizations(this.reader(org))) throw this.forbidden(ReadQuery.ORGANIZATIONS, 'directory', `${org.name} may not read the directory`);
  }

  eventForbidden(org: OrganizationEntity, eventId: string): PolicyError {
    return this.forbidden(ReadQuery.EVENT, 'party-to-the-event', `${org.name} is not party to event ${eventId}`);
  }

  private forbidden(query: ReadQuery, rule: string, message: string): PolicyError {
    return new PolicyError(message, { query, rule });
  }
}

import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { CustodyEvent, deriveCustody, destinationGlnOf, HistoryVisibility } from '@pharmatrace/domain';
import { digestToHash, servedEvent } from '@pharmatrace/epcis';
import { canonicalEpc, Gs1Error } from '@pharmatrace/gs1';

import { ProofService } from '../anchoring/proof.service';
import { AnchorStatusEnum } from '../anchoring/proof.types';
import { OrganizationLoader } from '../policy/organization.loader';
import { HistoryEvent, PackHistoryService } from './pack-history.service';
import { connection, ConnectionArgs, pageRequest } from '../common/paging';
import { ProvenanceError, ProvenanceErrorCode } from './provenance.error';
import { EventCorrectionType } from '../events/events.types';
import { ProvenanceEventConnectionType, ProvenanceType } from './provenance.types';

const MAX_PAGE = 500;

@Injectable()
export class ProvenanceService {
  constructor(
    private readonly history: PackHistoryService,
    private readonly proofs: ProofService,
    private readonly organizations: OrganizationLoader,
  ) {}

  /**
   * The history is derived whole (custody and contradictions need every event), then cut to what the caller may read.
   * Flags are computed for display only: a read never writes. Contradictions are the capture rules' business, so an
   * alert does not depend on someone happening to read the pack.
   */
  async provenance(input: string, org: Organization, request: object): Promise<ProvenanceType> {
    const epc = this.canonical(input);
    const { history, visible, visibility } = await this.history.readable(epc, org);
    const full = visibility === HistoryVisibility.FULL;
    const [capturers, proofs] = await Promise.all([
      this.organizations.loadMany(request, [...new Set(history.map((h) => h.event.capturedBy))]),
      this.proofs.proofsFor(visible.map((h) => h.event)),
    ]);
    const derived = deriveCustody(history.map((h) => this.custodyEvent(h, capturers)));
    const refs = new Set(visible.map((h) => digestToHash(h.event.hash)));
    return {
      epc,
      visibility,
      events: visible.map(({ event: e, via }) => ({
        eventHash: digestToHash(e.hash),
        eventType: e.eventType,
        action: e.action ?? undefined,
        bizStep: e.bizStep ?? undefined,
        disposition: e.disposition ?? undefined,
        eventTime: e.eventTime,
        recordTime: e.recordTime,
        readPoint: e.readPoint ?? undefined,
        bizLocation: e.bizLocation ?? undefined,
        via,
        event: servedEvent({ body: e.body, ignoreFields: e.ignoreFields, errorDeclaration: e.corrections.at(-1)?.errorDeclaration }),
        corrections: e.corrections.map(EventCorrectionType.from),
        anchorStatus: (e.batch?.status ?? 'UNBATCHED') as AnchorStatusEnum,
        proof: proofs.get(e.id),
      })),
      custody: derived.custody
        .filter((c) => full || c.holderId === org.id || (c.shipmentRef !== null && refs.has(c.shipmentRef)))
        .map((c) => ({
          holderId: c.holderId,
          location: c.location ?? undefined,
          from: c.from,
          to: c.to ?? undefined,
          inTransit: c.inTransit,
          shipment: c.shipmentRef ?? undefined,
          destinationGln: c.destinationGln ?? undefined,
        })),
      aggregation: derived.aggregation
        .filter((a) => full || refs.has(a.packRef) || (a.unpackRef !== null && refs.has(a.unpackRef)))
        .map((a) => ({
          epc: a.epc,
          container: a.container,
          packedAt: a.packedAt,
          unpackedAt: a.unpackedAt ?? undefined,
          packedById: a.packedBy,
          unpackedById: a.unpackedBy,
          packEvent: a.packRef,
          unpackEvent: a.unpackRef ?? undefined,
        })),
      flags: derived.flags
        .filter((f) => full || refs.has(f.eventRef))
        .map((f) => ({ actorId: f.actorId, code: f.code, event: f.eventRef, at: f.at, message: f.message })),
    };
  }

  /** A page of the events already read, by position: a cursor is the hash of an event of this history. */
  page(provenance: ProvenanceType, args: ConnectionArgs): ProvenanceEventConnectionType {
    const request = pageRequest(args);
    const { size, sizeField, cursor, cursorField } = request;
    // Refused, not quietly brought into range: a client asking for 0 or 10,000 must learn it gets something else.
    if (size !== null && !(Number.isInteger(size) && size >= 1 && size <= MAX_PAGE)) {
      throw new ProvenanceError(ProvenanceErrorCode.INVALID_PROVENANCE_PAGE, `${sizeField}: must be an integer from 1 to ${MAX_PAGE}`, {
        field: sizeField,
        rule: 'range',
      });
    }
    const events = provenance.events;
    const hash = cursor === null ? null : Buffer.from(cursor, 'base64url').toString('utf8');
    const at = hash === null ? -1 : events.findIndex((e) => e.eventHash === hash);
    if (hash !== null && at < 0) {
      throw new ProvenanceError(ProvenanceErrorCode.INVALID_PROVENANCE_CURSOR, `${cursorField}: not a cursor of this history`, {
        field: cursorField,
        rule: 'cursor',
      });
    }
    const count = size ?? MAX_PAGE;
    const forward = request.direction === 'forward';
    const end = forward ? Math.min(at + 1 + count, events.length) : hash === null ? events.length : at;
    const start = forward ? at + 1 : Math.max(end - count, 0);
    const edges = events.slice(start, end).map((node) => ({ cursor: Buffer.from(node.eventHash).toString('base64url'), node }));
    const hasMore = forward ? end < events.length : start > 0;
    // Field by field: `{ ...page, totalCount }` would give each page a hidden class of its own (custody.ts).
    const page = connection(request, edges, hasMore);
    return { edges: page.edges, pageInfo: page.pageInfo, totalCount: events.length };
  }

  private custodyEvent(h: HistoryEvent, capturers: Map<string, Organization>): CustodyEvent {
    const e = h.event;
    return {
      id: e.id,
      ref: digestToHash(e.hash),
      eventType: e.eventType,
      action: e.action,
      bizStep: e.bizStep,
      disposition: e.disposition,
      eventTime: e.eventTime,
      capturedBy: e.capturedBy,
      capturedByGln: capturers.get(e.capturedBy)?.gln ?? null,
      bizLocation: e.bizLocation,
      destinationGln: destinationGlnOf(e.body),
      via: h.via,
      role: h.role,
      parent: h.parent,
    };
  }

  private canonical(input: string): string {
    try {
      return canonicalEpc(input.trim());
    } catch (e) {
      if (e instanceof Gs1Error)
        throw new ProvenanceError(ProvenanceErrorCode.INVALID_EPC, `epc: ${e.message}`, { field: 'epc', rule: e.rule });
      throw e;
    }
  }
}

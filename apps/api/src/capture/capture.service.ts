import { Inject, Injectable } from '@nestjs/common';
import { applyEvents, cbvShortName, ItemIdentity, Violation } from '@pharmatrace/domain';
import { EpcisValidator, eventHashes, eventsOf, eventTimeOf, extractEpcs, hashDigest } from '@pharmatrace/epcis';
import { canonicalEpc, Gs1Error, parseEpc } from '@pharmatrace/gs1';
import { EpcRole, EventRepository, NewEvent, OrganizationEntity, VerificationRepository } from '@pharmatrace/persistence';
import { CaptureError, CaptureErrorCode, CaptureIssue } from './capture.error';
import { CaptureResult } from './capture.types';
import { eventFacts, idOf } from './event-facts';

const ROLE_FIELD: Record<EpcRole, string> = {
  epc: 'epcList',
  parent: 'parentID',
  child: 'childEPCs',
  input: 'inputEPCList',
  output: 'outputEPCList',
};

/** What the state rules need to know of an EPC they have not seen before. */
export function identify(epc: string): ItemIdentity {
  const parsed = parseEpc(epc);
  if (parsed.kind === 'sgtin') return { kind: 'sgtin', gtin: parsed.gtin, serial: parsed.serial };
  if (parsed.kind === 'sscc') return { kind: 'sscc', gtin: null, serial: null };
  return { kind: 'other', gtin: null, serial: null };
}

export const EPCIS_VALIDATOR = Symbol('EPCIS_VALIDATOR');

const VIOLATION_TEXT: Record<Violation['code'], string> = {
  ALREADY_DISPENSED: 'it was dispensed already',
  PACK_INACTIVE: 'its status cannot change any more',
  UNDO_WINDOW_EXCEEDED: 'a status can be undone within 10 days only',
  UNDO_BY_OTHER_LOCATION: 'only the location that set the status may undo it',
};

class StatusConflict extends Error {
  constructor(readonly violations: (Violation & { index: number })[]) {
    super('status rules broken');
  }
}

@Injectable()
export class CaptureService {
  constructor(
    @Inject(EPCIS_VALIDATOR) private readonly validator: EpcisValidator,
    private readonly events: EventRepository,
    private readonly alerts: VerificationRepository,
  ) {}

  async capture(org: OrganizationEntity, document: unknown): Promise<CaptureResult> {
    const schemaIssues = this.validator.validateDocument(document);
    if (schemaIssues.length) throw new CaptureError(CaptureErrorCode.INVALID_DOCUMENT, schemaIssues);

    const raw = eventsOf(document) as Record<string, any>[];
    const hashes = eventHashes(document).map((h) => h.hash);
    const context = (document as Record<string, unknown>)['@context'];
    const issues: CaptureIssue[] = [];
    const forbidden: CaptureIssue[] = [];
    const prepared: NewEvent[] = [];

    raw.forEach((event, index) => {
      const epcs: { epc: string; role: EpcRole }[] = [];
      const positions = new Map<EpcRole, number>();
      for (const { epc, role } of extractEpcs(event)) {
        const position = positions.get(role) ?? 0;
        positions.set(role, position + 1);
        const field = role === 'parent' ? `/${ROLE_FIELD[role]}` : `/${ROLE_FIELD[role]}/${position}`;
        try {
          epcs.push({ epc: canonicalEpc(epc), role });
        } catch (e) {
          if (!(e instanceof Gs1Error)) throw e;
          issues.push({ eventIndex: index, field, rule: e.rule ?? e.code, message: `${JSON.stringify(epc)}: ${e.message}` });
        }
      }
      if (cbvShortName(event.bizStep) === 'commissioning') forbidden.push(...this.commissioningIssues(org, index, epcs));
      let eventTime: Date;
      try {
        eventTime = eventTimeOf(event);
      } catch (e) {
        issues.push({ eventIndex: index, field: '/eventTime', rule: 'format', message: (e as Error).message });
        return;
      }
      prepared.push({
        documentIndex: index,
        hash: Buffer.from(hashDigest(hashes[index])),
        eventType: event.type,
        action: event.action ?? null,
        bizStep: event.bizStep ?? null,
        disposition: event.disposition ?? null,
        eventTime,
        readPoint: idOf(event.readPoint),
        bizLocation: idOf(event.bizLocation),
        body: event['@context'] || !context ? event : { '@context': context, ...event },
        epcs,
        facts: eventFacts(event, eventTime, org.id, epcs),
      });
    });
    if (issues.length) throw new CaptureError(CaptureErrorCode.INVALID_DOCUMENT, issues);
    if (forbidden.length) throw new CaptureError(CaptureErrorCode.CAPTURE_FORBIDDEN, forbidden);

    const outcome = await this.events
      .capture(org.id, prepared, (current, facts, documentIndexOf) => {
        const applied = applyEvents(current, facts, identify);
        if (applied.violations.length) throw new StatusConflict(applied.violations.map((v) => ({ ...v, index: documentIndexOf(v.eventId) })));
        return applied;
      })
      .catch((e) => (e instanceof StatusConflict ? this.refuseConflict(org, e) : Promise.reject(e)));
    return { capturedCount: outcome.inserted.length, duplicateCount: prepared.length - outcome.inserted.length, eventHashes: hashes };
  }

  /** The whole capture was rolled back; the attempt itself is evidence, kept as alerts for the manufacturer and regulators. */
  private async refuseConflict(org: OrganizationEntity, conflict: StatusConflict): Promise<never> {
    for (const v of conflict.violations) {
      const parsed = parseEpc(v.epc);
      await this.alerts.recordAlert({
        code: v.code,
        epc: v.epc,
        gtin: parsed.kind === 'sgtin' ? parsed.gtin : null,
        actorId: org.id,
        details: { status: v.status, eventIndex: v.index, by: org.name },
      });
    }
    throw new CaptureError(
      CaptureErrorCode.CAPTURE_CONFLICT,
      conflict.violations.map((v) => ({
        eventIndex: v.index,
        field: '/epcList',
        rule: v.code,
        message: `${v.epc} is ${v.status}: ${VIOLATION_TEXT[v.code]}`,
      })),
    );
  }

  /** Only a manufacturer commissions, and only GTINs under its own company prefixes. */
  private commissioningIssues(org: OrganizationEntity, index: number, epcs: { epc: string; role: EpcRole }[]): CaptureIssue[] {
    if (org.role !== 'MANUFACTURER') {
      return [{ eventIndex: index, field: '/bizStep', rule: 'commissioning-role', message: `only a MANUFACTURER may commission; ${org.name} is a ${org.role}` }];
    }
    const out: CaptureIssue[] = [];
    epcs.forEach(({ epc }, i) => {
      const parsed = parseEpc(epc);
      if (parsed.kind !== 'sgtin') return;
      const gtin13 = parsed.gtin.slice(1);
      if (!org.companyPrefixes.some((p) => gtin13.startsWith(p))) {
        out.push({
          eventIndex: index,
          field: `/epcList/${i}`,
          rule: 'company-prefix',
          message: `GTIN ${parsed.gtin} is not under ${org.name}'s company prefixes (${org.companyPrefixes.join(', ')})`,
        });
      }
    });
    return out;
  }
}

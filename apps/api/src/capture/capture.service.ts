import { Inject, Injectable } from '@nestjs/common';
import { applyEvents, cbvShortName, ItemIdentity } from '@pharmatrace/domain';
import { EpcisValidator, eventHashes, eventsOf, eventTimeOf, extractEpcs, hashDigest } from '@pharmatrace/epcis';
import { canonicalEpc, Gs1Error, parseEpc } from '@pharmatrace/gs1';
import { EpcRole, EventRepository, NewEvent, OrganizationEntity } from '@pharmatrace/persistence';
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

@Injectable()
export class CaptureService {
  constructor(
    @Inject(EPCIS_VALIDATOR) private readonly validator: EpcisValidator,
    private readonly events: EventRepository,
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

    const outcome = await this.events.capture(org.id, prepared, (current, facts) => applyEvents(current, facts, identify));
    return { capturedCount: outcome.inserted.length, duplicateCount: prepared.length - outcome.inserted.length, eventHashes: hashes };
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

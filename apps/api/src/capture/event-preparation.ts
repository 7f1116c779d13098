import { applyEvents, cbvShortName, ItemIdentity, Violation } from '@pharmatrace/domain';
import { eventTimeOf, extractEpcs, hashDigest } from '@pharmatrace/epcis';
import { canonicalEpc, Gs1Error, parseEpc, validateAiValue } from '@pharmatrace/gs1';
import { EpcRole, NewEvent, OrganizationEntity, StateReducer, VerificationRepository } from '@pharmatrace/persistence';
import { CaptureError, CaptureErrorCode, CaptureIssue } from './capture.error';
import { eventFacts, idOf, ilmdKey } from './event-facts';

/**
 * Per-event capture rules shared by the whole-document capture (CaptureService) and the streamed one
 * (CaptureStreamService), so a document is judged the same whichever way it arrives.
 */

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

export interface PreparedEvent {
  /** Null when `issues` or `forbidden` name a problem. */
  event: NewEvent | null;
  /** GS1 and format rules broken: INVALID_DOCUMENT. */
  issues: CaptureIssue[];
  /** Authorisation rules broken: CAPTURE_FORBIDDEN. */
  forbidden: CaptureIssue[];
}

/**
 * Checks one schema-valid event (EPCs parsed and canonical, commissioning allowed to `org`, event time
 * readable) and turns it into the row to store. `context` is the document's @context, kept with the event
 * when the event has none of its own so the stored body hashes the same on its own.
 */
export function prepareEvent(org: OrganizationEntity, raw: Record<string, any>, index: number, hash: string, context: unknown): PreparedEvent {
  const issues: CaptureIssue[] = [];
  const epcs: { epc: string; role: EpcRole }[] = [];
  const positions = new Map<EpcRole, number>();
  for (const { epc, role } of extractEpcs(raw)) {
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
  const forbidden = cbvShortName(raw.bizStep) === 'commissioning' ? commissioningIssues(org, index, epcs) : [];
  if (cbvShortName(raw.bizStep) === 'commissioning') issues.push(...lotIssues(raw, index));
  let eventTime: Date;
  try {
    eventTime = eventTimeOf(raw);
  } catch (e) {
    issues.push({ eventIndex: index, field: '/eventTime', rule: 'format', message: (e as Error).message });
    return { event: null, issues, forbidden };
  }
  if (issues.length || forbidden.length) return { event: null, issues, forbidden };
  return {
    event: {
      documentIndex: index,
      hash: Buffer.from(hashDigest(hash)),
      eventType: raw.type,
      action: raw.action ?? null,
      bizStep: raw.bizStep ?? null,
      disposition: raw.disposition ?? null,
      eventTime,
      readPoint: idOf(raw.readPoint),
      bizLocation: idOf(raw.bizLocation),
      body: raw['@context'] || !context ? raw : { '@context': context, ...raw },
      epcs,
      facts: eventFacts(raw, eventTime, org.id, epcs),
    },
    issues,
    forbidden,
  };
}

/** Only a manufacturer commissions, and only GTINs under its own company prefixes. */
function commissioningIssues(org: OrganizationEntity, index: number, epcs: { epc: string; role: EpcRole }[]): CaptureIssue[] {
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

/**
 * A lot is recalled by its AI (10) value (recallLot checks it with the same rule), so a lot number recallLot would
 * refuse is refused at commissioning: otherwise its packs could never be recalled.
 */
function lotIssues(raw: Record<string, any>, index: number): CaptureIssue[] {
  const key = ilmdKey(raw.ilmd, 'lotNumber');
  if (key === null) return [];
  const field = `/ilmd/${key}`;
  const lot: unknown = raw.ilmd[key];
  if (typeof lot !== 'string') return [{ eventIndex: index, field, rule: 'type', message: 'the lot number must be a string (GS1 AI 10)' }];
  try {
    validateAiValue('10', lot);
    return [];
  } catch (e) {
    if (!(e instanceof Gs1Error)) throw e;
    return [{ eventIndex: index, field, rule: e.rule, message: `${JSON.stringify(lot)}: ${e.message}` }];
  }
}

const VIOLATION_TEXT: Record<Violation['code'], string> = {
  ALREADY_DISPENSED: 'it was dispensed already',
  PACK_INACTIVE: 'its status cannot change any more',
  UNDO_WINDOW_EXCEEDED: 'a status can be undone within 10 days only',
  UNDO_BY_OTHER_LOCATION: 'only the location that set the status may undo it',
};

/** Thrown from inside the storing transaction so it rolls back; turned into CAPTURE_CONFLICT by refuseConflict. */
export class StatusConflict extends Error {
  constructor(readonly violations: (Violation & { index: number })[]) {
    super('status rules broken');
  }
}

/** The pack-state reducer both capture paths hand to EventRepository: any status rule broken aborts the capture. */
export const strictStateReducer: StateReducer = (current, facts, documentIndexOf) => {
  const applied = applyEvents(current, facts, identify);
  if (applied.violations.length) throw new StatusConflict(applied.violations.map((v) => ({ ...v, index: documentIndexOf(v.eventId) })));
  return applied;
};

/** The capture was rolled back; the attempt itself is evidence, kept as alerts for the manufacturer and regulators. */
export async function refuseConflict(alerts: VerificationRepository, org: OrganizationEntity, conflict: StatusConflict): Promise<never> {
  for (const v of conflict.violations) {
    const parsed = parseEpc(v.epc);
    await alerts.recordAlert({
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

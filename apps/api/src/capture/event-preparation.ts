import type { Organization } from '@pharmatrace/domain';
import {
  Actor,
  applyEvents,
  AuthorityCode,
  cbvShortName,
  EventFacts,
  ItemIdentity,
  RecordContext,
  RefusalCode,
  TradingPartnerLicences,
  UNDO_WINDOW_DAYS,
  Violation,
} from '@pharmatrace/domain';
import { eventTimeOf, extractEpcs, hashDigest, parseIsoDate, parseZonedDateTime } from '@pharmatrace/epcis';
import { type Epc, epcToDigitalLink, Gs1Error, parseEpc, validateAiValue } from '@pharmatrace/gs1';
import {
  ConcurrentStatesError,
  EpcRole,
  ErrorDeclaration,
  ForeignCorrectionError,
  NewEvent,
  StateReducer,
  VerificationRepository,
} from '@pharmatrace/persistence';
import { CaptureError, CaptureErrorCode, CaptureIssue } from './capture.error';
import { eventFacts, idOf, ilmdKey, ValidatedEvent } from './event-facts';

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
  return identityOf(parseEpc(epc));
}

function identityOf(parsed: Epc): ItemIdentity {
  if (parsed.kind === 'sgtin') return { kind: 'sgtin', gtin: parsed.gtin, serial: parsed.serial };
  if (parsed.kind === 'sscc') return { kind: 'sscc', gtin: null, serial: null };
  return { kind: 'other', gtin: null, serial: null };
}

export interface PreparedEvent {
  /** Null when `issues` name a problem. */
  event: NewEvent | null;
  /** GS1 and format rules broken: INVALID_DOCUMENT. */
  issues: CaptureIssue[];
}

/**
 * Checks one schema-valid event (EPCs parsed and canonical, event time readable) and turns it into the row to
 * store; who may record it is judged with the pack states, inside the storing transaction (stateReducerFor).
 * `context` is the document's @context, kept with the event when the event has none of its own so the stored body
 * hashes the same on its own; `ignoreFields` the extension fields the document left out of its hash (expanded), kept
 * for the same reason.
 */
export function prepareEvent(
  org: Organization,
  raw: ValidatedEvent,
  index: number,
  hash: string,
  context: unknown,
  ignoreFields: string[],
): PreparedEvent {
  const issues: CaptureIssue[] = [];
  const epcs: { epc: string; role: EpcRole }[] = [];
  const positions = new Map<EpcRole, number>();
  const identities = new Map<string, ItemIdentity>();
  for (const { epc, role } of extractEpcs(raw)) {
    const position = positions.get(role) ?? 0;
    positions.set(role, position + 1);
    try {
      const parsed = parseEpc(epc);
      const canonical = epcToDigitalLink(parsed);
      epcs.push({ epc: canonical, role });
      identities.set(canonical, identityOf(parsed));
    } catch (e) {
      if (!(e instanceof Gs1Error)) throw e;
      const field = role === 'parent' ? `/${ROLE_FIELD[role]}` : `/${ROLE_FIELD[role]}/${position}`;
      issues.push({ eventIndex: index, field, rule: e.rule ?? e.code, message: `${JSON.stringify(epc)}: ${e.message}` });
    }
  }
  if (cbvShortName(raw.bizStep) === 'commissioning') issues.push(...lotIssues(raw, index));
  issues.push(...expiryIssues(raw, index));
  const declaration = errorDeclarationOf(raw, index, issues);
  let eventTime: Date;
  try {
    eventTime = eventTimeOf(raw);
  } catch (e) {
    issues.push({ eventIndex: index, field: '/eventTime', rule: 'format', message: (e as Error).message });
    return { event: null, issues };
  }
  if (issues.length) return { event: null, issues };
  const facts = eventFacts(raw, eventTime, org.id, epcs, identities);
  return {
    event: {
      documentIndex: index,
      hash: hashDigest(hash),
      eventType: raw.type,
      action: raw.action ?? null,
      // Stored canonical, so queries match every spelling of a step; the body keeps what was sent.
      bizStep: facts.bizStep,
      disposition: facts.disposition,
      eventTime,
      readPoint: idOf(raw.readPoint),
      bizLocation: idOf(raw.bizLocation),
      body: raw['@context'] || !context ? raw : { '@context': context, ...raw },
      ignoreFields,
      epcs,
      facts,
      errorDeclaration: declaration,
    },
    issues,
  };
}

/**
 * What an errorDeclaration says, kept with the correction it makes of the stored event with the same hash. Its
 * declarationTime orders the corrections of one event, so it must be a real instant with its offset.
 */
function errorDeclarationOf(raw: ValidatedEvent, index: number, issues: CaptureIssue[]): ErrorDeclaration | null {
  const declaration = raw.errorDeclaration;
  if (declaration === undefined) return null;
  const declarationTime = typeof declaration?.declarationTime === 'string' ? parseZonedDateTime(declaration.declarationTime) : null;
  if (!declarationTime) {
    issues.push({
      eventIndex: index,
      field: '/errorDeclaration/declarationTime',
      rule: 'format:date-time',
      message: 'declarationTime must be a date-time with its offset',
    });
    return null;
  }
  const ids: unknown[] = Array.isArray(declaration.correctiveEventIDs) ? declaration.correctiveEventIDs : [];
  return {
    declarationTime,
    reason: typeof declaration.reason === 'string' ? declaration.reason : null,
    correctiveEventIds: ids.filter((id): id is string => typeof id === 'string'),
  };
}

/**
 * A lot is recalled by its AI (10) value (recallLot checks it with the same rule), so a lot number recallLot would
 * refuse is refused at commissioning: otherwise its packs could never be recalled.
 */
function lotIssues(raw: ValidatedEvent, index: number): CaptureIssue[] {
  const key = ilmdKey(raw.ilmd, 'lotNumber');
  if (key === null) return [];
  const field = `/ilmd/${key}`;
  const lot: unknown = raw.ilmd![key];
  if (typeof lot !== 'string') return [{ eventIndex: index, field, rule: 'type', message: 'the lot number must be a string (GS1 AI 10)' }];
  try {
    validateAiValue('10', lot);
    return [];
  } catch (e) {
    if (!(e instanceof Gs1Error)) throw e;
    return [{ eventIndex: index, field, rule: e.rule, message: `${JSON.stringify(lot)}: ${e.message}` }];
  }
}

/**
 * An expiry is stored as a date (and read by FMD checks), so one written as a date must be a real one: the
 * database refuses 2028-02-30, and that refusal must be this 400, not a 500 after the work is done.
 */
function expiryIssues(raw: ValidatedEvent, index: number): CaptureIssue[] {
  const key = ilmdKey(raw.ilmd, 'itemExpirationDate');
  const expiry: unknown = key === null ? undefined : raw.ilmd![key];
  if (typeof expiry !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(expiry) || parseIsoDate(expiry)) return [];
  return [{ eventIndex: index, field: `/ilmd/${key}`, rule: 'format:date', message: `${JSON.stringify(expiry)} is no calendar date` }];
}

const REFUSAL_TEXT: Record<RefusalCode, string> = {
  ALREADY_DISPENSED: 'it was dispensed already',
  PACK_INACTIVE: 'its status cannot change any more',
  UNDO_WINDOW_EXCEEDED: `a status can be undone within ${UNDO_WINDOW_DAYS} days of being recorded only`,
  UNDO_BY_OTHER_LOCATION: 'only the location that set the status may undo it',
  SERIAL_EXISTS: 'this serial was commissioned already, by another event',
  QUARANTINED: 'an exception case holds it in quarantine: it may not be shipped, dispensed or otherwise supplied until the case clears it',
  NOT_MANUFACTURER: "only the manufacturer owning the GTIN's company prefix may do this (to lock, also a regulator)",
  NOT_CUSTODIAN: 'only its current custodian may do this',
  NOT_DESTINATION: 'only the party a shipment in transit is addressed to may receive it',
  NOT_AUTHORIZED_ROLE: 'its custodian may do this only in another role',
  FUTURE_EVENT: "eventTime is ahead of the server's clock by more than the allowed skew",
  UNLICENSED_TRADING_PARTNER: 'the trading partner (the addressee of a shipment, the shipper of a receipt) holds no valid verified licence',
};

const AUTHORITY_CODES: ReadonlySet<string> = new Set(Object.values(AuthorityCode));

/** One refused item of one event, placed in the document. */
export interface Refusal {
  index: number;
  field: string;
  code: RefusalCode;
  epc: string | null;
  message: string;
}

/** Thrown from inside the storing transaction so it rolls back; answered by refuseCapture. */
export class CaptureRefused extends Error {
  constructor(readonly refusals: Refusal[]) {
    super('capture refused');
  }
}

/** Where in its event a refused EPC sits, as a JSON pointer. */
function fieldOf(facts: EventFacts, v: Violation): string {
  if (v.code === AuthorityCode.FUTURE_EVENT) return '/eventTime';
  if (v.epc === null) return '/epcList';
  if (v.epc === facts.parent) return '/parentID';
  const child = facts.children.indexOf(v.epc);
  if (child >= 0) return `/childEPCs/${child}`;
  const at = facts.epcs.indexOf(v.epc);
  return at >= 0 ? `/epcList/${at}` : '/epcList';
}

function messageOf(v: Violation, facts: EventFacts, context: RecordContext): string {
  const what = v.epc === null ? 'the event' : v.status ? `${v.epc} (${v.status})` : v.epc;
  const detail =
    v.code === AuthorityCode.FUTURE_EVENT
      ? ` (${context.recordTime.toISOString()} + ${context.maxFutureSkewMs} ms)`
      : v.code === AuthorityCode.NOT_AUTHORIZED_ROLE
        ? `, not as a ${context.actorOf(facts.capturedBy).role}`
        : v.code === AuthorityCode.UNLICENSED_TRADING_PARTNER && cbvShortName(facts.bizStep) === 'shipping'
          ? ` (${facts.destination})`
          : v.quarantine
            ? ` (case ${v.quarantine.caseNumber}${v.quarantine.epc === v.epc ? '' : `, holding ${v.quarantine.epc} inside it`})`
            : '';
  return `${what}: ${REFUSAL_TEXT[v.code]}${detail}`;
}

/**
 * The pack-state reducer every capture path hands to EventRepository, for `actor` recording at `recordTime` by the
 * server's clock: an authority, clock, status or quarantine rule broken aborts the whole capture. `holds`: the exception
 * cases holding the items, read by the repository under the same lock as their states.
 */
export function stateReducerFor(context: RecordContext): StateReducer {
  return (current, facts, documentIndexOf, holds) => {
    const applied = applyEvents(current, facts, identify, holds.size ? { ...context, quarantined: holds } : context);
    if (!applied.violations.length) return applied;
    const byId = new Map(facts.map((f) => [f.eventId, f]));
    throw new CaptureRefused(
      applied.violations.map((v) => ({
        index: documentIndexOf(v.eventId),
        field: fieldOf(byId.get(v.eventId)!, v),
        code: v.code,
        epc: v.epc,
        message: messageOf(v, byId.get(v.eventId)!, context),
      })),
    );
  };
}

/** A capture by `org`, recorded at `recordTime` by the server's clock: every event in it is the organization's. */
export function recordContext(
  org: Organization,
  recordTime: Date,
  maxFutureSkewMs: number,
  licences: TradingPartnerLicences,
): RecordContext {
  const actor: Actor = { id: org.id, role: org.role, gln: org.gln, companyPrefixes: org.companyPrefixes };
  return { actorOf: () => actor, recordTime, maxFutureSkewMs, licences };
}

function gtinOf(epc: string | null): string | null {
  if (epc === null) return null;
  try {
    const parsed = parseEpc(epc);
    return parsed.kind === 'sgtin' ? parsed.gtin : null;
  } catch (e) {
    if (e instanceof Gs1Error) return null;
    throw e;
  }
}

/**
 * The capture was rolled back; the attempt itself is evidence, kept as alerts for the manufacturer and regulators.
 * Refused for who sent it (an AuthorityCode anywhere): CAPTURE_FORBIDDEN; for what the packs' states forbid:
 * CAPTURE_CONFLICT. Each issue names the event, field and rule.
 */
export async function refuseCapture(alerts: VerificationRepository, org: Organization, refused: CaptureRefused): Promise<never> {
  for (const r of refused.refusals) {
    await alerts.recordAlert({
      code: r.code,
      epc: r.epc,
      gtin: gtinOf(r.epc),
      actorId: org.id,
      details: { eventIndex: r.index, by: org.name, message: r.message },
    });
  }
  const forbidden = refused.refusals.some((r) => AUTHORITY_CODES.has(r.code));
  throw new CaptureError(
    forbidden ? CaptureErrorCode.CAPTURE_FORBIDDEN : CaptureErrorCode.CAPTURE_CONFLICT,
    refused.refusals.map((r) => ({ eventIndex: r.index, field: r.field, rule: r.code, message: r.message })),
  );
}

/**
 * What a failed storing attempt answers: a declaration of another organization's event refused (foreignCorrection),
 * items created by other captures at the same moment a conflict to send again; anything else as it is.
 */
export function storeFailure(e: unknown): unknown {
  if (e instanceof ForeignCorrectionError) return foreignCorrection(e);
  if (e instanceof ConcurrentStatesError) {
    return new CaptureError(CaptureErrorCode.CAPTURE_CONFLICT, [
      { eventIndex: null, field: '', rule: 'concurrent-capture', message: `${e.message}: send it again` },
    ]);
  }
  return e;
}

/** Declaring another organization's event in error: refused, naming each declaring event. */
export function foreignCorrection(e: ForeignCorrectionError): CaptureError {
  return new CaptureError(
    CaptureErrorCode.CORRECTION_FORBIDDEN,
    e.documentIndexes.map((index) => ({ eventIndex: index, field: '/errorDeclaration', rule: 'declared-by-capturer', message: e.message })),
  );
}

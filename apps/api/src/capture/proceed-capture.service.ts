import type { Organization } from '@pharmatrace/domain';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import {
  digestToHash,
  type DocumentHeaderSink,
  EpcisValidationError,
  eventsOf,
  isReadFromXml,
  slicer,
  type StreamedEpcisEvent,
} from '@pharmatrace/epcis';
import {
  CAPTURE_CHUNK_EVENTS,
  EventRepository,
  ForeignCorrectionError,
  NewEvent,
  StateReducer,
  VerificationRepository,
} from '@pharmatrace/persistence';
import { isIgnoreFieldsKey } from 'pharmatrace-verify/cbv';
import { AppError } from '../common/app.error';
import { CLOCK, Clock } from '../common/clock';
import { TradingPartnerLoader } from '../licences/trading-partner.loader';
import { MasterDataService } from '../master-data/master-data.service';
import { ApiMetrics } from '../metrics/api.metrics';
import { CaptureError, CaptureErrorCode, CaptureIssue } from './capture.error';
import { CaptureStreamService } from './capture-stream.service';
import { CaptureRefused, foreignCorrection, recordContext, refuseCapture, stateReducerFor, storeFailure } from './event-preparation';

/** One refused event (or, with `eventIndex: null` issues, the unreadable rest of the document) and why. */
export interface RefusedEvent {
  code: string;
  issues: CaptureIssue[];
}

export interface ProceedCaptureResult {
  capturedCount: number;
  duplicateCount: number;
  /** Events refused, each once whatever the number of its issues. */
  refusedCount: number;
  /** CBV 2.0 hash URIs of the events stored or already stored, in document order. */
  eventIds: string[];
  refused: RefusedEvent[];
}

/** Why the rest of a document could not be read, as a document-level refusal; other failures are the server's. */
function unreadableRest(e: unknown): RefusedEvent {
  if (e instanceof EpcisValidationError) {
    const issues = e.issues.length ? e.issues : [{ eventIndex: null, field: '', rule: e.code, message: e.message }];
    return { code: CaptureErrorCode.INVALID_DOCUMENT, issues: issues.map((i) => ({ ...i, eventIndex: null })) };
  }
  if (e instanceof AppError) {
    const rule = typeof e.details?.rule === 'string' ? e.details.rule : e.code;
    return { code: e.code, issues: [{ eventIndex: null, field: '', rule, message: e.message }] };
  }
  throw e;
}

/**
 * The events of a document read whole, as a streamed document yields them: the document's @context, its ignoreFields
 * declarations (top level or in queryResults) and whether it was read from XML go with each event.
 */
export function* documentEvents(document: unknown): Generator<StreamedEpcisEvent> {
  const root = document as Record<string, unknown>;
  const body = root.epcisBody as Record<string, unknown> | undefined;
  const holders = [root, body?.queryResults].filter((h): h is Record<string, unknown> => h !== null && typeof h === 'object');
  const declared = Object.fromEntries(holders.flatMap((h) => Object.entries(h).filter(([key]) => isIgnoreFieldsKey(key))));
  const fromXml = isReadFromXml(document);
  for (const [index, event] of eventsOf(document).entries()) {
    yield {
      index,
      event: event as Record<string, unknown>,
      context: root['@context'],
      ...(Object.keys(declared).length ? { ignoreFields: declared } : {}),
      ...(fromXml ? { fromXml: true as const } : {}),
    };
  }
}

/**
 * GS1-Capture-Error-Behaviour `proceed` ("greedy capture"): every event is judged on its own by the rules of a
 * `rollback` capture (CaptureStreamService.prepare, then the pack-state rules inside the storing transaction); the
 * valid ones are stored and each refused one is reported with its index, field and rule. Events are stored in chunks
 * of one transaction each, so an event refused by the state rules (or declaring another organization's event in
 * error) rolls back only its chunk, which is stored again without it: a refused event is never stored, and a stored one
 * is never reported refused. Later events see the states of the earlier ones, as in a `rollback` capture.
 */
@Injectable()
export class ProceedCaptureService {
  constructor(
    private readonly streamed: CaptureStreamService,
    private readonly events: EventRepository,
    private readonly alerts: VerificationRepository,
    private readonly metrics: ApiMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly partners: TradingPartnerLoader,
    private readonly masterData: MasterDataService,
  ) {}

  async capture(
    org: Organization,
    input: AsyncIterable<StreamedEpcisEvent> | Iterable<StreamedEpcisEvent>,
    options: { header?: DocumentHeaderSink } = {},
  ): Promise<ProceedCaptureResult> {
    const recordTime = this.clock();
    const reduce = stateReducerFor(recordContext(org, recordTime, this.config.eventTimeMaxSkewMs, await this.partners.at(recordTime)));
    const result: ProceedCaptureResult = { capturedCount: 0, duplicateCount: 0, refusedCount: 0, eventIds: [], refused: [] };
    let chunk: NewEvent[] = [];
    const pause = slicer();
    try {
      for await (const { index, event, context, ignoreFields, fromXml } of input) {
        try {
          chunk.push(this.streamed.prepare(org, index, event, context, ignoreFields, fromXml));
        } catch (e) {
          if (!(e instanceof CaptureError)) throw e;
          result.refused.push({ code: e.code, issues: e.issues });
          result.refusedCount++;
        }
        // A chunk as a whole document's (a pack commissioned and packed in one is written once); a refusal inside it
        // repeats it once without the refused events, since a refused event changes no state (applyEvents).
        if (chunk.length >= CAPTURE_CHUNK_EVENTS) {
          await this.store(org, chunk, reduce, result);
          chunk = [];
        }
        await pause();
      }
    } catch (e) {
      // The document stops being readable (a syntax error, an event past GS1-EPCIS-Capture-Limit): the events before
      // are judged as usual and reported with it, since earlier chunks are stored already; the rest is not read.
      result.refused.push(unreadableRest(e));
    }
    if (chunk.length) await this.store(org, chunk, reduce, result);
    if (options.header) await this.storeMasterData(org, options.header, reduce, recordTime, result);
    result.refused.sort((a, b) => (a.issues[0]?.eventIndex ?? Infinity) - (b.issues[0]?.eventIndex ?? Infinity));
    this.metrics.countCapture(result.capturedCount, result.duplicateCount);
    return result;
  }

  /**
   * The header's master data, read once the events are (a streamed document's header may follow its events): judged
   * whole, as rollback does, and stored in a transaction of its own, since the events' chunks are stored already. Bad
   * master data is reported among the refusals, and none of it is stored.
   */
  private async storeMasterData(
    org: Organization,
    header: DocumentHeaderSink,
    reduce: StateReducer,
    recordTime: Date,
    result: ProceedCaptureResult,
  ) {
    let elements;
    try {
      elements = this.masterData.read(header);
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      result.refused.push({ code: e.code, issues: e.issues });
      return;
    }
    if (elements.length)
      await this.events.capture(org.id, [], reduce, undefined, (tx) => this.masterData.store(org, elements, recordTime, tx));
  }

  /** Stores a chunk in one transaction, again without the events its state rules refuse, until none is refused. */
  private async store(org: Organization, chunk: NewEvent[], reduce: StateReducer, result: ProceedCaptureResult): Promise<void> {
    let pending = chunk;
    while (pending.length) {
      let refusedIndexes: Set<number>;
      try {
        const outcome = await this.events.capture(org.id, pending, reduce);
        const captured = outcome.inserted.length + outcome.corrections.length;
        result.capturedCount += captured;
        result.duplicateCount += pending.length - captured;
        result.eventIds.push(...pending.map((e) => digestToHash(e.hash)));
        return;
      } catch (e) {
        refusedIndexes = await this.refusals(org, e, result);
      }
      const kept = pending.filter((event) => !refusedIndexes.has(event.documentIndex));
      // A refusal that names no event of the chunk cannot be retried away: it is the server's fault, not the document's.
      if (kept.length === pending.length) throw new Error('a proceed capture was refused for no event of its chunk');
      result.refusedCount += pending.length - kept.length;
      pending = kept;
    }
  }

  /** Reports the events a storing attempt refused (alerts recorded as for a rollback capture); their indexes. */
  private async refusals(org: Organization, e: unknown, result: ProceedCaptureResult): Promise<Set<number>> {
    if (e instanceof ForeignCorrectionError) {
      const error = foreignCorrection(e);
      for (const issue of error.issues) result.refused.push({ code: error.code, issues: [issue] });
      return new Set(e.documentIndexes);
    }
    if (!(e instanceof CaptureRefused)) throw storeFailure(e);
    const byEvent = new Map<number, CaptureRefused['refusals']>();
    for (const refusal of e.refusals) byEvent.set(refusal.index, [...(byEvent.get(refusal.index) ?? []), refusal]);
    for (const refusals of byEvent.values()) {
      // refuseCapture records the alerts and answers, per event, FORBIDDEN or CONFLICT as a rollback capture would.
      const error = await refuseCapture(this.alerts, org, new CaptureRefused(refusals)).catch((refused: unknown) => refused);
      if (!(error instanceof CaptureError)) throw error;
      result.refused.push({ code: error.code, issues: error.issues });
    }
    return new Set(byEvent.keys());
  }
}

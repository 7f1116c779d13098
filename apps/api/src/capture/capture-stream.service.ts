import type { Organization } from '@pharmatrace/domain';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import {
  digestToHash,
  type DocumentHeaderSink,
  EpcisValidationError,
  EpcisValidator,
  eventHashes,
  eventIdMismatch,
  eventIgnoreFields,
  findInputViolation,
  ignoreFieldsIssues,
  markReadFromXml,
  slicer,
  type StreamedEpcisEvent,
} from '@pharmatrace/epcis';
import { CAPTURE_CHUNK_EVENTS, CaptureSession, EventRepository, NewEvent, VerificationRepository } from '@pharmatrace/persistence';
import { CLOCK, Clock } from '../common/clock';
import { TradingPartnerLoader } from '../licences/trading-partner.loader';
import { ApiMetrics } from '../metrics/api.metrics';
import { MasterDataService } from '../master-data/master-data.service';
import { CaptureError, CaptureErrorCode, CaptureIssue } from './capture.error';
import { EPCIS_VALIDATOR } from './capture.service';
import { CaptureRefused, prepareEvent, recordContext, refuseCapture, stateReducerFor, storeFailure } from './event-preparation';
import type { ValidatedEvent } from './event-facts';

export interface StreamCaptureResult {
  /** Events read from the document. */
  eventCount: number;
  capturedCount: number;
  duplicateCount: number;
  /** CBV 2.0 hash URIs of the events read, in document order. */
  eventHashes: string[];
}

export interface StreamCaptureOptions {
  /** Events per insert; a chunk is also cut once its events' JSON reaches `chunkBytes`. */
  chunkEvents?: number;
  chunkBytes?: number;
  /** Filled by the stream's reader with the document's header: its master data is checked before the commit, stored after. */
  header?: DocumentHeaderSink;
}

const CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * Captures a document read event by event (streamEpcisJsonEvents / streamEpcisXmlEvents): every event is
 * checked as CaptureService checks a whole document's, then stored in chunks inside one transaction, so the
 * document is all or nothing while memory holds one chunk. The first event that breaks a rule stops the
 * capture and rolls everything back; its issues name its index in the document. A `…:ignoreFields` declaration on
 * the document's root applies to its events as on the whole-document path.
 */
@Injectable()
export class CaptureStreamService {
  constructor(
    @Inject(EPCIS_VALIDATOR) private readonly validator: EpcisValidator,
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
    input: AsyncIterable<StreamedEpcisEvent>,
    options: StreamCaptureOptions = {},
  ): Promise<StreamCaptureResult> {
    const chunkEvents = options.chunkEvents ?? CAPTURE_CHUNK_EVENTS;
    const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    // One record time for the whole document, as for a document captured at once.
    const recordTime = this.clock();
    const reduce = stateReducerFor(recordContext(org, recordTime, this.config.eventTimeMaxSkewMs, await this.partners.at(recordTime)));
    const session = await this.events.openCaptureSession(org.id, reduce);
    let chunk: NewEvent[] = [];
    let bytes = 0;
    let eventCount = 0;
    let capturedCount = 0;
    const eventHashes: string[] = [];
    const flush = async (s: CaptureSession) => {
      const outcome = await s.add(chunk);
      capturedCount += outcome.inserted.length + outcome.corrections.length;
      chunk = [];
      bytes = 0;
    };
    // Events already read come through `for await` as microtasks, which never let other requests in.
    const pause = slicer();
    try {
      for await (const { index, event, context, ignoreFields, fromXml } of readerErrorsAsIssues(input)) {
        eventCount++;
        const prepared = this.prepare(org, index, event, context, ignoreFields, fromXml);
        chunk.push(prepared);
        eventHashes.push(digestToHash(prepared.hash));
        bytes += JSON.stringify(event).length;
        if (chunk.length >= chunkEvents || bytes >= chunkBytes) await flush(session);
        await pause();
      }
      if (chunk.length) await flush(session);
      // The header is read whole once the events are: its master data is stored in the same transaction.
      const masterData = options.header ? this.masterData.read(options.header) : [];
      await session.alongside((tx) => this.masterData.store(org, masterData, recordTime, tx));
      await session.commit();
    } catch (e) {
      await session.rollback();
      if (e instanceof CaptureRefused) return refuseCapture(this.alerts, org, e);
      throw storeFailure(e);
    }
    this.metrics.countCapture(capturedCount, eventCount - capturedCount);
    return { eventCount, capturedCount, duplicateCount: eventCount - capturedCount, eventHashes };
  }

  /** One event checked by every rule of a whole document's capture, as the row to store; a CaptureError names what it breaks. */
  prepare(
    org: Organization,
    index: number,
    event: Record<string, unknown>,
    context: unknown,
    declared?: Record<string, unknown>,
    fromXml?: boolean,
  ): NewEvent {
    // A streamed body never passes the input-limits pipe: each event is held to the same limits here.
    const violation = findInputViolation(event);
    if (violation) {
      throw new CaptureError(CaptureErrorCode.INVALID_DOCUMENT, [
        { eventIndex: index, field: violation.pointer, rule: violation.rule, message: violation.message },
      ]);
    }
    // The event schema is reached through a one-event document carrying the streamed document's context.
    const document = {
      '@context': context,
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2000-01-01T00:00:00Z',
      epcisBody: { eventList: [event] },
    };
    const schemaIssues = this.validator.validateDocument(fromXml ? markReadFromXml(document) : document);
    if (schemaIssues.length) {
      throw new CaptureError(
        CaptureErrorCode.INVALID_DOCUMENT,
        schemaIssues.map((issue) => ({ ...issue, eventIndex: issue.eventIndex === null ? null : index })),
      );
    }
    // The document's ignoreFields declaration, read before the event, applies to it as in a document read whole.
    const declaring = { ...document, ...declared };
    const declarationIssues = ignoreFieldsIssues(declaring);
    if (declarationIssues.length) throw new CaptureError(CaptureErrorCode.INVALID_IGNORE_FIELDS, declarationIssues);
    let hash: string;
    try {
      hash = eventHashes(declaring)[0].hash;
    } catch (e) {
      // Hashed as event 0 of its one-event document: the issue is this event's.
      if (e instanceof EpcisValidationError)
        throw new CaptureError(
          CaptureErrorCode.INVALID_DOCUMENT,
          issuesOf(e, index).map((i) => ({ ...i, eventIndex: index })),
        );
      throw e;
    }
    const mismatch = eventIdMismatch(event, hash, index);
    if (mismatch) throw new CaptureError(CaptureErrorCode.EVENT_ID_MISMATCH, [mismatch]);
    const prepared = prepareEvent(org, event as ValidatedEvent, index, hash, context, eventIgnoreFields(declaring)[0]);
    if (prepared.issues.length) throw new CaptureError(CaptureErrorCode.INVALID_DOCUMENT, prepared.issues);
    return prepared.event!;
  }
}

function issuesOf(e: EpcisValidationError, eventIndex: number | null): CaptureIssue[] {
  if (!e.issues.length) return [{ eventIndex, field: '', rule: e.code, message: e.message }];
  return e.issues.map((issue) => ({ ...issue, eventIndex: issue.eventIndex ?? eventIndex }));
}

/** The readers' syntax errors (malformed JSON or XML, with line and column for XML) as INVALID_DOCUMENT. */
async function* readerErrorsAsIssues(input: AsyncIterable<StreamedEpcisEvent>): AsyncGenerator<StreamedEpcisEvent> {
  try {
    yield* input;
  } catch (e) {
    if (e instanceof EpcisValidationError) throw new CaptureError(CaptureErrorCode.INVALID_DOCUMENT, issuesOf(e, null));
    throw e;
  }
}

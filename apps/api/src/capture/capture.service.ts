import type { Organization } from '@pharmatrace/domain';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import {
  CAPTURE_EVENT_LIMIT,
  eventCountOf,
  EpcisValidator,
  eventHashesSliced,
  eventIdMismatch,
  eventIgnoreFields,
  eventsOf,
  ignoreFieldsIssues,
  slicer,
} from '@pharmatrace/epcis';
import { tooManyEvents } from '../epcis-rest/epcis-rest.error';
import { EventRepository, NewEvent, SqlRunner, VerificationRepository } from '@pharmatrace/persistence';
import { TradingPartnerLoader } from '../licences/trading-partner.loader';
import { SignatureService } from '../signatures/signature.service';
import { CLOCK, Clock } from '../common/clock';
import { ApiMetrics } from '../metrics/api.metrics';
import { MasterDataService } from '../master-data/master-data.service';
import { CaptureError, CaptureErrorCode, CaptureIssue } from './capture.error';
import { CaptureResult } from './capture.types';
import type { ValidatedEvent } from './event-facts';
import { CaptureRefused, prepareEvent, recordContext, refuseCapture, stateReducerFor, storeFailure } from './event-preparation';

export { identify } from './event-preparation';

export const EPCIS_VALIDATOR = Symbol('EPCIS_VALIDATOR');

@Injectable()
export class CaptureService {
  constructor(
    @Inject(EPCIS_VALIDATOR) private readonly validator: EpcisValidator,
    private readonly events: EventRepository,
    private readonly alerts: VerificationRepository,
    private readonly signatures: SignatureService,
    private readonly metrics: ApiMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly partners: TradingPartnerLoader,
    private readonly masterData: MasterDataService,
  ) {}

  /**
   * What a whole document must pass before any of it is stored, or a REST job is accepted for it; the events' hashes.
   * Validation and hashing run in slices (about 300 ms of work for 10,000 events) so no capture holds other requests.
   */
  async check(document: unknown): Promise<string[]> {
    // GraphQL captures reach this before any validation work, as REST ones do before their 202.
    const count = eventCountOf(document);
    if (count > CAPTURE_EVENT_LIMIT) throw tooManyEvents(count);
    const schemaIssues = await this.validator.validateDocumentSliced(document);
    if (schemaIssues.length) throw new CaptureError(CaptureErrorCode.INVALID_DOCUMENT, schemaIssues);
    const declarationIssues = ignoreFieldsIssues(document);
    if (declarationIssues.length) throw new CaptureError(CaptureErrorCode.INVALID_IGNORE_FIELDS, declarationIssues);
    this.masterData.read(document);
    const hashes = (await eventHashesSliced(document)).map((h) => h.hash);
    // The document itself says what its hashes must be.
    const mismatches = (eventsOf(document) as Record<string, unknown>[]).flatMap(
      (event, index) => eventIdMismatch(event, hashes[index], index) ?? [],
    );
    if (mismatches.length) throw new CaptureError(CaptureErrorCode.EVENT_ID_MISMATCH, mismatches);
    return hashes;
  }

  /**
   * A checked document's events as they will be stored, by every rule that needs no stored state (EPCs, lot,
   * expiry, error declarations): a REST job runs this before its 202 too, so such a refusal is never a failed job.
   */
  async prepare(org: Organization, document: unknown, hashes: string[]): Promise<NewEvent[]> {
    const raw = eventsOf(document) as ValidatedEvent[];
    const context = (document as Record<string, unknown>)['@context'];
    const ignored = eventIgnoreFields(document);
    const issues: CaptureIssue[] = [];
    const prepared: NewEvent[] = [];
    const pause = slicer();
    for (const [index, event] of raw.entries()) {
      const result = prepareEvent(org, event, index, hashes[index], context, ignored[index]);
      issues.push(...result.issues);
      if (result.event) prepared.push(result.event);
      await pause();
    }
    if (issues.length) throw new CaptureError(CaptureErrorCode.INVALID_DOCUMENT, issues);
    return prepared;
  }

  /**
   * `signature`: optional EIP-712 signature of the document's event hashes by the organization's address (issue 6).
   * `checked`: what `check` and `prepare` returned for this document, when the caller (a REST job) ran them already.
   */
  async capture(
    org: Organization,
    document: unknown,
    signature?: string,
    checked?: { hashes: string[]; prepared: NewEvent[] },
  ): Promise<CaptureResult> {
    const hashes = checked?.hashes ?? (await this.check(document));
    const prepared = checked?.prepared ?? (await this.prepare(org, document, hashes));
    const signed = await this.signatures.check(org, hashes, signature);

    const recordTime = this.clock();
    const reduce = stateReducerFor(recordContext(org, recordTime, this.config.eventTimeMaxSkewMs, await this.partners.at(recordTime)));
    const masterData = this.masterData.read(document);
    // Stored in the events' transaction: a refused capture stores none of the document's master data.
    const storeMasterData = (tx: SqlRunner) => this.masterData.store(org, masterData, recordTime, tx);
    const outcome = await this.events.capture(org.id, prepared, reduce, signed, storeMasterData).catch((e) => {
      if (e instanceof CaptureRefused) return refuseCapture(this.alerts, org, e);
      throw storeFailure(e);
    });
    // A correction of a stored event is captured too: it is kept, not dropped as a duplicate.
    const capturedCount = outcome.inserted.length + outcome.corrections.length;
    const duplicateCount = prepared.length - capturedCount;
    this.metrics.countCapture(capturedCount, duplicateCount);
    return { capturedCount, duplicateCount, eventHashes: hashes };
  }
}

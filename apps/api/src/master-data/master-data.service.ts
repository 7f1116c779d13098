import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { canonicalAttributeId, type MasterDataElement, readMasterData } from '@pharmatrace/epcis';
import { Epc, Gs1Error, parseEpc } from '@pharmatrace/gs1';
import {
  EventCriteria,
  EventQueryRepository,
  MasterDataRepository,
  MasterDataVersion,
  NewMasterDataElement,
  SqlRunner,
} from '@pharmatrace/persistence';
import { CaptureError, CaptureErrorCode } from '../capture/capture.error';
import { locationSpellings } from '../events/event-filter.parser';
import { EventQueryError, EventQueryErrorCode } from '../events/event-query.error';
import { ReadPolicyService } from '../policy/read-policy.service';

/** Ids one masterData query may ask for. */
export const MASTER_DATA_QUERY_IDS = 100;

const VTYPE = 'urn:epcglobal:epcis:vtype:';
const MDA = 'urn:epcglobal:cbv:mda#';

/** What verify shows of a product from its manufacturer's master data (CBV master-data attributes). */
export interface ProductFacts {
  name: string | null;
  strength: string | null;
  dosageForm: string | null;
}

function gtinOf(id: string): string | null {
  let epc: Epc;
  try {
    epc = parseEpc(id);
  } catch (e) {
    if (e instanceof Gs1Error) return null;
    throw e;
  }
  return epc.kind === 'gtin' ? epc.gtin : null;
}

/** The text of the first of `names` the element has (CBV attributes), if any. */
function text(attributes: MasterDataVersion['attributes'], ...names: string[]): string | null {
  for (const name of names) {
    const value = attributes.find((a) => a.id === MDA + name)?.value;
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (typeof value === 'number') return String(value);
  }
  return null;
}

/**
 * Master data: checked and stored with each capture, read through the capturer's read rule. An organization's master
 * data is published to those who may read at least one of its events (docs/read-policy.md): a regulator reads all of
 * it, everyone reads its own.
 */
@Injectable()
export class MasterDataService {
  constructor(
    private readonly repository: MasterDataRepository,
    private readonly events: EventQueryRepository,
    private readonly policy: ReadPolicyService,
  ) {}

  /** The document's vocabulary elements; a bad one (no id, an attribute without id…) is INVALID_DOCUMENT naming its field. */
  read(document: unknown): MasterDataElement[] {
    const { elements, issues } = readMasterData(document);
    if (issues.length) throw new CaptureError(CaptureErrorCode.INVALID_DOCUMENT, issues);
    return elements;
  }

  /**
   * Stores `elements` captured by `org` at `capturedAt` (the capture's record time) in `tx`, the transaction storing
   * the document's events; returns the versions stored.
   */
  store(org: Organization, elements: MasterDataElement[], capturedAt: Date, tx: SqlRunner): Promise<number> {
    return this.repository.store(org.id, capturedAt, elements.map(toStored), tx);
  }

  /**
   * The capturers whose master data `reader` may read among those of `vocabularies` (the event query's master-data
   * conditions); undefined for every capturer (a regulator).
   */
  async publishersFor(reader: Organization, vocabularies: string[]): Promise<string[] | undefined> {
    const visibleTo = await this.policy.eventVisibility(reader);
    if (!visibleTo) return undefined;
    return [reader.id, ...(await this.readableOthers(reader, visibleTo, await this.repository.capturers(vocabularies)))];
  }

  /**
   * The latest version, by each capturer `reader` may read, of the elements of `type` (a vocabulary type URI, or its
   * last word: `BusinessLocation`) with one of `ids` in any spelling. The read rule is decided for the capturers of the
   * versions found only (one EXISTS each): for every capturer of the registry it was thousands a query.
   */
  async find(reader: Organization, type: string, ids: string[]): Promise<MasterDataVersion[]> {
    if (!type.trim()) throw invalid('type', 'non-empty', 'give a vocabulary type, e.g. urn:epcglobal:epcis:vtype:BusinessLocation');
    if (!ids.length || ids.length > MASTER_DATA_QUERY_IDS) {
      throw invalid('ids', 'range', `give from 1 to ${MASTER_DATA_QUERY_IDS} ids, not ${ids.length}`);
    }
    if (ids.some((id) => !id.trim())) throw invalid('ids', 'non-empty', 'ids must not be empty');
    const vocabulary = type.includes(':') ? type : VTYPE + type;
    const spellings = [...new Set(ids.flatMap((id) => locationSpellings(id.trim())))];
    const versions = await this.repository.latest(vocabulary, spellings);
    const visibleTo = await this.policy.eventVisibility(reader);
    if (!visibleTo) return versions;
    const readable = new Set([
      reader.id,
      ...(await this.readableOthers(
        reader,
        visibleTo,
        versions.map((v) => v.capturedBy),
      )),
    ]);
    return versions.filter((v) => readable.has(v.capturedBy));
  }

  /** The capturers among `candidates`, other than `reader`, of whose events it may read at least one. */
  private readableOthers(
    reader: Organization,
    visibleTo: NonNullable<EventCriteria['visibleTo']>,
    candidates: string[],
  ): Promise<string[]> {
    const others = [...new Set(candidates)].filter((id) => id !== reader.id);
    return this.events.readableCapturers(reader.id, visibleTo, others);
  }

  /**
   * The product facts its manufacturer published for a GTIN, if any, from the attributes of its latest product master
   * data (read with the verdict, VerificationRepository): shown by verify, as on the pack's label.
   */
  productFacts(attributes: MasterDataVersion['attributes'] | null): ProductFacts | null {
    if (!attributes) return null;
    return {
      name: text(attributes, 'regulatedProductName', 'drugName', 'tradeItemDescription', 'descriptionShort'),
      strength: text(attributes, 'strengthDescription'),
      dosageForm: text(attributes, 'dosageFormType'),
    };
  }
  /** The same facts read on their own, for a GTIN and its manufacturer (a regulator form, not the verify hot path). */
  async publishedProductFacts(gtin: string, manufacturerId: string): Promise<ProductFacts | null> {
    return this.productFacts((await this.repository.product(gtin, manufacturerId))?.attributes ?? null);
  }
}

function invalid(parameter: string, rule: string, message: string): EventQueryError {
  return new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, `${parameter}: ${message}`, { parameter, rule });
}

function toStored(e: MasterDataElement): NewMasterDataElement {
  return {
    type: e.type,
    id: e.id,
    spellings: locationSpellings(e.id),
    gtin: gtinOf(e.id),
    attributes: e.attributes.map((a) => ({ id: canonicalAttributeId(a.id), value: a.value })),
    children: e.children,
    childSpellings: [...new Set(e.children.flatMap(locationSpellings))],
  };
}

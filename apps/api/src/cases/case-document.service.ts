import type { Organization } from '@pharmatrace/domain';
import { CaseCategory, caseEntryTypedData, CaseState, type CaseEntryTypedData } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { proofIndices } from '@pharmatrace/merkle';
import { AnchorRepository, CaseEntryRecordRow, ExceptionCaseRepository } from '@pharmatrace/persistence';
import { OrganizationDirectory } from '../common/organization.directory';
import { CaseDocumentSchema } from './case-document.schema';
import { CaseError, CaseErrorCode } from './case.error';
import { CaseService } from './case.service';
import { CaseActionInput, CaseActionKind, CaseOwnerType, CaseType } from './case.types';

const hex = (b: Buffer | null) => (b ? `0x${b.toString('hex')}` : null);

export interface PartyRef {
  id: string;
  gln: string;
  name: string;
}

/** An owner as exported (#/$defs/owner): members not given are absent. */
export type OwnerDocument = CaseOwnerType;

/** One history entry as exported (docs/schemas/exception-case.v1.schema.json#/$defs/entry). */
export interface CaseEntryDocument {
  actor: PartyRef;
  at: string;
  action: string;
  fromState: string | null;
  toState: string;
  resolution: string | null;
  message: string | null;
  attachments: string[];
  /** ASSIGN_OWNER entries only: the owner named and its side (hashed with the entry). */
  owner?: OwnerDocument & { side: string };
  hash: string | null;
  previousHash: string | null;
  signature: { signer: string; signature: string; typedData: CaseEntryTypedData } | null;
  anchor: {
    status: string;
    batchId: number;
    root: string;
    leafEncoding: ['bytes32'];
    proof: string[];
    anchors: {
      chainId: number;
      contractAddress: string;
      transactionHash: string | null;
      blockNumber: number | null;
      blockHash: string | null;
      status: string;
    }[];
  } | null;
}

/** A case as exported (the schema's root): what a trading partner's system reads, and may post back to open a case. */
export interface CaseDocument {
  $schema: string;
  schemaVersion: '1';
  id: string;
  number: number;
  category: string;
  state: string;
  resolution: string | null;
  summary: string;
  source: string;
  parties: { reporter: PartyRef; counterparty: PartyRef | null };
  items: { epc: string; note: string | null }[];
  /** Class quantities a receipt found different: shipped and received, per class and unit. */
  quantities: { epcClass: string; uom: string | null; shipped: number; received: number }[];
  /** Each side's owner, to whoever may read them (not the product's manufacturer, whose documents leave them out). */
  owners?: { reporter: OwnerDocument | null; counterparty: OwnerDocument | null };
  openedAt: string;
  graceUntil: string;
  resolvedAt: string | null;
  regulatorDueAt: string | null;
  overdue: boolean;
  quarantining: boolean;
  history?: CaseEntryDocument[];
}

/** What POST /cases reads of a document (the rest is the platform's, readOnly in the schema). */
interface ImportedCase {
  id?: string;
  category: CaseCategory;
  summary: string;
  parties?: { reporter?: { id?: string; gln: string }; counterparty?: { gln: string } | null };
  items: { epc: string }[];
  owners?: { reporter?: OwnerDocument | null };
  openedAt?: string;
  signature?: string;
}

interface ActionRequest {
  action: CaseActionKind;
  resolution?: CaseActionInput['resolution'];
  message?: string;
  attachments?: string[];
  at?: string;
  signature?: string;
  owner?: OwnerDocument;
}

const DEFAULT_PAGE = 50;

/**
 * Cases as JSON documents of a published schema (issue 17): export, list, import and answer. Import and answer are
 * checked against the schema, then go through CaseService.open and CaseService.act, the same path (visibility,
 * decideCaseAction, hash chain, signature check, audit log) as GraphQL's openCase and caseAction.
 */
@Injectable()
export class CaseDocumentService {
  constructor(
    private readonly cases: CaseService,
    private readonly repository: ExceptionCaseRepository,
    private readonly anchors: AnchorRepository,
    private readonly organizations: OrganizationDirectory,
    private readonly schema: CaseDocumentSchema,
  ) {}

  /**
   * The case as a document, to whoever sees it. The product's manufacturer (caseAccess: no messages, no owners) gets it
   * without its history and owners: an entry's hash covers its message, so a history without them could not be checked.
   */
  async export(org: Organization, id: string): Promise<CaseDocument> {
    const c = await this.cases.get(org, id);
    const [items, quantities, records] = await Promise.all([
      this.repository.items(c.id),
      this.repository.quantities(c.id),
      c.access.messages ? this.repository.records(c.id) : Promise.resolve([]),
    ]);
    const parties = await this.organizations.byIds(
      [...new Set([c.reporterId, c.counterpartyId, ...records.map((r) => r.actorId)])].filter(isId),
    );
    const anchors = await this.anchorsOf(records);
    const doc: CaseDocument = {
      ...this.summary(c, parties),
      items: items.map((i) => ({ epc: i.epc, note: i.note })),
      quantities,
    };
    if (!c.access.messages) return doc;
    return {
      ...doc,
      history: records.map((r) => ({
        actor: ref(parties.get(r.actorId), r.actorId, r.actorGln),
        at: r.at.toISOString(),
        action: r.action,
        fromState: r.fromState,
        toState: r.toState,
        resolution: r.resolution,
        message: r.message,
        attachments: r.attachments,
        ...(r.owner ? { owner: r.owner } : {}),
        hash: hex(r.hash),
        previousHash: hex(r.previousHash),
        signature:
          r.signer && r.signature && r.hash
            ? { signer: r.signer, signature: hex(r.signature)!, typedData: caseEntryTypedData(r.actorGln, hex(r.hash)!) }
            : null,
        anchor: anchors.get(r.id) ?? null,
      })),
    };
  }

  /** A page of cases newest first, as documents without their history (GET /cases/{id} has it). */
  async list(
    org: Organization,
    query: { first?: string; after?: string; state?: string; category?: string; overdue?: string },
  ): Promise<{ cases: CaseDocument[]; next: string | null }> {
    const first = query.first === undefined ? DEFAULT_PAGE : Number(query.first);
    const filter = {
      state: listOf(query.state, Object.values(CaseState), 'state'),
      category: listOf(query.category, Object.values(CaseCategory), 'category'),
      overdue: query.overdue === undefined ? undefined : boolOf(query.overdue, 'overdue'),
    };
    const page = await this.cases.list(org, filter, { first, after: query.after ?? null, last: null, before: null });
    const nodes = page.edges.map((e) => e.node);
    const parties = await this.organizations.byIds([...new Set(nodes.flatMap((c) => [c.reporterId, c.counterpartyId]))].filter(isId));
    const [items, quantities] = await Promise.all([
      this.repository.itemsOf(nodes.map((c) => c.id)),
      this.repository.quantitiesOf(nodes.map((c) => c.id)),
    ]);
    return {
      cases: nodes.map((c) => ({
        ...this.summary(c, parties),
        items: items.get(c.id)!.map((x) => ({ epc: x.epc, note: x.note })),
        quantities: quantities.get(c.id)!,
      })),
      next: page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null,
    };
  }

  /**
   * Opens a case from a partner's document: the caller is its reporter. `owners.reporter`, when given, is named right
   * after (an ASSIGN_OWNER entry of the caller's); the counterparty's owner is the counterparty's to name.
   */
  async import(org: Organization, body: unknown): Promise<CaseDocument> {
    this.schema.assertValid('document', body);
    const doc = body as ImportedCase;
    const reporter = doc.parties?.reporter;
    if (reporter && reporter.gln !== org.gln)
      throw invalid('parties.reporter.gln', 'caller', 'the reporter of an imported case is the caller');
    if (reporter && (reporter.id ?? org.id) !== org.id)
      throw invalid('parties.reporter.id', 'caller', 'the reporter of an imported case is the caller');
    if (doc.signature !== undefined && doc.id === undefined)
      throw invalid('id', 'required-with-signature', 'a signed import names its case id');
    if (doc.signature !== undefined && doc.openedAt === undefined)
      throw invalid('openedAt', 'required-with-signature', 'a signed import gives the time of its opening entry');
    const counterparty = doc.parties?.counterparty;
    const owner = doc.owners?.reporter;
    // Checked before the case is opened: a bad owner opens nothing.
    if (owner) inDocumentOr(() => this.cases.checkedOwner(owner));
    const opened = await this.cases
      .open(org, {
        id: doc.id,
        category: doc.category,
        summary: doc.summary,
        epcs: doc.items.map((i) => i.epc),
        counterparty: counterparty?.gln,
        at: doc.signature === undefined ? undefined : doc.openedAt,
        signature: doc.signature,
      })
      .catch((e: unknown) => {
        throw inDocument(e);
      });
    if (owner) await this.cases.act(org, opened.id, { action: CaseActionKind.ASSIGN_OWNER, owner });
    return this.export(org, opened.id);
  }

  async act(org: Organization, id: string, body: unknown): Promise<CaseDocument> {
    this.schema.assertValid('action', body);
    const request = body as ActionRequest;
    await this.cases.act(org, id, request);
    return this.export(org, id);
  }

  private summary(c: CaseType, parties: Map<string, Organization>): Omit<CaseDocument, 'items' | 'quantities' | 'history'> {
    return {
      $schema: this.schema.schema.$id,
      schemaVersion: '1',
      id: c.id,
      number: c.number,
      category: c.category,
      state: c.state,
      resolution: c.resolution ?? null,
      summary: c.summary,
      source: c.source,
      parties: {
        reporter: ref(parties.get(c.reporterId), c.reporterId),
        counterparty: c.counterpartyId ? ref(parties.get(c.counterpartyId), c.counterpartyId) : null,
      },
      openedAt: c.openedAt.toISOString(),
      graceUntil: c.graceUntil.toISOString(),
      resolvedAt: c.resolvedAt?.toISOString() ?? null,
      regulatorDueAt: c.regulatorDueAt?.toISOString() ?? null,
      overdue: c.overdue,
      quarantining: c.quarantining,
      ...(c.access.owners ? { owners: { reporter: c.reporterOwner ?? null, counterparty: c.counterpartyOwner ?? null } } : {}),
    };
  }

  /** Merkle proofs of the sealed entries, read from their batches' stored trees, and every chain each batch is anchored to. */
  private async anchorsOf(records: CaseEntryRecordRow[]): Promise<Map<string, NonNullable<CaseEntryDocument['anchor']>>> {
    const sealed = records.filter((r) => r.batchId !== null && r.leafIndex !== null);
    const batchIds = sealed.map((r) => Number(r.batchId));
    const { nodes, anchors } = await this.anchors.proofMaterial(
      batchIds,
      sealed.flatMap((r) => proofIndices(r.leafIndex!).map((index) => ({ batchId: Number(r.batchId), index }))),
    );
    return new Map(
      sealed.map((r) => [
        r.id,
        {
          status: r.batchStatus!,
          batchId: Number(r.batchId),
          root: hex(r.root)!,
          leafEncoding: ['bytes32'] as ['bytes32'],
          proof: proofIndices(r.leafIndex!).map((i) => nodes.get(`${r.batchId}:${i}`)!),
          anchors: (anchors.get(Number(r.batchId)) ?? []).map((a) => ({
            chainId: a.chainId,
            contractAddress: a.contractAddress,
            transactionHash: a.txHash,
            blockNumber: a.blockNumber,
            blockHash: a.blockHash,
            status: a.status,
          })),
        },
      ]),
    );
  }
}

const isId = (id: string | null): id is string => id !== null;

function ref(org: Organization | undefined, id: string, gln?: string): PartyRef {
  return { id, gln: org?.gln ?? gln ?? '', name: org?.name ?? '' };
}

/** The service names GraphQL's input fields (`epcs.3`, `counterparty`, `at`); a document's are named by its own paths. */
function inDocument(e: unknown): unknown {
  if (!(e instanceof CaseError) || e.code !== CaseErrorCode.INVALID_CASE || typeof e.details?.field !== 'string') return e;
  const field = e.details.field
    .replace(/^epcs\.(\d+)$/, 'items.$1.epc')
    .replace(/^epcs$/, 'items')
    .replace(/^counterparty$/, 'parties.counterparty')
    .replace(/^owner\.(\w+)$/, 'owners.reporter.$1')
    .replace(/^at$/, 'openedAt');
  return field === e.details.field ? e : invalid(field, String(e.details.rule), e.message.replace(/^[^:]*: /, ''));
}

function inDocumentOr<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    throw inDocument(e);
  }
}

function invalid(field: string, rule: string, message: string): CaseError {
  return new CaseError(CaseErrorCode.INVALID_CASE, `${field}: ${message}`, { field, rule });
}

function listOf<T extends string>(value: string | undefined, allowed: T[], field: string): T[] | undefined {
  if (value === undefined) return undefined;
  const values = value.split(',');
  const bad = values.find((v) => !allowed.includes(v as T));
  if (bad !== undefined) throw invalid(field, 'enum', `${bad} is not one of ${allowed.join(', ')}`);
  return values as T[];
}

function boolOf(value: string, field: string): boolean {
  if (value !== 'true' && value !== 'false') throw invalid(field, 'boolean', 'true or false');
  return value === 'true';
}

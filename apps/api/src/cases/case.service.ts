import type { Organization } from '@pharmatrace/domain';
import {
  addBusinessDays,
  caseAccess,
  CaseAction,
  CaseCategory,
  caseEntryHash,
  CaseEntryRecord,
  caseListScope,
  type CaseOwner,
  CaseRefusal,
  CaseResolution,
  caseRole,
  type CaseRole,
  type CaseSide,
  CaseState,
  type CaseViewer,
  decideCaseAction,
  quarantines,
  regulatorNotificationDue,
} from '@pharmatrace/domain';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { canonicalEpc, Gs1Error, parseEpc } from '@pharmatrace/gs1';
import { CaseOwnerRow, CaseRow, ExceptionCaseRepository } from '@pharmatrace/persistence';
import { Clock, CLOCK } from '../common/clock';
import { OrganizationDirectory } from '../common/organization.directory';
import { connection, ConnectionArgs, pageRequest } from '../common/paging';
import { CaseSignatureService } from './case-signature.service';
import { CaseError, CaseErrorCode } from './case.error';
import { PartnerNotificationService } from './partner-notification.service';
import {
  CaseActionInput,
  CaseActionKind,
  CaseConnectionType,
  CaseCountsType,
  CaseEntryType,
  CaseFilter,
  CaseItemType,
  CaseOwnerInput,
  CaseQuantityType,
  CaseType,
  CaseViewerRole,
  OpenCaseInput,
} from './case.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ATTACHMENT = /^sha256:[0-9a-f]{64}$/;
const MAX_EPCS = 10_000;
const MAX_SUMMARY = 2_000;
const MAX_MESSAGE = 4_000;
const DEFAULT_PAGE = 50;
/** How far the time a client gives its signed entry may be from the server's clock. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const MAX_PAGE = 500;
const MAX_OWNER_TEXT = 200;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()./-]{2,30}( ?(x|ext\.?) ?[0-9]{1,6})?$/i;

/** A case as the caller may read it: the row, and the caller's part in it (never an outsider's). */
interface VisibleCase {
  row: CaseRow;
  role: Exclude<CaseRole, 'OUTSIDER'>;
}

/** The GTINs of a case's items (canonical Digital Links): what makes a manufacturer the owner of the product. */
function gtinsOf(epcs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const epc of epcs) {
    try {
      const parsed = parseEpc(epc);
      if (parsed.kind === 'sgtin' || parsed.kind === 'lgtin' || parsed.kind === 'gtin') out.add(parsed.gtin);
    } catch (e) {
      if (!(e instanceof Gs1Error)) throw e;
    }
  }
  return [...out];
}

const REFUSALS: Record<CaseRefusal, string> = {
  [CaseRefusal.NOT_A_PARTY]: 'only the two trading partners of a case and regulators act on it',
  [CaseRefusal.WRONG_STATE]: 'this action does not apply to the case in its state',
  [CaseRefusal.REGULATOR_ONLY]: 'once escalated a case is decided by the regulator, and only the regulator reopens a resolved case',
  [CaseRefusal.REPORTER_OR_REGULATOR]: 'the regulator filing is recorded by the reporter or a regulator',
  [CaseRefusal.PARTIES_ONLY]:
    "only the case's two trading partners do this (each names its own owner); the product's manufacturer reads the case, it does not act on it",
};

/**
 * Exception cases: opened by one trading partner (from an alert, a scan, a receiving discrepancy or by hand), seen and
 * answered by both and by every regulator. Every change goes through decideCaseAction (libs/domain), is stored with
 * the version it was decided on, recorded in the case's history and the audit log; packs stay quarantined while the
 * case holds them.
 */
@Injectable()
export class CaseService {
  constructor(
    private readonly cases: ExceptionCaseRepository,
    private readonly organizations: OrganizationDirectory,
    private readonly partners: PartnerNotificationService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly signatures: CaseSignatureService,
  ) {}

  async open(org: Organization, input: OpenCaseInput, source: 'ALERT' | 'SCAN' | 'RECEIPT' | 'MANUAL' = 'MANUAL'): Promise<CaseType> {
    const summary = input.summary.trim();
    if (!summary || summary.length > MAX_SUMMARY) throw this.invalid('summary', 'length', `must have 1 to ${MAX_SUMMARY} characters`);
    const epcs = this.epcs(input.epcs ?? []);
    const counterparty = input.counterparty ? await this.counterparty(input.counterparty) : null;
    if (counterparty?.id === org.id) throw this.invalid('counterparty', 'another-organization', 'a case is between two organizations');
    if (input.id !== undefined && !UUID.test(input.id)) throw this.invalid('id', 'uuid', 'a case id is a UUID');
    const id = input.id?.toLowerCase() ?? randomUUID();
    const now = this.clock();
    // The entry's own time may be the client's (to sign it); the case's dates are the server's.
    const at = this.entryTime(input.at, now);
    const record: CaseEntryRecord = {
      caseId: id,
      actor: org.gln,
      at: at.toISOString(),
      action: 'OPEN',
      fromState: null,
      toState: CaseState.OPEN,
      resolution: null,
      message: summary,
      attachments: [],
      opening: { category: input.category, source, summary, counterparty: counterparty?.gln ?? null, items: epcs },
    };
    const hash = caseEntryHash(record, null);
    const signed = await this.signatures.check(org, hash, input.signature);
    const row = await this.cases.open(
      {
        id,
        category: input.category,
        state: CaseState.OPEN,
        reporterId: org.id,
        counterpartyId: counterparty?.id ?? null,
        source,
        sourceRef: null,
        summary,
        openedAt: now,
        graceUntil: addBusinessDays(now, this.config.caseGraceBusinessDays),
      },
      { items: epcs.map((epc) => ({ epc, note: null })) },
      {
        at,
        actorId: org.id,
        action: 'OPEN',
        resolution: null,
        message: summary,
        attachments: [],
        ...this.link(hash, null, signed),
      },
    );
    if (!row) throw this.invalid('id', 'unique', `a case ${id} exists already`);
    return this.toType({ row, role: 'REPORTER' }, now);
  }

  async act(org: Organization, id: string, input: CaseActionInput): Promise<CaseType> {
    const action = this.action(input);
    const owner = this.owner(input);
    const message = input.message?.trim() || null;
    if (message && message.length > MAX_MESSAGE) throw this.invalid('message', 'length', `at most ${MAX_MESSAGE} characters`);
    const attachments = input.attachments ?? [];
    const bad = attachments.findIndex((a) => !ATTACHMENT.test(a));
    if (bad >= 0) throw this.invalid(`attachments.${bad}`, 'sha256', 'an attachment is named by its hash: sha256:<64 lowercase hex>');
    const { row: found, role } = await this.visible(org, id);
    const decision = decideCaseAction(this.view(found), action, role);
    if (!decision.ok) {
      throw new CaseError(CaseErrorCode.CASE_ACTION_REFUSED, `${input.action}: ${REFUSALS[decision.refusal]}`, {
        rule: decision.refusal,
        state: found.state,
      });
    }
    // ASSIGN_OWNER is allowed to the two parties only: the side is the actor's.
    const assigned = owner && { ...owner, side: role as CaseSide };
    const now = this.clock();
    const at = this.entryTime(input.at, now);
    // Read after the case: had another change been stored since, its version check below refuses this one.
    const head = await this.cases.head(found.id);
    const previousHash = head ? `0x${head.toString('hex')}` : null;
    const record: CaseEntryRecord = {
      caseId: found.id,
      actor: org.gln,
      at: at.toISOString(),
      action: input.action,
      fromState: found.state,
      toState: decision.state,
      resolution: decision.resolution,
      message,
      attachments,
      ...(assigned ? { owner: assigned } : {}),
    };
    const hash = caseEntryHash(record, previousHash);
    const signed = await this.signatures.check(org, hash, input.signature);
    const resolvedNow = decision.state === CaseState.RESOLVED && found.state !== CaseState.RESOLVED;
    const regulatorDueAt = decision.effects.notifyRegulator
      ? regulatorNotificationDue(now)
      : decision.state === CaseState.RESOLVED
        ? found.regulatorDueAt
        : null;
    // A new determination starts a new clock; the first recorded filing stops it (a follow-up keeps the first time).
    const regulatorNotifiedAt =
      action.kind === 'RECORD_FILING'
        ? (found.regulatorNotifiedAt ?? now)
        : decision.effects.notifyRegulator || decision.state !== CaseState.RESOLVED
          ? null
          : found.regulatorNotifiedAt;
    const notifications =
      decision.effects.notifyPartners && regulatorDueAt ? await this.partners.plan(found, found.version + 1, now, regulatorDueAt) : [];
    const changed = await this.cases.change(
      found.id,
      found.version,
      {
        state: decision.state,
        resolution: decision.resolution,
        resolvedAt: decision.state === CaseState.RESOLVED ? (resolvedNow ? now : found.resolvedAt) : null,
        regulatorDueAt,
        regulatorNotifiedAt,
        reporterOwner: assigned?.side === 'REPORTER' ? owner : found.reporterOwner,
        counterpartyOwner: assigned?.side === 'COUNTERPARTY' ? owner : found.counterpartyOwner,
      },
      {
        at,
        actorId: org.id,
        action: input.action,
        fromState: found.state,
        toState: decision.state,
        resolution: decision.resolution,
        message,
        attachments,
        owner: assigned,
        ...this.link(hash, previousHash, signed),
      },
      notifications,
    );
    if (!changed)
      throw new CaseError(CaseErrorCode.CASE_CHANGED, `case ${found.number} changed since it was read: reload it and try again`, { id });
    return this.toType({ row: changed, role }, now);
  }

  async get(org: Organization, id: string): Promise<CaseType> {
    return this.toType(await this.visible(org, id), this.clock());
  }

  async list(org: Organization, filter: CaseFilter | null, args: ConnectionArgs): Promise<CaseConnectionType> {
    const request = pageRequest(args);
    const size = request.size ?? DEFAULT_PAGE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)
      throw this.invalid(request.sizeField, 'range', `must be an integer from 1 to ${MAX_PAGE}`);
    const cursor = request.cursor === null ? null : this.cursor(request.cursor, request.cursorField);
    const now = this.clock();
    const criteria = {
      states: filter?.state,
      categories: filter?.category,
      overdueAt: filter?.overdue ? now : undefined,
      regulatorOverdueAt: filter?.regulatorOverdue ? now : undefined,
      epc: filter?.epc == null ? undefined : this.epc(filter.epc, 'filter.epc'),
      open: filter?.open ?? undefined,
    };
    const page = await this.cases.page(this.visibility(org), criteria, size, cursor, request.direction);
    const visible = await this.rolesOf(org, page.cases);
    const edges = visible.map((c) => ({
      cursor: Buffer.from(`case:${c.row.number}`).toString('base64url'),
      node: this.toType(c, now),
    }));
    return connection(request, edges, page.hasMore);
  }

  async counts(org: Organization): Promise<CaseCountsType> {
    const c = await this.cases.counts(this.visibility(org), this.clock());
    return {
      open: c.open,
      investigating: c.investigating,
      escalated: c.escalated,
      unresolved: c.open + c.investigating + c.escalated,
      overdue: c.overdue,
      regulatorOverdue: c.regulatorOverdue,
      resolved: c.resolved,
      resolutions: [
        { resolution: CaseResolution.CLEARED, count: c.cleared },
        { resolution: CaseResolution.TECHNICAL_CAUSE, count: c.technicalCause },
        { resolution: CaseResolution.ILLEGITIMATE, count: c.illegitimate },
      ],
    };
  }

  /** Read after the case itself was: whoever sees the case sees its packs and history. */
  async items(c: CaseType): Promise<CaseItemType[]> {
    return (await this.cases.items(c.id)).map((i) => ({ epc: i.epc, note: i.note ?? undefined }));
  }

  /** The class quantities a receipt found different (none for a case opened any other way). */
  async quantities(c: CaseType): Promise<CaseQuantityType[]> {
    return (await this.cases.quantities(c.id)).map((q) => ({ ...q, uom: q.uom ?? undefined }));
  }

  /** Every change, oldest first; what the parties wrote (messages, attachments, owners) only to whom caseAccess lets read it. */
  async history(c: CaseType): Promise<CaseEntryType[]> {
    return (await this.cases.history(c.id)).map((e) => ({
      actorId: e.actorId,
      at: e.at,
      action: e.action === 'OPEN' ? undefined : (e.action as CaseActionKind),
      fromState: (e.fromState as CaseState | null) ?? undefined,
      toState: e.toState as CaseState,
      resolution: (e.resolution as CaseResolution | null) ?? undefined,
      message: c.access.messages ? (e.message ?? undefined) : undefined,
      attachments: c.access.messages ? e.attachments : [],
      hash: e.hash ? `0x${e.hash.toString('hex')}` : undefined,
      previousHash: e.previousHash ? `0x${e.previousHash.toString('hex')}` : undefined,
      signer: e.signer ?? undefined,
      owner: e.owner && c.access.owners ? ownerType(e.owner) : undefined,
      ownerSide: (e.owner?.side as CaseViewerRole | undefined) ?? undefined,
    }));
  }

  /**
   * The time of a new entry: the server's clock, or the one a client gives (to sign an entry it must know its time),
   * if within MAX_CLOCK_SKEW_MS of the server's; to the millisecond, as hashed.
   */
  private entryTime(given: string | undefined, now: Date): Date {
    if (given === undefined) return now;
    const at = new Date(given);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(given) || Number.isNaN(at.getTime()))
      throw this.invalid('at', 'date-time', 'an ISO 8601 UTC time, e.g. 2026-12-03T10:00:00.000Z');
    if (Math.abs(at.getTime() - now.getTime()) > MAX_CLOCK_SKEW_MS)
      throw this.invalid(
        'at',
        'clock-skew',
        `must be within ${MAX_CLOCK_SKEW_MS / 60_000} minutes of the server's time ${now.toISOString()}`,
      );
    return at;
  }

  private link(hash: string, previousHash: string | null, signed: { signer: string; signature: Buffer } | null) {
    return {
      hash: Buffer.from(hash.slice(2), 'hex'),
      previousHash: previousHash === null ? null : Buffer.from(previousHash.slice(2), 'hex'),
      signer: signed?.signer ?? null,
      signature: signed?.signature ?? null,
    };
  }

  private viewer(org: Organization): CaseViewer {
    return { id: org.id, role: org.role, companyPrefixes: org.companyPrefixes };
  }

  /** libs/domain caseListScope: what lists and counts select, the rule `visible` applies to one case. */
  private visibility(org: Organization) {
    return caseListScope(this.viewer(org));
  }

  /**
   * The caller's part in a case (libs/domain caseRole), or CASE_NOT_FOUND, as if absent, to anyone the rule leaves
   * outside. The case's products are read only when they can matter: for a manufacturer that is not a party.
   */
  private async visible(org: Organization, id: string): Promise<VisibleCase> {
    const row = UUID.test(id) ? await this.cases.byId(id) : null;
    const role = row && (await this.roleOf(org, row));
    if (!row || !role || role === 'OUTSIDER') throw new CaseError(CaseErrorCode.CASE_NOT_FOUND, `no case ${id} that you may see`, { id });
    return { row, role };
  }

  private async roleOf(org: Organization, row: CaseRow): Promise<CaseRole> {
    const products = this.mayOwnProducts(org, row) ? gtinsOf((await this.cases.items(row.id)).map((i) => i.epc)) : [];
    return caseRole(row, this.viewer(org), products);
  }

  /** Whether the case's products can change the caller's role: a manufacturer with prefixes, not a party to it. */
  private mayOwnProducts(org: Organization, row: CaseRow): boolean {
    return org.role === 'MANUFACTURER' && org.companyPrefixes.length > 0 && row.reporterId !== org.id && row.counterpartyId !== org.id;
  }

  /**
   * The roles on a page of cases the list scope selected, the items of a page read in one query when needed. The scope
   * and the rule agree (case-lists.spec checks it); a row the rule leaves outside is not shown.
   */
  private async rolesOf(org: Organization, rows: CaseRow[]): Promise<VisibleCase[]> {
    const unsure = rows.filter((r) => this.mayOwnProducts(org, r)).map((r) => r.id);
    const items = unsure.length ? await this.cases.itemsOf(unsure) : new Map<string, { epc: string }[]>();
    return rows.flatMap((row) => {
      const role = caseRole(row, this.viewer(org), gtinsOf((items.get(row.id) ?? []).map((i) => i.epc)));
      return role === 'OUTSIDER' ? [] : [{ row, role }];
    });
  }

  private action(input: CaseActionInput): CaseAction {
    if (input.action === CaseActionKind.RESOLVE) {
      if (!input.resolution)
        throw this.invalid('resolution', 'required', 'RESOLVE needs a resolution: CLEARED, TECHNICAL_CAUSE or ILLEGITIMATE');
      return { kind: 'RESOLVE', resolution: input.resolution };
    }
    if (input.resolution) throw this.invalid('resolution', 'only-with-resolve', 'a resolution goes only with RESOLVE');
    return { kind: input.action };
  }

  /** The owner an ASSIGN_OWNER names, checked; any other action names none. */
  private owner(input: CaseActionInput): CaseOwner | null {
    if (input.action !== CaseActionKind.ASSIGN_OWNER) {
      if (input.owner) throw this.invalid('owner', 'only-with-assign-owner', 'an owner goes only with ASSIGN_OWNER');
      return null;
    }
    if (!input.owner) throw this.invalid('owner', 'required', 'ASSIGN_OWNER needs the owner: at least a name');
    return this.checkedOwner(input.owner);
  }

  /**
   * An owner checked member by member (INVALID_CASE naming `owner.<member>`), optional members left empty left out;
   * an import checks its reporter's owner with this before it opens the case.
   */
  checkedOwner(given: CaseOwnerInput): CaseOwner {
    const text = (field: keyof CaseOwnerInput, required = false): string | undefined => {
      const value = given[field]?.trim();
      if (!value) {
        if (required) throw this.invalid(`owner.${field}`, 'required', 'the owner needs a name');
        return undefined;
      }
      if (value.length > MAX_OWNER_TEXT) throw this.invalid(`owner.${field}`, 'length', `at most ${MAX_OWNER_TEXT} characters`);
      return value;
    };
    const owner: CaseOwner = { name: text('name', true)! };
    const [title, email, phone] = [text('title'), text('email'), text('phone')];
    if (title) owner.title = title;
    if (email) {
      if (!EMAIL.test(email)) throw this.invalid('owner.email', 'email', 'an e-mail address, e.g. dana@pharmacy.example');
      owner.email = email;
    }
    if (phone) {
      if (!PHONE.test(phone)) throw this.invalid('owner.phone', 'phone', 'a telephone number, e.g. +1 555 0100 ext. 12');
      owner.phone = phone;
    }
    return owner;
  }

  private epcs(values: string[]): string[] {
    if (values.length > MAX_EPCS) throw this.invalid('epcs', 'max-items', `at most ${MAX_EPCS} packs a case`);
    return [...new Set(values.map((value, i) => this.epc(value, `epcs.${i}`)))];
  }

  private epc(value: string, field: string): string {
    try {
      return canonicalEpc(value.trim());
    } catch (e) {
      if (e instanceof Gs1Error) throw this.invalid(field, e.rule, e.message);
      throw e;
    }
  }

  private async counterparty(ref: string): Promise<Organization> {
    const key = ref.trim();
    const org = UUID.test(key) ? await this.organizations.byId(key) : /^\d{13}$/.test(key) ? await this.organizations.byGln(key) : null;
    if (!org) throw this.invalid('counterparty', 'registered', 'no registered organization has this id or GLN');
    return org;
  }

  private cursor(cursor: string, field: string): string {
    const match = /^case:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match) throw this.invalid(field, 'cursor', 'is not a cursor this server issued');
    return match[1];
  }

  private view(row: CaseRow) {
    return {
      reporterId: row.reporterId,
      counterpartyId: row.counterpartyId,
      state: row.state as CaseState,
      resolution: row.resolution as CaseResolution | null,
      category: row.category as CaseCategory,
    };
  }

  private toType({ row, role }: VisibleCase, now: Date): CaseType {
    const view = this.view(row);
    const access = caseAccess(role);
    return {
      access,
      viewerRole: role,
      reporterOwner: access.owners && row.reporterOwner ? ownerType(row.reporterOwner) : undefined,
      counterpartyOwner: access.owners && row.counterpartyOwner ? ownerType(row.counterpartyOwner) : undefined,
      id: row.id,
      number: Number(row.number),
      reporterId: row.reporterId,
      counterpartyId: row.counterpartyId,
      sourceRef: row.sourceRef,
      category: view.category,
      state: view.state,
      resolution: view.resolution ?? undefined,
      summary: row.summary,
      source: row.source,
      openedAt: row.openedAt,
      graceUntil: row.graceUntil,
      overdue: view.state !== CaseState.RESOLVED && row.graceUntil.getTime() < now.getTime(),
      resolvedAt: row.resolvedAt ?? undefined,
      regulatorDueAt: row.regulatorDueAt ?? undefined,
      regulatorNotifiedAt: row.regulatorNotifiedAt ?? undefined,
      regulatorOverdue: !!row.regulatorDueAt && !row.regulatorNotifiedAt && row.regulatorDueAt.getTime() < now.getTime(),
      quarantining: quarantines(view),
    };
  }

  private invalid(field: string, rule: string, message: string): CaseError {
    return new CaseError(CaseErrorCode.INVALID_CASE, `${field}: ${message}`, { field, rule });
  }
}

function ownerType(owner: CaseOwnerRow): { name: string; title?: string; email?: string; phone?: string } {
  return { name: owner.name, title: owner.title, email: owner.email, phone: owner.phone };
}

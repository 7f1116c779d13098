import type { Organization } from '@pharmatrace/domain';
import {
  buildEuNcaNotification,
  buildFda3911,
  CaseRefusal,
  CaseResolution,
  CaseState,
  EuNcaNotification,
  Fda3911,
  Fda3911NotificationType,
  fda3911Lines,
  NotifiedPack,
  NotifiedProduct,
  NotifyingOrganization,
  RegulatorNotificationInput,
} from '@pharmatrace/domain';
import { Inject, Injectable } from '@nestjs/common';
import { Gs1Error, parseEpc } from '@pharmatrace/gs1';
import { CaseNotificationRepository, MasterDataRepository, MasterDataVersion, PackFacts } from '@pharmatrace/persistence';
import { Clock, CLOCK } from '../common/clock';
import { OrganizationDirectory } from '../common/organization.directory';
import { locationSpellings } from '../events/event-filter.parser';
import { MasterDataService } from '../master-data/master-data.service';
import { CaseError, CaseErrorCode } from './case.error';
import { CaseService } from './case.service';
import { CaseActionKind, CaseType } from './case.types';
import { writeTextPdf } from './text-pdf.writer';

const MDA = 'urn:epcglobal:cbv:mda#';

function attribute(version: MasterDataVersion | undefined, name: string): string | null {
  const value = version?.attributes.find((a) => a.id === MDA + name)?.value;
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/** The GTIN and serial an identifier carries, for a pack the platform has no state of (product without data). */
function fromIdentifier(epc: string): NotifiedPack {
  try {
    const parsed = parseEpc(epc);
    if (parsed.kind === 'sgtin') return { epc, gtin: parsed.gtin, serial: parsed.serial, lot: null, expiry: null };
  } catch (e) {
    if (!(e instanceof Gs1Error)) throw e;
  }
  return { epc, gtin: null, serial: null, lot: null, expiry: null };
}

/**
 * The regulator notifications of a case resolved as illegitimate, for whoever sees the case (its parties, regulators):
 * Form FDA 3911 as data and as a printable PDF, and the EU national-authority notification. Built by the pure builders
 * of libs/domain from the case, its history, its packs' states, the manufacturer's product master data and the
 * reporter's location master data.
 */
@Injectable()
export class RegulatorFormService {
  constructor(
    private readonly cases: CaseService,
    private readonly notifications: CaseNotificationRepository,
    private readonly organizations: OrganizationDirectory,
    private readonly masterData: MasterDataService,
    private readonly masterDataVersions: MasterDataRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async fda3911(org: Organization, id: string, type?: Fda3911NotificationType): Promise<Fda3911> {
    const c = await this.cases.get(org, id);
    return buildFda3911(await this.input(this.illegitimate(c)), type);
  }

  /**
   * The form of a case already read (the GraphQL field): null unless it was resolved as illegitimate, and to whoever
   * may not read the forms (the product's manufacturer: they carry the parties' narrative and owner).
   */
  async fda3911Of(c: CaseType, type?: Fda3911NotificationType): Promise<Fda3911 | null> {
    return c.access.forms && this.isIllegitimate(c) ? buildFda3911(await this.input(c), type) : null;
  }

  async fda3911Pdf(org: Organization, id: string, type?: Fda3911NotificationType): Promise<{ number: number; pdf: Buffer }> {
    const c = await this.cases.get(org, id);
    const form = buildFda3911(await this.input(this.illegitimate(c)), type);
    const pdf = writeTextPdf({ title: `Form FDA 3911 - case ${c.number}`, createdAt: this.clock(), blocks: fda3911Lines(form) });
    return { number: c.number, pdf };
  }

  async euNotification(org: Organization, id: string): Promise<EuNcaNotification> {
    const c = await this.cases.get(org, id);
    return buildEuNcaNotification(await this.input(this.illegitimate(c)), this.alertIds(c));
  }

  async euNotificationOf(c: CaseType): Promise<EuNcaNotification | null> {
    return c.access.forms && this.isIllegitimate(c) ? buildEuNcaNotification(await this.input(c), this.alertIds(c)) : null;
  }

  private alertIds(c: CaseType): string[] {
    return c.source === 'ALERT' && c.sourceRef ? [c.sourceRef] : [];
  }

  private isIllegitimate(c: CaseType): boolean {
    return c.state === CaseState.RESOLVED && c.resolution === CaseResolution.ILLEGITIMATE;
  }

  /** A case whose forms the caller reads over REST: resolved as illegitimate, and the caller a party or a regulator. */
  private illegitimate(c: CaseType): CaseType {
    if (!c.access.forms)
      throw new CaseError(CaseErrorCode.CASE_ACTION_REFUSED, `case ${c.number}: the regulator forms are for its parties and regulators`, {
        rule: CaseRefusal.PARTIES_ONLY,
        state: c.state,
      });
    if (this.isIllegitimate(c)) return c;
    throw new CaseError(CaseErrorCode.CASE_ACTION_REFUSED, `case ${c.number} is not resolved as illegitimate: there is nothing to notify`, {
      rule: 'NOT_ILLEGITIMATE',
      state: c.state,
    });
  }

  private async input(c: CaseType): Promise<RegulatorNotificationInput> {
    const [history, items, notified] = await Promise.all([this.cases.history(c), this.cases.items(c), this.notifications.forCase(c.id)]);
    const epcs = items.map((i) => i.epc);
    const facts = new Map((await this.notifications.packs(epcs)).map((f) => [f.epc, f]));
    const packs = epcs.map((epc) => (facts.has(epc) ? this.known(facts.get(epc)!) : fromIdentifier(epc)));
    const names = await this.organizations.byIds([
      ...new Set([
        c.reporterId,
        ...history.map((e) => e.actorId),
        ...notified.map((n) => n.organizationId),
        ...[...facts.values()].flatMap((f) => f.commissionedBy ?? []),
      ]),
    ]);
    const reporter = names.get(c.reporterId)!;
    return {
      case: {
        id: c.id,
        number: c.number,
        category: c.category,
        summary: c.summary,
        openedAt: c.openedAt,
        resolvedAt: c.resolvedAt!,
        history: history.map((e) => ({
          at: e.at,
          actor: names.get(e.actorId)?.name ?? e.actorId,
          action: [e.action ?? 'OPEN', e.resolution].filter(Boolean).join(' '),
          message: e.message ?? null,
        })),
        filings: history.filter((e) => e.action === CaseActionKind.RECORD_FILING).map((e) => ({ at: e.at, message: e.message ?? null })),
      },
      reporter: await this.notifying(reporter, c),
      packs,
      products: await this.products([...facts.values()], names),
      partnersNotified: [
        ...new Set(notified.filter((n) => n.status === 'delivered').map((n) => names.get(n.organizationId)?.name ?? n.organizationId)),
      ],
    };
  }

  private known(f: PackFacts): NotifiedPack {
    return { epc: f.epc, gtin: f.gtin, serial: f.serial, lot: f.lot, expiry: f.expiry };
  }

  /** The product facts each manufacturer published for the GTINs of the packs it commissioned. */
  private async products(facts: PackFacts[], names: Map<string, Organization>): Promise<NotifiedProduct[]> {
    const pairs = new Map<string, string>();
    for (const f of facts) if (f.gtin && f.commissionedBy && !pairs.has(f.gtin)) pairs.set(f.gtin, f.commissionedBy);
    return Promise.all(
      [...pairs].map(async ([gtin, manufacturerId]) => {
        const product = await this.masterData.publishedProductFacts(gtin, manufacturerId);
        const maker = names.get(manufacturerId);
        return {
          gtin,
          name: product?.name ?? null,
          strength: product?.strength ?? null,
          dosageForm: product?.dosageForm ?? null,
          manufacturer: maker ? { name: maker.name, gln: maker.gln } : null,
        };
      }),
    );
  }

  /**
   * The organization with the address of its main location, from the location master data it published itself, and
   * the person the reporter named as its owner of the case.
   */
  private async notifying(org: Organization, c: CaseType): Promise<NotifyingOrganization> {
    const [own] = await this.masterDataVersions.latest(
      'urn:epcglobal:epcis:vtype:BusinessLocation',
      locationSpellings(`https://id.gs1.org/414/${org.gln}`),
      [org.id],
    );
    const address = own && {
      street: attribute(own, 'streetAddressOne'),
      city: attribute(own, 'city'),
      state: attribute(own, 'state'),
      postalCode: attribute(own, 'postalCode'),
      countryCode: attribute(own, 'countryCode'),
    };
    return {
      name: org.name,
      gln: org.gln,
      role: org.role,
      address: address && Object.values(address).some((v) => v !== null) ? address : null,
      owner: c.reporterOwner ? { ...c.reporterOwner } : null,
    };
  }
}

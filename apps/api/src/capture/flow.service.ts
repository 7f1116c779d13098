import type { Organization } from '@pharmatrace/domain';
import { Inject, Injectable } from '@nestjs/common';
import {
  commissioningEvent,
  decommissioningEvent,
  epcisDocument,
  Json,
  packingEvent,
  parseIsoDate,
  receivingEvent,
  shippingEvent,
  unpackingEvent,
} from '@pharmatrace/epcis';
import {
  companyPrefixCandidates,
  companyPrefixDigits,
  companyPrefixLengthFor,
  type CompanyPrefixes,
  Epc,
  epcToUrn,
  Gs1Error,
  isValidGln,
  parseEpc,
  validateAiValue,
} from '@pharmatrace/gs1';
import { OrganizationRepository } from '@pharmatrace/persistence';
import { CLOCK, Clock } from '../common/clock';
import { CaptureService } from './capture.service';
import { FlowError } from './flow.error';
import { CommissionInput, DecommissionInput, FlowResult, PackInput, ReceiveInput, ShipInput, UnpackInput } from './flow.types';

/** CBV 2.0 dispositions that say why an item left the supply chain. */
const DECOMMISSION_REASONS = [
  'inactive',
  'damaged',
  'expired',
  'recalled',
  'stolen',
  'non_sellable_other',
  'destroyed',
  'disposed',
  'unavailable',
];

function gs1<T>(field: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof Gs1Error) throw new FlowError(field, e.code, e.message);
    throw e;
  }
}

/**
 * The pharmaceutical flow as typed operations: each builds a standard EPCIS 2.0 document and stores it through
 * CaptureService, so validation, hashing, permissions and all-or-nothing storage are those of any capture.
 */
@Injectable()
export class FlowService {
  constructor(
    private readonly capture: CaptureService,
    private readonly organizations: OrganizationRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async commission(org: Organization, input: CommissionInput): Promise<FlowResult> {
    if (!parseIsoDate(input.expiry)) {
      throw new FlowError('expiry', 'format:date', `"${input.expiry}" is not a calendar date YYYY-MM-DD`);
    }
    if (!input.serials.length) throw new FlowError('serials', 'non-empty', 'name at least one serial');
    const prefixes = await this.prefixesFor(input.gtin, input.location);
    const length = gs1('gtin', () => companyPrefixLengthFor(input.gtin, prefixes));
    // AI (21)'s rules checked here, so a bad serial is named as the flow's own field, not as the event's epcList.
    const epcs = input.serials.map((serial, i) =>
      gs1(`serials.${i}`, () => {
        validateAiValue('21', serial);
        return epcToUrn({ kind: 'sgtin', gtin: input.gtin, serial }, length);
      }),
    );
    const location = this.location('location', input.location, prefixes);
    return this.write(org, [
      commissioningEvent({
        eventTime: this.clock(),
        epcs,
        lot: input.lot,
        expiry: input.expiry,
        bizLocation: location,
        readPoint: location,
      }),
    ]);
  }

  async pack(org: Organization, input: PackInput): Promise<FlowResult> {
    if (!input.children.length) throw new FlowError('children', 'non-empty', 'name at least one child');
    const prefixes = await this.prefixesFor(input.parent, org.gln);
    const parent = this.sscc('parent', input.parent, prefixes);
    return this.write(org, [packingEvent({ eventTime: this.clock(), parent, children: input.children, ...this.here(org, prefixes) })]);
  }

  async unpack(org: Organization, input: UnpackInput): Promise<FlowResult> {
    const prefixes = await this.prefixesFor(input.parent, org.gln);
    const parent = this.sscc('parent', input.parent, prefixes);
    return this.write(org, [
      unpackingEvent({ eventTime: this.clock(), parent, children: input.children ?? undefined, ...this.here(org, prefixes) }),
    ]);
  }

  async ship(org: Organization, input: ShipInput): Promise<FlowResult> {
    this.nonEmpty('epcs', input.epcs);
    const prefixes = await this.prefixesFor(input.to, org.gln);
    const to = this.party('to', input.to, prefixes);
    const from = this.ownParty(org, prefixes);
    return this.write(org, [shippingEvent({ eventTime: this.clock(), epcs: input.epcs, to, from, ...this.here(org, prefixes) })]);
  }

  async receive(org: Organization, input: ReceiveInput): Promise<FlowResult> {
    this.nonEmpty('epcs', input.epcs);
    const prefixes = await this.prefixesFor(input.from, org.gln);
    const from = input.from ? this.party('from', input.from, prefixes) : undefined;
    const to = this.ownParty(org, prefixes);
    return this.write(org, [receivingEvent({ eventTime: this.clock(), epcs: input.epcs, from, to, ...this.here(org, prefixes) })]);
  }

  async decommission(org: Organization, input: DecommissionInput): Promise<FlowResult> {
    this.nonEmpty('epcs', input.epcs);
    const reason = input.reason ?? 'inactive';
    if (!DECOMMISSION_REASONS.includes(reason)) {
      throw new FlowError('reason', 'cbv-disposition', `"${reason}" is not one of ${DECOMMISSION_REASONS.join(', ')}`);
    }
    const prefixes = await this.prefixesFor(org.gln);
    return this.write(org, [
      decommissioningEvent({ eventTime: this.clock(), epcs: input.epcs, disposition: reason, ...this.here(org, prefixes) }),
    ]);
  }

  /**
   * The registered company prefixes the keys given (GTINs, SSCCs, GLNs) could start with: seven candidates a key,
   * read by key. A value that is no such key has none; the conversion that needs it then says what is wrong with it.
   */
  private prefixesFor(...keys: (string | null | undefined)[]): Promise<CompanyPrefixes> {
    const candidates = keys.flatMap((key) => {
      if (!key || !/^(\d{8}|\d{12,14}|\d{18})$/.test(key)) return [];
      try {
        return companyPrefixCandidates(companyPrefixDigits(key));
      } catch (e) {
        if (e instanceof Gs1Error) return [];
        throw e;
      }
    });
    return this.organizations.registeredCompanyPrefixes(candidates);
  }

  private async write(org: Organization, events: Json[]): Promise<FlowResult> {
    const result = await this.capture.capture(org, epcisDocument(events));
    return { ...result, events };
  }

  private nonEmpty(field: string, values: string[]) {
    if (!values.length) throw new FlowError(field, 'non-empty', 'name at least one EPC');
  }

  private glnUrn(field: string, gln: string, kind: 'sgln' | 'pgln', prefixes: CompanyPrefixes): string {
    if (!isValidGln(gln)) throw new FlowError(field, 'gln', `"${gln}" is not a 13-digit GLN with a valid check digit`);
    const length = gs1(field, () => companyPrefixLengthFor(gln, prefixes));
    return gs1(field, () => epcToUrn({ kind, gln } as Epc, length));
  }

  /** A GLN becomes an SGLN URN (the company prefix length comes from the registered organizations); an SGLN stays as given. */
  private location(field: string, value: string, prefixes: CompanyPrefixes): string {
    if (/^\d{13}$/.test(value)) return this.glnUrn(field, value, 'sgln', prefixes);
    if (gs1(field, () => parseEpc(value).kind) !== 'sgln') throw new FlowError(field, 'sgln', `"${value}" is not an SGLN or a GLN`);
    return value;
  }

  private party(field: string, gln: string, prefixes: CompanyPrefixes): string {
    if (!/^\d{13}$/.test(gln)) throw new FlowError(field, 'gln', `"${gln}" is not a 13-digit GLN`);
    return this.glnUrn(field, gln, 'pgln', prefixes);
  }

  private sscc(field: string, value: string, prefixes: CompanyPrefixes): string {
    if (!/^\d{18}$/.test(value)) {
      const kind = gs1(field, () => parseEpc(value).kind);
      if (kind !== 'sscc') throw new FlowError(field, 'sscc', `"${value}" is not an SSCC`);
      return value;
    }
    const length = gs1(field, () => companyPrefixLengthFor(value, prefixes));
    return gs1(field, () => epcToUrn({ kind: 'sscc', sscc: value }, length));
  }

  /**
   * The caller's own GLN as party and place. Organizations without a registered company prefix covering their GLN
   * (distributors and pharmacies often have none) write events without it rather than be refused.
   */
  private ownParty(org: Organization, prefixes: CompanyPrefixes): string | undefined {
    return this.ownGln(org, 'pgln', prefixes);
  }

  private here(org: Organization, prefixes: CompanyPrefixes): { bizLocation?: string } {
    const sgln = this.ownGln(org, 'sgln', prefixes);
    return sgln ? { bizLocation: sgln } : {};
  }

  private ownGln(org: Organization, kind: 'sgln' | 'pgln', prefixes: CompanyPrefixes): string | undefined {
    try {
      return epcToUrn({ kind, gln: org.gln } as Epc, companyPrefixLengthFor(org.gln, prefixes));
    } catch (e) {
      if (e instanceof Gs1Error) return undefined;
      throw e;
    }
  }
}

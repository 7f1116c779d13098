import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import {
  AlertCode,
  CORRECTION_ADVICE,
  CorrectionKind,
  nmvsCodeFor,
  ScanCandidate,
  scanCorrections,
  Verdict,
  verdictFor,
  Viewer,
} from '@pharmatrace/domain';
import { Gs1Error, PackIdentity, packEpc, parsePackScan } from '@pharmatrace/gs1';
import { VerificationRepository, VerificationView } from '@pharmatrace/persistence';
import { OrganizationDirectory } from '../common/organization.directory';
import { ApiMetrics } from '../metrics/api.metrics';
import { OrganizationType } from '../organizations/organization.types';
import { ReadPolicyService } from '../policy/read-policy.service';
import { MasterDataService, ProductFacts } from '../master-data/master-data.service';
import { VerificationError, VerificationErrorCode } from './verification.error';
import { VerdictType } from './verification.types';

export interface Evaluation {
  scan: PackIdentity;
  epc: string;
  view: VerificationView;
  verdict: Verdict;
  correction?: { kind: CorrectionKind };
  ambiguousReadings: number;
  /**
   * Who holds the pack now, from the organization cache, and the container it sits in: null unless the read policy
   * shows them to the viewer (never to an anonymous one).
   */
  custodian: Organization | null;
  container: string | null;
}

export type Judged = Omit<Evaluation, 'custodian' | 'container'>;

/**
 * An evaluation, field by field. Every verification makes one, and `{ ...judged, custodian, container }` (properties
 * added after a spread) gave each a hidden class of its own once optimized: a map allocated in the old generation per
 * scan, and every reader of evaluations megamorphic (docs/benchmarks.md, "Garbage a GraphQL request left in the old
 * generation").
 */
export function withParties(judged: Judged, custodian: Organization | null, container: string | null): Evaluation {
  return {
    scan: judged.scan,
    epc: judged.epc,
    view: judged.view,
    verdict: judged.verdict,
    correction: judged.correction,
    ambiguousReadings: judged.ambiguousReadings,
    custodian,
    container,
  };
}

const DAY_MS = 86_400_000;
let today = { day: -1, iso: '' };

/** Today's date (UTC, ISO), formatted once a day rather than on every scan. */
function todayUtc(): string {
  const day = Math.floor(Date.now() / DAY_MS);
  if (day !== today.day) today = { day, iso: new Date(day * DAY_MS).toISOString().slice(0, 10) };
  return today.iso;
}

/**
 * The pharmacist's scan: parse (µs), one query for the pack, its containers, lot, product and anchoring, a pure
 * verdict. Only when that finds nothing are the known scanner faults tried, all candidates in one more query.
 */
@Injectable()
export class VerificationService {
  constructor(
    private readonly verification: VerificationRepository,
    private readonly organizations: OrganizationDirectory,
    private readonly metrics: ApiMetrics,
    private readonly policy: ReadPolicyService,
    private readonly masterData: MasterDataService,
  ) {}

  /** The verdict, with the product's name, strength and form from its manufacturer's master data when it published them. */
  async verify(code: string, viewer?: Organization): Promise<VerdictType> {
    const evaluation = await this.evaluate(code, viewer);
    return this.toGraphql(evaluation, this.masterData.productFacts(evaluation.view.product?.masterData ?? null));
  }

  /** An identity given field by field (VRS), with no scan to correct. */
  async evaluateIdentity(scan: PackIdentity, viewer?: Organization): Promise<Evaluation> {
    const epc = packEpc(scan);
    const view = await this.verification.view(epc, scan.gtin, scan.lot ?? null, viewer?.id ?? null);
    return this.withCustodian({ scan, epc, view, verdict: this.judge(scan, view, viewer), ambiguousReadings: 0 }, viewer);
  }

  async evaluate(code: string, viewer?: Organization): Promise<Evaluation> {
    return this.withCustodian(await this.judgeScan(code, viewer), viewer);
  }

  /**
   * Without waiting a turn when the viewer's grants and the custodian are cached, as on nearly every scan. Every
   * evaluation ends here, so its verdict is counted here.
   */
  private withCustodian(judged: Judged, viewer?: Organization): Evaluation | Promise<Evaluation> {
    this.metrics.verdicts.inc({ status: judged.verdict.status });
    // Counted, not stored: a verification is a read, and reads never write (the advice reaches the pharmacy in the answer).
    if (judged.correction) this.metrics.scanCorrections.inc({ kind: judged.correction.kind });
    const { state, product, containers } = judged.view;
    const id = state?.custodianId ?? null;
    if (!viewer || !state) return withParties(judged, null, null);
    const pack = { gtin: judged.scan.gtin, lot: state.lot, manufacturerId: product?.manufacturerId ?? null };
    const shown = this.policy.custodyShown(viewer, pack, id);
    const show = (allowed: boolean): Evaluation | Promise<Evaluation> => {
      if (!allowed) return withParties(judged, null, null);
      const container = containers[0] ?? null;
      const custodian = id ? this.organizations.cachedById(id) : null;
      if (custodian !== undefined) return withParties(judged, custodian, container);
      return this.organizations.byId(id!).then((org) => withParties(judged, org, container));
    };
    return shown instanceof Promise ? shown.then(show) : show(shown);
  }

  private async judgeScan(code: string, viewer?: Organization): Promise<Judged> {
    let scan: PackIdentity | null = null;
    let parseError: Gs1Error | null = null;
    try {
      scan = parsePackScan(code);
    } catch (e) {
      if (!(e instanceof Gs1Error)) throw e;
      parseError = e;
    }
    if (scan) {
      const epc = packEpc(scan);
      const view = await this.verification.view(epc, scan.gtin, scan.lot ?? null, viewer?.id ?? null);
      if (view.state) {
        const verdict = this.judge(scan, view, viewer);
        const mismatch = verdict.alerts.includes(AlertCode.LOT_MISMATCH) || verdict.alerts.includes(AlertCode.EXPIRY_MISMATCH);
        return (mismatch && this.repairedAttributes(code, epc, view, viewer)) || { scan, epc, view, verdict, ambiguousReadings: 0 };
      }
      const corrected = await this.corrected(code, viewer);
      return corrected ?? { scan, epc, view, verdict: this.judge(scan, view, viewer), ambiguousReadings: await this.ambiguity(code) };
    }
    const corrected = await this.corrected(code, viewer);
    if (corrected) return corrected;
    throw new VerificationError(VerificationErrorCode.INVALID_CODE, `code: ${parseError!.message}`, {
      field: 'code',
      ai: parseError!.ai,
      rule: parseError!.rule,
    });
  }

  /** The one corrected reading that matches a pack, if exactly one does; the answer tells the pharmacy how to fix its scanner. */
  private async corrected(code: string, viewer?: Organization): Promise<Judged | null> {
    const matches = await this.matchingCorrections(code);
    if (matches.size !== 1) return null;
    const [[epc, candidate]] = matches;
    const view = await this.verification.view(epc, candidate.identity.gtin, candidate.identity.lot ?? null, viewer?.id ?? null);
    return this.judgedCorrection(candidate, epc, view, viewer);
  }

  /**
   * The pack matched but its lot or expiry did not: a fault such as an EAN run into the lot explains that too.
   * Taken only if exactly one corrected reading of this same pack matches what was commissioned.
   */
  private repairedAttributes(code: string, epc: string, view: VerificationView, viewer?: Organization): Judged | null {
    const state = view.state!;
    const fits = scanCorrections(code).filter(
      (c) =>
        packEpc(c.identity) === epc &&
        (c.identity.lot === undefined || c.identity.lot === state.lot) &&
        (c.identity.expiryDate === undefined || c.identity.expiryDate === state.expiry),
    );
    if (fits.length !== 1) return null;
    return this.judgedCorrection(fits[0], epc, view, viewer);
  }

  /** The verdict on a pack as one corrected reading identifies it. */
  private judgedCorrection(candidate: ScanCandidate, epc: string, view: VerificationView, viewer?: Organization): Judged {
    return {
      scan: candidate.identity,
      epc,
      view,
      verdict: this.judge(candidate.identity, view, viewer),
      correction: { kind: candidate.kind },
      ambiguousReadings: 0,
    };
  }

  private async ambiguity(code: string): Promise<number> {
    const n = (await this.matchingCorrections(code)).size;
    return n > 1 ? n : 0;
  }

  private async matchingCorrections(code: string) {
    const byEpc = new Map<string, ReturnType<typeof scanCorrections>[number]>();
    for (const candidate of scanCorrections(code)) {
      try {
        byEpc.set(packEpc(candidate.identity), candidate);
      } catch (e) {
        if (!(e instanceof Gs1Error)) throw e;
      }
    }
    const existing = new Set(await this.verification.existing([...byEpc.keys()]));
    return new Map([...byEpc].filter(([epc]) => existing.has(epc)));
  }

  private judge(scan: PackIdentity, view: VerificationView, viewer?: Organization): Verdict {
    const who: Viewer | undefined = viewer ? { organizationId: viewer.id, gln: viewer.gln, role: viewer.role } : undefined;
    return verdictFor({
      state: view.state,
      productKnown: view.product !== null,
      productWithdrawn: view.product?.status === 'WITHDRAWN',
      lotRecalled: view.lotRecalled,
      quarantined: view.quarantineCase !== null,
      scanned: { lot: scan.lot, expiryDate: scan.expiryDate },
      anchoring: view.anchoring,
      today: todayUtc(),
      viewer: who,
    });
  }

  toGraphql(e: Evaluation, facts: ProductFacts | null = null): VerdictType {
    const { view, verdict, scan, custodian, container } = e;
    return {
      status: verdict.status,
      saleable: verdict.saleable,
      alerts: verdict.alerts,
      anchored: verdict.anchored,
      checkedOnChain: verdict.checkedOnChain,
      nmvsCode: nmvsCodeFor(verdict.alerts) ?? undefined,
      epc: e.epc,
      product: {
        gtin: scan.gtin,
        serial: scan.serial,
        lot: view.state?.lot ?? scan.lot,
        expiry: view.state?.expiry ?? scan.expiryDate,
        name: view.product?.name ?? facts?.name ?? undefined,
        strength: facts?.strength ?? undefined,
        dosageForm: facts?.dosageForm ?? undefined,
      },
      custodian: custodian ? OrganizationType.cachedFrom(custodian) : undefined,
      container: container ?? undefined,
      correction: e.correction ? { kind: e.correction.kind, advice: CORRECTION_ADVICE[e.correction.kind], corrected: e.epc } : undefined,
      ambiguousReadings: e.ambiguousReadings,
      declaredInError: view.declaredInError,
      quarantineCase: view.quarantineCase ?? undefined,
    };
  }
}

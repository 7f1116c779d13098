import { Injectable } from '@nestjs/common';
import { verdictFor } from '@pharmatrace/domain';
import { canonicalEpc, Gs1Error, parsePackScan } from '@pharmatrace/gs1';
import { OrganizationRepository, PackRepository } from '@pharmatrace/persistence';
import { OrganizationType } from '../organizations/organization.types';
import { PackHistoryService } from '../provenance/pack-history.service';
import { VerificationError, VerificationErrorCode } from './verification.error';
import { VerdictType } from './verification.types';

@Injectable()
export class VerificationService {
  constructor(
    private readonly packs: PackRepository,
    private readonly history: PackHistoryService,
    private readonly organizations: OrganizationRepository,
  ) {}

  async verify(code: string): Promise<VerdictType> {
    const scan = this.parse(code);
    const epc = canonicalEpc(`https://id.gs1.org/01/${scan.gtin}/21/${encodeURIComponent(scan.serial)}`);
    const [state, ...containers] = await this.packs.stateWithContainers(epc);
    const events = state ? (await this.history.history(epc)).map((h) => h.event) : [];
    const anchoring = {
      eventCount: events.length,
      anchoredCount: events.filter((e) => e.batch?.status === 'MINED' || e.batch?.status === 'FINAL').length,
      finalCount: events.filter((e) => e.batch?.status === 'FINAL' && e.batch.checkedOnChain).length,
    };
    const verdict = verdictFor(state ?? null, { lot: scan.lot, expiryDate: scan.expiryDate }, anchoring, new Date().toISOString().slice(0, 10));
    const [custodian] = state?.custodianId ? await this.organizations.findByIds([state.custodianId]) : [];
    return {
      ...verdict,
      epc,
      product: { gtin: scan.gtin, serial: scan.serial, lot: state?.lot ?? scan.lot, expiry: state?.expiry ?? scan.expiryDate },
      custodian: custodian ? OrganizationType.from(custodian) : undefined,
      container: containers[0]?.epc,
    };
  }

  private parse(code: string) {
    try {
      return parsePackScan(code);
    } catch (e) {
      if (e instanceof Gs1Error) {
        throw new VerificationError(VerificationErrorCode.INVALID_CODE, `code: ${e.message}`, { field: 'code', ai: e.ai, rule: e.rule });
      }
      throw e;
    }
  }
}

import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { Gs1Error, isValidGtin, toGtin14, validateAiValue } from '@pharmatrace/gs1';
import { LotRepository } from '@pharmatrace/persistence';
import { connection, ConnectionArgs, pageRequest } from '../common/paging';
import { ReadPolicyService } from '../policy/read-policy.service';
import { LotError, LotErrorCode } from './lot.error';
import { CustodianCountType, LotPackConnectionType, LotScopeEnum, LotType, StatusCountType } from './lot.types';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

@Injectable()
export class LotService {
  constructor(
    private readonly lots: LotRepository,
    private readonly policy: ReadPolicyService,
  ) {}

  async lot(org: Organization, gtinInput: string, lot: string): Promise<LotType> {
    const gtin = this.gtin(gtinInput);
    this.lotNumber(lot);
    const view = await this.lots.view(org.id, gtin, lot);
    const held = org.role === 'DISTRIBUTOR' || org.role === 'DISPENSER' ? await this.lots.heldBy(gtin, lot, org.id) : 0;
    const scope = await this.policy.lot(org, gtin, lot, view.manufacturerId, held);
    const custodianId = scope.kind === 'own-custody' ? scope.organizationId : null;
    return {
      custodianId,
      reading: org.id,
      gtin,
      lot,
      status: view.status,
      recalled: view.status === 'RECALLED',
      reason: view.reason ?? undefined,
      scope: custodianId ? LotScopeEnum.OWN_CUSTODY : LotScopeEnum.ALL,
    };
  }

  countsByStatus(lot: LotType): Promise<StatusCountType[]> {
    return this.lots.countsByStatus(lot.reading, lot.gtin, lot.lot, lot.custodianId);
  }

  countsByCustodian(lot: LotType): Promise<CustodianCountType[]> {
    return this.lots.countsByCustodian(lot.reading, lot.gtin, lot.lot, lot.custodianId);
  }

  async packs(lot: LotType, args: ConnectionArgs): Promise<LotPackConnectionType> {
    const request = pageRequest(args);
    const size = request.size ?? DEFAULT_PAGE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)
      throw this.invalid(request.sizeField, 'range', `must be an integer from 1 to ${MAX_PAGE}`);
    const cursorEpc = request.cursor === null ? null : Buffer.from(request.cursor, 'base64url').toString('utf8');
    if (cursorEpc !== null && !cursorEpc.startsWith('https://'))
      throw this.invalid(request.cursorField, 'cursor', 'is not a cursor this server issued');
    const page = await this.lots.packs(lot.reading, lot.gtin, lot.lot, lot.custodianId, size, cursorEpc, request.direction);
    const edges = page.packs.map((p) => ({
      cursor: Buffer.from(p.epc).toString('base64url'),
      node: {
        custodianId: p.custodianId,
        epc: p.epc,
        serial: p.serial ?? undefined,
        status: p.status,
        expiry: p.expiry ?? undefined,
        container: p.containerEpc ?? undefined,
      },
    }));
    return connection(request, edges, page.hasMore);
  }

  private gtin(input: string): string {
    if (!isValidGtin(input)) throw this.invalid('gtin', 'check-digit', 'not a GTIN with a valid check digit');
    return toGtin14(input);
  }

  private lotNumber(lot: string): void {
    try {
      validateAiValue('10', lot);
    } catch (e) {
      if (e instanceof Gs1Error) throw this.invalid('lot', e.rule ?? 'ai-10', e.message);
      throw e;
    }
  }

  private invalid(field: string, rule: string, message: string): LotError {
    return new LotError(LotErrorCode.INVALID_LOT_QUERY, `${field}: ${message}`, { field, rule });
  }
}

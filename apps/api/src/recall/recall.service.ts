import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { isValidGtin, toGtin14, validateAiValue, Gs1Error } from '@pharmatrace/gs1';
import { RecallRepository } from '@pharmatrace/persistence';
import { RecallError, RecallErrorCode } from './recall.error';
import { RecallResultType } from './recall.types';

@Injectable()
export class RecallService {
  constructor(private readonly recalls: RecallRepository) {}

  async recallLot(org: Organization, gtinInput: string, lot: string, reason: string): Promise<RecallResultType> {
    const gtin = await this.authorize(org, gtinInput);
    try {
      validateAiValue('10', lot);
    } catch (e) {
      if (e instanceof Gs1Error) throw new RecallError(RecallErrorCode.INVALID_RECALL, `lot: ${e.message}`, { field: 'lot', rule: e.rule });
      throw e;
    }
    if (!reason.trim()) throw new RecallError(RecallErrorCode.INVALID_RECALL, 'reason: must not be empty', { field: 'reason' });
    const outcome = await this.recalls.recallLot(gtin, lot, reason.trim(), org.id);
    return { gtin, lot, packs: outcome.packs, custodiansAlerted: outcome.custodians.length };
  }

  async withdrawProduct(org: Organization, gtinInput: string, reason: string): Promise<boolean> {
    const gtin = await this.authorize(org, gtinInput);
    if (!reason.trim()) throw new RecallError(RecallErrorCode.INVALID_RECALL, 'reason: must not be empty', { field: 'reason' });
    return this.recalls.withdrawProduct(gtin, reason.trim(), org.id);
  }

  private async authorize(org: Organization, gtinInput: string): Promise<string> {
    if (!isValidGtin(gtinInput))
      throw new RecallError(RecallErrorCode.INVALID_RECALL, 'gtin: not a GTIN with a valid check digit', { field: 'gtin' });
    const gtin = toGtin14(gtinInput);
    const manufacturer = await this.recalls.productManufacturer(gtin);
    if (manufacturer === null)
      throw new RecallError(RecallErrorCode.UNKNOWN_PRODUCT, `no pack of GTIN ${gtin} was ever commissioned`, { field: 'gtin' });
    if (org.role !== 'REGULATOR' && manufacturer !== org.id) {
      throw new RecallError(RecallErrorCode.RECALL_FORBIDDEN, `only the manufacturer of ${gtin} or a regulator may do this`);
    }
    return gtin;
  }
}

import type { Organization } from '@pharmatrace/domain';
import { scorecardScope } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { ReceiptReconciliationRepository } from '@pharmatrace/persistence';
import { OrganizationDirectory } from '../common/organization.directory';
import { OrganizationType } from '../organizations/organization.types';
import { CaseError, CaseErrorCode } from './case.error';
import { SupplierScorecardType } from './scorecard.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Supplier scorecards (issue 17): what receiving reconciliation and the cases say of one trading partner. */
@Injectable()
export class ScorecardService {
  constructor(
    private readonly receipts: ReceiptReconciliationRepository,
    private readonly organizations: OrganizationDirectory,
  ) {}

  async scorecard(viewer: Organization, ref: string): Promise<SupplierScorecardType> {
    const key = ref.trim();
    const supplier = UUID.test(key)
      ? await this.organizations.byId(key)
      : /^\d{13}$/.test(key)
        ? await this.organizations.byGln(key)
        : null;
    if (!supplier) {
      throw new CaseError(CaseErrorCode.INVALID_CASE, 'supplier: no registered organization has this id or GLN', {
        field: 'supplier',
        rule: 'registered',
      });
    }
    const score = await this.receipts.scorecard(supplier.id, scorecardScope(viewer).receiverId);
    return {
      supplier: OrganizationType.cachedFrom(supplier),
      ...score,
      cleanShare: score.shipmentsReceived ? score.shipmentsClean / score.shipmentsReceived : undefined,
      medianTimeToDataSeconds: score.medianTimeToDataSeconds ?? undefined,
    };
  }
}

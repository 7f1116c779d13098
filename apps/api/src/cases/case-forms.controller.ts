import type { Fda3911, Fda3911NotificationType, EuNcaNotification, Organization } from '@pharmatrace/domain';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentOrganization } from '../common/auth.decorators';
import { CaseError, CaseErrorCode } from './case.error';
import { Fda3911NotificationKind } from './case.types';
import { RegulatorFormService } from './regulator-form.service';

function notificationType(value: string | undefined): Fda3911NotificationType | undefined {
  if (value === undefined) return undefined;
  if (value in Fda3911NotificationKind) return value as Fda3911NotificationType;
  throw new CaseError(CaseErrorCode.INVALID_CASE, `type: one of ${Object.keys(Fda3911NotificationKind).join(', ')}`, {
    field: 'type',
    rule: 'enum',
  });
}

/**
 * A case's regulator notifications over REST, for whoever sees the case: `GET /cases/{id}/fda-3911` (JSON),
 * `GET /cases/{id}/fda-3911.pdf` (printable), `GET /cases/{id}/eu-nca-notification` (JSON); `?type=` INITIAL,
 * FOLLOW_UP or REQUEST_FOR_TERMINATION for the 3911.
 */
@Controller('cases')
export class CaseFormsController {
  constructor(private readonly forms: RegulatorFormService) {}

  @Get(':id/fda-3911.pdf')
  async fda3911Pdf(
    @Param('id') id: string,
    @Query('type') type: string | undefined,
    @CurrentOrganization() org: Organization,
    @Res() res: Response,
  ): Promise<void> {
    const { number, pdf } = await this.forms.fda3911Pdf(org, id, notificationType(type));
    res
      .type('application/pdf')
      .set('Content-Disposition', `attachment; filename="case-${number}-fda-3911.pdf"`)
      .set('Cache-Control', 'no-store')
      .send(pdf);
  }

  @Get(':id/fda-3911')
  fda3911(@Param('id') id: string, @Query('type') type: string | undefined, @CurrentOrganization() org: Organization): Promise<Fda3911> {
    return this.forms.fda3911(org, id, notificationType(type));
  }

  @Get(':id/eu-nca-notification')
  euNcaNotification(@Param('id') id: string, @CurrentOrganization() org: Organization): Promise<EuNcaNotification> {
    return this.forms.euNotification(org, id);
  }
}

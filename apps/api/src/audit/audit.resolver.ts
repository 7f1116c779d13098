import { Args, Int, Mutation, Resolver } from '@nestjs/graphql';
import { Roles } from '../common/auth.decorators';
import { AuditService } from './audit.service';
import { AuditReportType } from './audit.types';

@Resolver()
export class AuditResolver {
  constructor(private readonly service: AuditService) {}

  /** Regulators only: an audit reads every event body of a batch and raises alerts nobody else should trigger at will. */
  @Roles('REGULATOR')
  // A mutation: the audit records its findings (alerts, the batch's audit mark), and reads never write.
  @Mutation(() => AuditReportType, {
    description:
      "Rebuilds a mined batch from the database and compares it with the chain's Anchored log; findings are recorded as TAMPER_DETECTED alerts",
  })
  auditBatch(@Args('batchId', { type: () => Int }) batchId: number) {
    return this.service.auditBatch(batchId);
  }
}

import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../common/auth.decorators';
import { AuditLogService } from './audit-log.service';
import { AuditLogConnectionType } from './audit-log.types';

@Resolver()
export class AuditLogResolver {
  constructor(private readonly service: AuditLogService) {}

  @Roles('REGULATOR')
  @Query(() => AuditLogConnectionType, {
    description:
      'Administrative and status actions (organizations, licences, grants, recalls, withdrawals, locks) newest first, with actor, time, before and after: regulators only',
  })
  auditLog(
    @Args('first', { type: () => Int, nullable: true }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('last', { type: () => Int, nullable: true }) last: number | null,
    @Args('before', { type: () => String, nullable: true }) before: string | null,
    @Args('action', { type: () => String, nullable: true }) action: string | null,
    @Args('subjectId', { type: () => String, nullable: true }) subjectId: string | null,
  ): Promise<AuditLogConnectionType> {
    return this.service.list({ first, after, last, before }, action, subjectId);
  }
}

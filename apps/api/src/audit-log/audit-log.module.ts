import { Global, Module } from '@nestjs/common';
import { AuditLogResolver } from './audit-log.resolver';
import { AuditLogService } from './audit-log.service';

/** Global: organizations and dispensing record their actions through AuditLogService. */
@Global()
@Module({ providers: [AuditLogService, AuditLogResolver], exports: [AuditLogService] })
export class AuditLogModule {}

import { Module } from '@nestjs/common';
import { AuditChainGateway } from './audit-chain.gateway';
import { AuditResolver } from './audit.resolver';
import { AuditRunner } from './audit.runner';
import { AuditService } from './audit.service';

@Module({ providers: [AuditChainGateway, AuditService, AuditRunner, AuditResolver], exports: [AuditService, AuditRunner] })
export class AuditModule {}

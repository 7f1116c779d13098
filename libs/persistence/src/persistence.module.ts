import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source';
import { AnchorRepository } from './repositories/anchor.repository';
import { CaptureJobRepository } from './repositories/capture-job.repository';
import { EventQueryRepository } from './repositories/event-query.repository';
import { EventRepository } from './repositories/event.repository';
import { EventVocabularyRepository } from './repositories/event-vocabulary.repository';
import { OrganizationRepository } from './repositories/organization.repository';
import { PackRepository } from './repositories/pack.repository';
import { RecallRepository } from './repositories/recall.repository';
import { VerificationRepository } from './repositories/verification.repository';
import { AlertRepository } from './repositories/alert.repository';
import { LotRepository } from './repositories/lot.repository';
import { ProvenanceRepository } from './repositories/provenance.repository';
import { AuditRepository } from './repositories/audit.repository';
import { SignatureRepository } from './repositories/signature.repository';
import { ReadGrantRepository } from './repositories/read-grant.repository';
import { LicenceRepository } from './repositories/licence.repository';
import { AuditLogRepository } from './repositories/audit-log.repository';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { ExceptionCaseRepository } from './repositories/exception-case.repository';
import { CaseNotificationRepository } from './repositories/case-notification.repository';
import { ReceiptReconciliationRepository } from './repositories/receipt-reconciliation.repository';
import { NamedQueryRepository } from './repositories/named-query.repository';
import { SubscriptionRepository } from './repositories/subscription.repository';
import { MasterDataRepository } from './repositories/master-data.repository';

const REPOSITORIES = [
  OrganizationRepository,
  EventRepository,
  PackRepository,
  AnchorRepository,
  VerificationRepository,
  RecallRepository,
  EventQueryRepository,
  EventVocabularyRepository,
  CaptureJobRepository,
  ProvenanceRepository,
  LotRepository,
  AlertRepository,
  AuditRepository,
  SignatureRepository,
  ReadGrantRepository,
  LicenceRepository,
  AuditLogRepository,
  ApiKeyRepository,
  ExceptionCaseRepository,
  CaseNotificationRepository,
  ReceiptReconciliationRepository,
  NamedQueryRepository,
  SubscriptionRepository,
  MasterDataRepository,
];

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: { url: string; logSql?: boolean; poolSize?: number; appRole?: string }): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [TypeOrmModule.forRoot(dataSourceOptions(options.url, options))],
      providers: REPOSITORIES,
      exports: REPOSITORIES,
    };
  }
}

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
import { PartitionRepository } from './repositories/partition.repository';
import { READ_ROUTING_OPTIONS, ReadRouting } from './replication/read-routing';
import type { RedisTarget } from './redis/redis.connection';

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
  PartitionRepository,
  ReadRouting,
];

export interface PersistenceOptions {
  url: string;
  logSql?: boolean;
  poolSize?: number;
  appRole?: string;
  /** Streaming replicas the routed reads may use (docs/scaling.md); none by default. */
  replicaUrls?: readonly string[];
  replicaMaxLagSeconds?: number;
  replicaMaxLagBytes?: number;
  /** `transaction` behind PgBouncer in transaction mode: the role comes from the login's settings, not the startup packet. */
  poolMode?: 'session' | 'transaction';
  preparedStatements?: boolean;
  /** Open every pool connection at boot and plan the hot statements on each (ReadRouting, primePool). */
  primeConnections?: boolean;
  /** Where write marks are shared between processes when there are replicas. */
  redis?: RedisTarget & { keyPrefix: string };
  /** The longest a bounded read (event queries, lists of values) may run before Postgres cancels it; unset: no limit. */
  readTimeoutMs?: number;
}

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [TypeOrmModule.forRoot(dataSourceOptions(options.url, options))],
      providers: [
        ...REPOSITORIES,
        {
          provide: READ_ROUTING_OPTIONS,
          useValue: {
            replicaUrls: options.replicaUrls ?? [],
            // The replica needs the role in the startup packet like the primary; a replica is never behind the pooler here.
            appRole: options.appRole,
            poolSize: options.poolSize ?? 10,
            preparedStatements: options.preparedStatements ?? true,
            maxLagSeconds: options.replicaMaxLagSeconds ?? 30,
            maxLagBytes: options.replicaMaxLagBytes ?? 256 * 1024 * 1024,
            redis: options.redis,
            primeConnections: options.primeConnections ?? false,
            readTimeoutMs: options.readTimeoutMs,
          },
        },
      ],
      exports: REPOSITORIES,
    };
  }
}

import { InitialSchema1764064800000 } from './1764064800000-initial-schema';
import { CaptureJobs1764700000000 } from './1764700000000-capture-jobs';
import { Verification1764800000000 } from './1764800000000-verification';
import { BatchAnchors1765100000000 } from './1765100000000-batch-anchors';
import { ReadPolicy1765200000000 } from './1765200000000-read-policy';
import { AuditRuns1765350000000 } from './1765350000000-audit-runs';
import { CaptureSignatures1765400000000 } from './1765400000000-capture-signatures';
import { CaptureJobHeartbeat1765500000000 } from './1765500000000-capture-job-heartbeat';
import { ReadGrants1765610000000 } from './1765610000000-read-grants';
import { StatusRecordTime1765620000000 } from './1765620000000-status-record-time';
import { OrganizationLicences1765630000000 } from './1765630000000-organization-licences';
import { LeastPrivilege1765700000000 } from './1765700000000-least-privilege';
import { ApiKeys1765641300000 } from './1765641300000-api-keys';
import { EventIgnoreFields1765800000000 } from './1765800000000-event-ignore-fields';
import { EventCorrections1765810000000 } from './1765810000000-event-corrections';
import { EventHashRules1765820000000 } from './1765820000000-event-hash-rules';
import { EventHashRules31765830000000 } from './1765830000000-event-hash-rules-3';
import { DropScanCorrections1765840000000 } from './1765840000000-drop-scan-corrections';
import { EventVocabularyIndexes1765850000000 } from './1765850000000-event-vocabulary-indexes';
import { QueryValues1765853000000 } from './1765853000000-query-values';
import { CaptureJobOutcome1765856000000 } from './1765856000000-capture-job-outcome';
import { NamedQueries1765856500000 } from './1765856500000-named-queries';
import { Subscriptions1765857000000 } from './1765857000000-subscriptions';
import { MasterData1765870000000 } from './1765870000000-master-data';
import { ExceptionCases1765900000000 } from './1765900000000-exception-cases';
import { Quarantine1766100000000 } from './1766100000000-quarantine';
import { CaseNotifications1766200000000 } from './1766200000000-case-notifications';
import { CaseEntryRecord1766300000001 } from './1766300000001-case-entry-record';
import { CaptureForeignKeys1766400000000 } from './1766400000000-capture-foreign-keys';
import { CaseOwnersQuantities1766500000000 } from './1766500000000-case-owners-quantities';
import { EventPartitions1766600000000 } from './1766600000000-event-partitions';
import { LotPageIndex1766700000000 } from './1766700000000-lot-page-index';
import { EventKeyCoversBatch1766800000000 } from './1766800000000-event-key-covers-batch';
import { CompanyPrefixIndex1766900000000 } from './1766900000000-company-prefix-index';
import { DirectoryIndexes1767000000000 } from './1767000000000-directory-indexes';
import { EventParties1767100000000 } from './1767100000000-event-parties';
import { EventClassesBySet1767150000000 } from './1767150000000-event-classes-by-set';
import { EventReaders1767200000000 } from './1767200000000-event-readers';
import { NoJit1767300000000 } from './1767300000000-no-jit';
import { EventReaderPositions1767400000000 } from './1767400000000-event-reader-positions';
import { EventReaderGtins1767500000000 } from './1767500000000-event-reader-gtins';
import { CompanyPrefixOverlap1767600000000 } from './1767600000000-company-prefix-overlap';
import { HorizonPastAutovacuum1767700000000 } from './1767700000000-horizon-past-autovacuum';
import { TradingPartnerChanges1767800000000 } from './1767800000000-trading-partner-changes';
import { EventReaderSteps1767900000000 } from './1767900000000-event-reader-steps';

export const MIGRATIONS = [
  InitialSchema1764064800000,
  CaptureJobs1764700000000,
  Verification1764800000000,
  BatchAnchors1765100000000,
  ReadPolicy1765200000000,
  AuditRuns1765350000000,
  CaptureSignatures1765400000000,
  CaptureJobHeartbeat1765500000000,
  ReadGrants1765610000000,
  StatusRecordTime1765620000000,
  OrganizationLicences1765630000000,
  ApiKeys1765641300000,
  LeastPrivilege1765700000000,
  EventIgnoreFields1765800000000,
  EventCorrections1765810000000,
  EventHashRules1765820000000,
  EventHashRules31765830000000,
  DropScanCorrections1765840000000,
  EventVocabularyIndexes1765850000000,
  QueryValues1765853000000,
  CaptureJobOutcome1765856000000,
  NamedQueries1765856500000,
  Subscriptions1765857000000,
  MasterData1765870000000,
  ExceptionCases1765900000000,
  Quarantine1766100000000,
  CaseNotifications1766200000000,
  CaseEntryRecord1766300000001,
  CaptureForeignKeys1766400000000,
  CaseOwnersQuantities1766500000000,
  EventPartitions1766600000000,
  LotPageIndex1766700000000,
  EventKeyCoversBatch1766800000000,
  CompanyPrefixIndex1766900000000,
  DirectoryIndexes1767000000000,
  EventParties1767100000000,
  EventClassesBySet1767150000000,
  EventReaders1767200000000,
  NoJit1767300000000,
  EventReaderPositions1767400000000,
  EventReaderGtins1767500000000,
  CompanyPrefixOverlap1767600000000,
  HorizonPastAutovacuum1767700000000,
  TradingPartnerChanges1767800000000,
  EventReaderSteps1767900000000,
];

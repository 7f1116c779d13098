import { type CaseAccess, CaseCategory, CaseResolution, type CaseRole, CaseState } from '@pharmatrace/domain';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageInfoType } from '../common/paging';

registerEnumType(CaseCategory, { name: 'CaseCategory', description: "HDA's exception categories, and suspect and illegitimate product" });
registerEnumType(CaseState, { name: 'CaseState' });
registerEnumType(CaseResolution, { name: 'CaseResolution' });

export enum CaseActionKind {
  INVESTIGATE = 'INVESTIGATE',
  ESCALATE = 'ESCALATE',
  RESOLVE = 'RESOLVE',
  REOPEN = 'REOPEN',
  COMMENT = 'COMMENT',
  /** The regulator filing (Form FDA 3911) was made: by the reporter or a regulator, on an illegitimate case; `message` its reference. */
  RECORD_FILING = 'RECORD_FILING',
  /** A party names its owner of the case (`owner`), in any state; each party its own side. */
  ASSIGN_OWNER = 'ASSIGN_OWNER',
}
registerEnumType(CaseActionKind, { name: 'CaseAction' });

/** The viewer's part in a case (libs/domain caseRole), for the pages to offer what the rules allow. */
export enum CaseViewerRole {
  REPORTER = 'REPORTER',
  COUNTERPARTY = 'COUNTERPARTY',
  REGULATOR = 'REGULATOR',
  /** The manufacturer of a product the case is about, not a party: it reads the case and its clocks, and acts on nothing. */
  PRODUCT_OWNER = 'PRODUCT_OWNER',
}
registerEnumType(CaseViewerRole, { name: 'CaseViewerRole' });

@InputType()
export class CaseOwnerInput {
  @Field({ description: 'The person who owns the case on your side (1 to 200 characters)' }) name: string;
  @Field({ nullable: true, description: 'Their title or function, e.g. "Pharmacist in charge"' }) title?: string;
  @Field({ nullable: true, description: 'Their e-mail address' }) email?: string;
  @Field({ nullable: true, description: 'Their telephone number (digits, spaces, + ( ) - . and an extension)' }) phone?: string;
}

@ObjectType('CaseOwner', { description: "The person owning a case on one party's side, as that party named it" })
export class CaseOwnerType {
  @Field() name: string;
  @Field({ nullable: true }) title?: string;
  @Field({ nullable: true }) email?: string;
  @Field({ nullable: true }) phone?: string;
}

@ObjectType('CaseQuantity', { description: 'A class (lot or product) whose quantity a receipt found different from its shipment' })
export class CaseQuantityType {
  @Field({ description: 'The EPC class, as a canonical GS1 Digital Link when it is a GS1 class' }) epcClass: string;
  @Field({ nullable: true, description: 'Unit of measure (UN/ECE Rec. 20); null: a count of instances' }) uom?: string;
  @Field(() => Float) shipped: number;
  @Field(() => Float) received: number;
}

/** Where a case opened through the API comes from; receiving discrepancies are opened by the server alone. */
export enum OpenCaseSource {
  MANUAL = 'MANUAL',
  SCAN = 'SCAN',
}
registerEnumType(OpenCaseSource, { name: 'OpenCaseSource' });

@InputType()
export class OpenCaseInput {
  @Field(() => CaseCategory) category: CaseCategory;
  @Field({ description: 'What is wrong, in a sentence or two (at most 2,000 characters)' }) summary: string;
  @Field(() => [String], {
    nullable: true,
    description: 'Packs concerned (EPC URN or GS1 Digital Link); they are quarantined while the case holds them',
  })
  epcs?: string[];
  @Field({ nullable: true, description: 'The trading partner on the other side: its id or GLN' }) counterparty?: string;
  @Field({ nullable: true, description: "The case's id (a UUID), for a case imported from a partner's system or signed: else a new one" })
  id?: string;
  @Field({ nullable: true, description: 'Time of the opening entry, for a signed entry (within 5 minutes of the server clock)' })
  at?: string;
  @Field({ nullable: true, description: "EIP-712 CaseEntry signature of the opening entry's hash by the organization's signing address" })
  signature?: string;
  @Field(() => OpenCaseSource, { nullable: true, description: 'SCAN when opened from a verdict on the scan page; MANUAL by default' })
  source?: OpenCaseSource;
}

@InputType()
export class CaseActionInput {
  @Field(() => CaseActionKind) action: CaseActionKind;
  @Field(() => CaseResolution, { nullable: true, description: 'Required with RESOLVE' }) resolution?: CaseResolution;
  @Field({ nullable: true, description: 'A message to the other parties (at most 4,000 characters)' }) message?: string;
  @Field(() => [String], { nullable: true, description: 'Attachments by hash: sha256:<64 hex>, the files kept by the parties' })
  attachments?: string[];
  @Field({ nullable: true, description: 'Time of the entry, for a signed entry (within 5 minutes of the server clock)' }) at?: string;
  @Field({ nullable: true, description: "EIP-712 CaseEntry signature of the entry's hash by the organization's signing address" })
  signature?: string;
  @Field(() => CaseOwnerInput, { nullable: true, description: 'Required with ASSIGN_OWNER: the owner of the case on your side' })
  owner?: CaseOwnerInput;
}

@InputType()
export class CaseFilter {
  @Field(() => [CaseState], { nullable: true }) state?: CaseState[];
  @Field(() => [CaseCategory], { nullable: true }) category?: CaseCategory[];
  @Field({ nullable: true, description: 'Only unresolved cases past their grace period' }) overdue?: boolean;
  @Field({ nullable: true, description: 'Only illegitimate cases whose regulator filing is past its 24 hours and not recorded' })
  regulatorOverdue?: boolean;
  @Field({ nullable: true, description: 'Only cases holding this pack (EPC URN or GS1 Digital Link)' }) epc?: string;
  @Field({ nullable: true, description: 'true: only unresolved cases; false: only resolved ones' }) open?: boolean;
}

@ObjectType('CaseEntry', { description: 'One change of a case, who made it and when' })
export class CaseEntryType {
  actorId: string;
  @Field() at: Date;
  @Field(() => CaseActionKind, { nullable: true, description: 'Null for the opening entry' }) action?: CaseActionKind;
  @Field(() => CaseState, { nullable: true }) fromState?: CaseState;
  @Field(() => CaseState) toState: CaseState;
  @Field(() => CaseResolution, { nullable: true }) resolution?: CaseResolution;
  @Field({ nullable: true }) message?: string;
  @Field(() => [String]) attachments: string[];
  @Field({ nullable: true, description: "0x-hex SHA-256 of the entry's canonical JSON and the previous entry's hash (docs/cases.md)" })
  hash?: string;
  @Field({ nullable: true, description: 'The hash of the entry before (null for the opening entry)' }) previousHash?: string;
  @Field({ nullable: true, description: 'The signing address that signed the entry, if it was signed' }) signer?: string;
  @Field(() => CaseOwnerType, {
    nullable: true,
    description: 'ASSIGN_OWNER: the owner named (null to whoever may not read owners: the product owner)',
  })
  owner?: CaseOwnerType;
  @Field(() => CaseViewerRole, { nullable: true, description: 'ASSIGN_OWNER: the side whose owner was named' })
  ownerSide?: CaseViewerRole;
}

@ObjectType('CaseItem')
export class CaseItemType {
  @Field({ description: 'The pack, as a canonical GS1 Digital Link' }) epc: string;
  @Field({ nullable: true, description: 'missing or unexpected, for a receiving discrepancy' }) note?: string;
}

@ObjectType('ExceptionCase', { description: 'An exception case between trading partners, seen by both and by regulators' })
export class CaseType {
  reporterId: string;
  counterpartyId: string | null;
  /** The alert, scan or receipt the case was opened from. */
  sourceRef: string | null;
  /** What the viewer may read of the case (libs/domain caseAccess of its role): every field resolver asks. */
  access: CaseAccess;
  @Field(() => CaseViewerRole, { description: 'Your part in the case: a party, a regulator, or the manufacturer of its product' })
  viewerRole: Exclude<CaseRole, 'OUTSIDER'>;
  @Field(() => CaseOwnerType, { nullable: true, description: "The reporter's owner of the case (null until named, or not yours to read)" })
  reporterOwner?: CaseOwnerType;
  @Field(() => CaseOwnerType, {
    nullable: true,
    description: "The counterparty's owner of the case (null until named, or not yours to read)",
  })
  counterpartyOwner?: CaseOwnerType;
  @Field(() => ID) id: string;
  @Field(() => Int, { description: 'The case number, for people' }) number: number;
  @Field(() => CaseCategory) category: CaseCategory;
  @Field(() => CaseState) state: CaseState;
  @Field(() => CaseResolution, { nullable: true }) resolution?: CaseResolution;
  @Field() summary: string;
  @Field() source: string;
  @Field() openedAt: Date;
  @Field({ description: 'When the grace period for product pending verification ends (three business days by default)' }) graceUntil: Date;
  @Field({ description: 'Unresolved and past its grace period' }) overdue: boolean;
  @Field({ nullable: true }) resolvedAt?: Date;
  @Field({ nullable: true, description: 'Resolved as illegitimate: when the regulator must have been notified (24 hours)' })
  regulatorDueAt?: Date;
  @Field({ nullable: true, description: 'When the regulator filing (Form FDA 3911) was recorded on the case (RECORD_FILING)' })
  regulatorNotifiedAt?: Date;
  @Field({ description: 'Resolved as illegitimate, the regulator not yet notified, and its 24 hours passed' }) regulatorOverdue: boolean;
  @Field({ description: 'The packs are quarantined: the case is unresolved, or resolved as illegitimate' }) quarantining: boolean;
}

@ObjectType('CaseEdge')
export class CaseEdgeType {
  @Field() cursor: string;
  @Field(() => CaseType) node: CaseType;
}

@ObjectType('CaseConnection')
export class CaseConnectionType {
  @Field(() => [CaseEdgeType]) edges: CaseEdgeType[];
  @Field(() => PageInfoType) pageInfo: PageInfoType;
}

export enum Fda3911NotificationKind {
  INITIAL = 'INITIAL',
  FOLLOW_UP = 'FOLLOW_UP',
  REQUEST_FOR_TERMINATION = 'REQUEST_FOR_TERMINATION',
}
registerEnumType(Fda3911NotificationKind, { name: 'Fda3911NotificationType' });

@ObjectType('CaseNotification', { description: 'A trading partner that handled the packs, told of an illegitimate determination' })
export class CaseNotificationType {
  organizationId: string;
  @Field({ description: 'WEBHOOK (one of its webhook subscriptions), or NO_CHANNEL (it has none: to be told by other means)' })
  channel: 'WEBHOOK' | 'NO_CHANNEL';
  @Field({ description: 'PENDING, DELIVERED, FAILED (nextAttemptAt says when it is tried again; none: given up) or NO_CHANNEL' })
  status: 'PENDING' | 'DELIVERED' | 'FAILED' | 'NO_CHANNEL';
  @Field(() => Int) attempts: number;
  @Field({ description: 'When the partner was to be told (the determination)' }) createdAt: Date;
  @Field({ nullable: true }) lastAttemptAt?: Date;
  @Field({ nullable: true }) deliveredAt?: Date;
  @Field({ nullable: true }) nextAttemptAt?: Date;
  @Field(() => Int, { nullable: true }) httpStatus?: number;
  @Field({ nullable: true }) error?: string;
}

@ObjectType('CaseResolutionCount')
export class CaseResolutionCountType {
  @Field(() => CaseResolution) resolution: CaseResolution;
  @Field(() => Int) count: number;
}

@ObjectType('CaseCounts', {
  description:
    'How many cases the caller sees (a party its own, a manufacturer also those about its products, a regulator every case), by state',
})
export class CaseCountsType {
  @Field(() => Int, { description: 'Opened, nobody investigating yet' }) open: number;
  @Field(() => Int) investigating: number;
  @Field(() => Int) escalated: number;
  @Field(() => Int, { description: 'Open, investigating or escalated: not resolved' }) unresolved: number;
  @Field(() => Int, { description: 'Unresolved and past the grace period' }) overdue: number;
  @Field(() => Int, { description: 'Resolved as illegitimate, the regulator filing past its 24 hours and not recorded' })
  regulatorOverdue: number;
  @Field(() => Int) resolved: number;
  @Field(() => [CaseResolutionCountType], { description: 'The resolved cases by resolution, every resolution listed' })
  resolutions: CaseResolutionCountType[];
}

import { CaseCategory, CaseResolution, CaseState } from '@pharmatrace/domain';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
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
}
registerEnumType(CaseActionKind, { name: 'CaseAction' });

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
}

@InputType()
export class CaseFilter {
  @Field(() => [CaseState], { nullable: true }) state?: CaseState[];
  @Field(() => [CaseCategory], { nullable: true }) category?: CaseCategory[];
  @Field({ nullable: true, description: 'Only unresolved cases past their grace period' }) overdue?: boolean;
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

@ObjectType('CaseResolutionCount')
export class CaseResolutionCountType {
  @Field(() => CaseResolution) resolution: CaseResolution;
  @Field(() => Int) count: number;
}

@ObjectType('CaseCounts', { description: 'How many cases the caller sees (a party its own, a regulator every case), by state' })
export class CaseCountsType {
  @Field(() => Int, { description: 'Opened, nobody investigating yet' }) open: number;
  @Field(() => Int) investigating: number;
  @Field(() => Int) escalated: number;
  @Field(() => Int, { description: 'Open, investigating or escalated: not resolved' }) unresolved: number;
  @Field(() => Int, { description: 'Unresolved and past the grace period' }) overdue: number;
  @Field(() => Int) resolved: number;
  @Field(() => [CaseResolutionCountType], { description: 'The resolved cases by resolution, every resolution listed' })
  resolutions: CaseResolutionCountType[];
}

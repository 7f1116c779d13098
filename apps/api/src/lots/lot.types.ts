import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageInfoType } from '../common/paging';

export enum LotScopeEnum {
  /** Every pack of the lot (regulators, the GTIN's manufacturer). */
  ALL = 'ALL',
  /** Only the packs the caller holds now (distributors, dispensers): counts and packs are of those. */
  OWN_CUSTODY = 'OWN_CUSTODY',
}
registerEnumType(LotScopeEnum, { name: 'LotScope' });

@ObjectType('StatusCount')
export class StatusCountType {
  @Field() status: string;
  @Field(() => Int) count: number;
}

@ObjectType('CustodianCount')
export class CustodianCountType {
  custodianId: string | null;
  @Field(() => Int) count: number;
}

@ObjectType('LotPack')
export class LotPackType {
  custodianId: string | null;
  @Field({ description: 'Canonical GS1 Digital Link' }) epc: string;
  @Field({ nullable: true }) serial?: string;
  @Field({ description: 'Read-model status; a recalled lot answers RECALLED at verification whatever this is' }) status: string;
  @Field({ nullable: true }) expiry?: string;
  @Field({ nullable: true, description: 'The case or pallet holding it now' }) container?: string;
}

@ObjectType('LotPackEdge')
export class LotPackEdgeType {
  @Field() cursor: string;
  @Field(() => LotPackType) node: LotPackType;
}

@ObjectType('LotPackConnection')
export class LotPackConnectionType {
  @Field(() => [LotPackEdgeType]) edges: LotPackEdgeType[];
  @Field(() => PageInfoType) pageInfo: PageInfoType;
}

@ObjectType('Lot')
export class LotType {
  /** Narrows counts and packs to one custodian's packs; null for the whole lot. */
  custodianId: string | null;
  /** The organization reading the lot: its counts and packs are read where its own writes are (ReadRouting). */
  reading: string;
  @Field() gtin: string;
  @Field() lot: string;
  @Field({ description: 'ACTIVE or RECALLED' }) status: string;
  @Field() recalled: boolean;
  @Field({ nullable: true, description: 'Why it was recalled' }) reason?: string;
  @Field(() => LotScopeEnum, { description: 'Which packs the counts and the connection cover (read policy)' }) scope: LotScopeEnum;
}

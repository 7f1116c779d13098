import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { HistoryVisibility, ProvenanceFlagCode } from '@pharmatrace/domain';
import GraphQLJSON from 'graphql-type-json';
import { AnchorStatusEnum, EventProofType } from '../anchoring/proof.types';
import { EventCorrectionType } from '../events/events.types';
import { PageInfoType } from '../common/paging';

registerEnumType(HistoryVisibility, {
  name: 'HistoryVisibility',
  description: 'FULL: the whole history; PARTY_EVENTS: only the events the caller is party to (read policy)',
});
registerEnumType(ProvenanceFlagCode, { name: 'ProvenanceFlagCode' });

@ObjectType('ProvenanceEvent')
export class ProvenanceEventType {
  @Field({ description: 'CBV 2.0 event hash, ni:///sha-256;<hex>?ver=CBV2.0' }) eventHash: string;
  @Field() eventType: string;
  @Field({ nullable: true }) action?: string;
  @Field({ nullable: true }) bizStep?: string;
  @Field({ nullable: true }) disposition?: string;
  @Field() eventTime: Date;
  @Field() recordTime: Date;
  @Field({ nullable: true }) readPoint?: string;
  @Field({ nullable: true }) bizLocation?: string;
  @Field({ description: 'The EPC the event names: the pack itself, or the case or pallet that held it then' }) via: string;
  @Field(() => GraphQLJSON, {
    description: 'The event as captured, EPCIS 2.0 JSON-LD (with its latest errorDeclaration if declared in error, without ignored fields)',
  })
  event: unknown;
  @Field(() => [EventCorrectionType], { description: 'Its error declarations, oldest first: empty unless declared in error' })
  corrections: EventCorrectionType[];
  @Field(() => AnchorStatusEnum) anchorStatus: AnchorStatusEnum;
  @Field(() => EventProofType, { nullable: true, description: 'Null until the batch holding the event is mined' })
  proof?: EventProofType;
}

@ObjectType('CustodyInterval', { description: 'Who held the pack, where, from when to when, and through which shipment' })
export class CustodyIntervalType {
  holderId: string | null;
  @Field({ nullable: true, description: 'Location (SGLN) where the holder commissioned or received it' }) location?: string;
  @Field() from: Date;
  @Field({ nullable: true, description: 'Null while the interval lasts' }) to?: Date;
  @Field({ description: 'True for the time between a shipment and its receipt (no holder then)' }) inTransit: boolean;
  @Field({ nullable: true, description: 'Hash of the shipping event that brought the pack here, or that this transit is' })
  shipment?: string;
  @Field({ nullable: true, description: 'GLN the shipment in transit is addressed to' }) destinationGln?: string;
}

@ObjectType('AggregationSpan', { description: 'A time the pack (or a case holding it) sat in a case or pallet' })
export class AggregationSpanType {
  packedById: string;
  unpackedById: string | null;
  @Field({ description: 'The item packed: the pack itself or a case that held it' }) epc: string;
  @Field() container: string;
  @Field() packedAt: Date;
  @Field({ nullable: true }) unpackedAt?: Date;
  @Field({ description: 'Hash of the packing event' }) packEvent: string;
  @Field({ nullable: true, description: 'Hash of the unpacking event' }) unpackEvent?: string;
}

@ObjectType('ProvenanceFlag', { description: 'A contradiction in the history; each is also raised once as an alert' })
export class ProvenanceFlagType {
  actorId: string;
  @Field(() => ProvenanceFlagCode) code: ProvenanceFlagCode;
  @Field({ description: 'Hash of the contradicting event' }) event: string;
  @Field() at: Date;
  @Field() message: string;
}

@ObjectType('ProvenanceEventEdge')
export class ProvenanceEventEdgeType {
  @Field() cursor: string;
  @Field(() => ProvenanceEventType) node: ProvenanceEventType;
}

@ObjectType('ProvenanceEventConnection')
export class ProvenanceEventConnectionType {
  @Field(() => [ProvenanceEventEdgeType]) edges: ProvenanceEventEdgeType[];
  @Field(() => PageInfoType) pageInfo: PageInfoType;
  @Field(() => Int) totalCount: number;
}

@ObjectType('Provenance')
export class ProvenanceType {
  @Field({ description: 'The EPC in canonical GS1 Digital Link form' }) epc: string;
  @Field(() => HistoryVisibility, { description: 'How much of the history the caller may read' }) visibility: HistoryVisibility;
  @Field(() => [ProvenanceEventType], { description: 'In event-time order' }) events: ProvenanceEventType[];
  @Field(() => [CustodyIntervalType], { description: 'Custody chain in time order, derived from the history' })
  custody: CustodyIntervalType[];
  @Field(() => [AggregationSpanType], { description: 'Cases and pallets that held the pack, with packing and unpacking times' })
  aggregation: AggregationSpanType[];
  @Field(() => [ProvenanceFlagType]) flags: ProvenanceFlagType[];
}

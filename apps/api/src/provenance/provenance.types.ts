import { Field, ObjectType } from '@nestjs/graphql';
import GraphQLJSON from 'graphql-type-json';
import { AnchorStatusEnum, EventProofType } from '../anchoring/proof.types';

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
  @Field(() => GraphQLJSON, { description: 'The event as captured, EPCIS 2.0 JSON-LD' }) event: unknown;
  @Field(() => AnchorStatusEnum) anchorStatus: AnchorStatusEnum;
  @Field(() => EventProofType, { nullable: true, description: 'Null until the batch holding the event is mined' })
  proof?: EventProofType;
}

@ObjectType('Provenance')
export class ProvenanceType {
  @Field({ description: 'The EPC in canonical GS1 Digital Link form' }) epc: string;
  @Field(() => [ProvenanceEventType], { description: 'In event-time order' }) events: ProvenanceEventType[];
}

import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import GraphQLJSON from 'graphql-type-json';
import { PageInfoType } from '../common/paging';

@InputType()
export class AlertFilter {
  @Field(() => [String], {
    nullable: true,
    description:
      'e.g. ALREADY_DISPENSED (double dispense), UNKNOWN_SERIAL, LOT_RECALLED, RECEIVED_WITHOUT_SHIPMENT, SHIPPED_BY_NON_HOLDER, EVENT_AFTER_DISPENSE',
  })
  code?: string[];
  @Field({ nullable: true }) gtin?: string;
  @Field({ nullable: true }) lot?: string;
  @Field({ nullable: true, description: 'EPC URN or Digital Link of a pack' }) epc?: string;
  @Field({ nullable: true, description: 'Raised at or after' }) since?: Date;
  @Field({ nullable: true, description: 'Raised before' }) until?: Date;
}

@ObjectType('Alert')
export class AlertType {
  actorId: string | null;
  manufacturerId: string | null;
  recipientId: string | null;
  @Field(() => ID) id: string;
  @Field() code: string;
  @Field({ nullable: true }) epc?: string;
  @Field({ nullable: true }) gtin?: string;
  @Field({ nullable: true }) lot?: string;
  @Field(() => GraphQLJSON) details: unknown;
  @Field() createdAt: Date;
}

@ObjectType('AlertEdge')
export class AlertEdgeType {
  @Field() cursor: string;
  @Field(() => AlertType) node: AlertType;
}

@ObjectType('AlertConnection')
export class AlertConnectionType {
  @Field(() => [AlertEdgeType]) edges: AlertEdgeType[];
  @Field(() => PageInfoType) pageInfo: PageInfoType;
}

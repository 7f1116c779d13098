import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { MasterDataVersion } from '@pharmatrace/persistence';
import GraphQLJSON from 'graphql-type-json';

@ObjectType('MasterDataAttribute')
export class MasterDataAttributeType {
  @Field({ description: 'The attribute URI; CBV attributes as urn:epcglobal:cbv:mda#<name> whichever spelling was captured' }) id: string;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'Its value as captured: text, a number, or a structure (XML elements as JSON-LD)',
  })
  value: unknown;
}

@ObjectType('MasterDataElement', { description: 'The latest version of a vocabulary element captured by one organization' })
export class MasterDataElementType {
  @Field({ description: 'Vocabulary type URI, e.g. urn:epcglobal:epcis:vtype:BusinessLocation' }) type: string;
  @Field({ description: 'The element id as captured' }) id: string;
  @Field(() => [MasterDataAttributeType]) attributes: MasterDataAttributeType[];
  @Field(() => [String], { description: 'Ids of its children (the location hierarchy), as captured' }) children: string[];
  @Field(() => ID, { description: 'The organization that captured this version' }) capturedBy: string;
  @Field({ description: 'When it was captured (the capture’s record time)' }) capturedAt: Date;

  static from(v: MasterDataVersion): MasterDataElementType {
    return { type: v.type, id: v.id, attributes: v.attributes, children: v.children, capturedBy: v.capturedBy, capturedAt: v.capturedAt };
  }
}

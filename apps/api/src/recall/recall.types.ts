import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('RecallResult')
export class RecallResultType {
  @Field() gtin: string;
  @Field() lot: string;
  @Field(() => Int, { description: 'Packs of the lot now answering RECALLED' }) packs: number;
  @Field(() => Int, { description: 'Current custodians alerted' }) custodiansAlerted: number;
}

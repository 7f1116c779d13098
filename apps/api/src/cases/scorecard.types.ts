import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { OrganizationType } from '../organizations/organization.types';

@ObjectType('CaseOutcomeCount')
export class CaseOutcomeCountType {
  @Field({ description: 'CLEARED, TECHNICAL_CAUSE, ILLEGITIMATE, or UNRESOLVED' }) resolution: string;
  @Field(() => Int) count: number;
}

@ObjectType('SupplierScorecard', {
  description: "A supplier's record as its receivers see it (a regulator: over every receiver), from receiving reconciliation",
})
export class SupplierScorecardType {
  @Field(() => OrganizationType) supplier: OrganizationType;
  @Field(() => Int, { description: 'Receipts reconciled against a shipping event of this supplier' }) shipmentsReceived: number;
  @Field(() => Int, { description: 'Of them, received exactly as the shipping event said' }) shipmentsClean: number;
  @Field(() => Float, { nullable: true, description: 'shipmentsClean / shipmentsReceived (null with no shipment)' })
  cleanShare?: number;
  @Field(() => Float, {
    nullable: true,
    description:
      "Median seconds from the goods' receipt (its event time) to the shipping event's record time: negative when the data came first",
  })
  medianTimeToDataSeconds?: number;
  @Field(() => Int, { description: 'Cases opened against this supplier (it is their counterparty)' }) casesOpened: number;
  @Field(() => [CaseOutcomeCountType]) outcomes: CaseOutcomeCountType[];
}

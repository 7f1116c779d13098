import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { AlertCode, VerdictStatus } from '@pharmatrace/domain';
import { OrganizationType } from '../organizations/organization.types';

registerEnumType(VerdictStatus, { name: 'PackStatus' });
registerEnumType(AlertCode, { name: 'AlertCode' });

@ObjectType('Product')
export class ProductType {
  @Field() gtin: string;
  @Field() serial: string;
  @Field({ nullable: true, description: 'Lot as commissioned (or as scanned if the pack is unknown)' }) lot?: string;
  @Field({ nullable: true, description: 'Expiry date as commissioned, ISO 8601' }) expiry?: string;
}

@ObjectType('Verdict')
export class VerdictType {
  @Field(() => VerdictStatus) status: VerdictStatus;
  @Field({ description: 'True only when the pack is known, active or in transit, and every scanned attribute matches' })
  saleable: boolean;
  @Field(() => [AlertCode]) alerts: AlertCode[];
  @Field({ description: 'The pack in canonical GS1 Digital Link form' }) epc: string;
  @Field(() => ProductType) product: ProductType;
  @Field(() => OrganizationType, { nullable: true }) custodian?: OrganizationType;
  @Field({ nullable: true, description: 'The SSCC or other container the pack is packed in now' }) container?: string;
  @Field({ description: 'Every event of the pack is in a batch mined on chain' }) anchored: boolean;
  @Field({ description: 'Every such batch is final and its root was read back from the chain' }) checkedOnChain: boolean;
}

import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';

@InputType()
export class GrantReadAccessInput {
  @Field({ description: 'The organization granted read access: its id or its GLN' }) grantee: string;
  @Field({ description: 'A GTIN of the caller (8, 12, 13 or 14 digits)' }) gtin: string;
  @Field({ nullable: true, description: 'Only this lot of the GTIN; absent: every lot' }) lot?: string;
  @Field({ nullable: true, description: 'From when; absent: now' }) validFrom?: Date;
  @Field({ description: 'Until when (excluded)' }) validUntil: Date;
}

@ObjectType('ReadGrant', {
  description:
    "A manufacturer's grant of read access to its packs of a GTIN or lot: the grantee reads them as the manufacturer does while active",
})
export class ReadGrantType {
  grantorId: string;
  granteeId: string;
  revokedById: string | null;
  @Field(() => ID) id: string;
  @Field() gtin: string;
  @Field({ nullable: true }) lot?: string;
  @Field() validFrom: Date;
  @Field() validUntil: Date;
  @Field() createdAt: Date;
  @Field({ nullable: true }) revokedAt?: Date;
  @Field({ description: 'In force now: started, not ended, not revoked' }) active: boolean;
}

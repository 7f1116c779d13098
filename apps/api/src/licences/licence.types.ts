import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { isLicenceValid, licenceStatus, LicenceStatus } from '@pharmatrace/domain';
import type { StoredLicence } from '@pharmatrace/persistence';

registerEnumType(LicenceStatus, { name: 'LicenceStatus', description: 'The regulator decision on a licence' });

@ObjectType('Licence', { description: 'A trading-partner licence an organization declared, and the regulator decision on it' })
export class LicenceType {
  @Field(() => ID) id: string;
  @Field({ description: 'e.g. "State wholesale distributor licence", "Pharmacy licence", "FDA establishment registration"' }) type: string;
  @Field() issuingAuthority: string;
  @Field() number: string;
  @Field() validFrom: Date;
  @Field({ description: 'Exclusive: the licence has lapsed at this instant' }) validUntil: Date;
  @Field(() => LicenceStatus) status: LicenceStatus;
  @Field({ description: 'Verified, not rejected, and now within its validity' }) valid: boolean;
  @Field(() => ID, { nullable: true, description: 'The regulator that verified it' }) verifiedBy?: string;
  @Field({ nullable: true }) verifiedAt?: Date;
  @Field(() => ID, { nullable: true, description: 'The regulator that rejected it' }) rejectedBy?: string;
  @Field({ nullable: true }) rejectedAt?: Date;
  @Field({ nullable: true }) rejectionReason?: string;
  @Field() createdAt: Date;

  static from(l: StoredLicence, now: Date): LicenceType {
    return Object.assign(new LicenceType(), {
      id: l.id,
      type: l.type,
      issuingAuthority: l.issuingAuthority,
      number: l.number,
      validFrom: l.validFrom,
      validUntil: l.validUntil,
      status: licenceStatus(l),
      valid: isLicenceValid(l, now),
      verifiedBy: l.verifiedBy ?? undefined,
      verifiedAt: l.verifiedAt ?? undefined,
      rejectedBy: l.rejectedBy ?? undefined,
      rejectedAt: l.rejectedAt ?? undefined,
      rejectionReason: l.rejectionReason ?? undefined,
      createdAt: l.createdAt,
    });
  }
}

@InputType()
export class AddLicenceInput {
  @Field() type: string;
  @Field() issuingAuthority: string;
  @Field() number: string;
  @Field() validFrom: Date;
  @Field() validUntil: Date;
}

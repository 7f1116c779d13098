import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { AlertCode, CorrectionKind, VerdictStatus } from '@pharmatrace/domain';
import { OrganizationType } from '../organizations/organization.types';

registerEnumType(VerdictStatus, { name: 'PackStatus' });
registerEnumType(AlertCode, { name: 'AlertCode' });
registerEnumType(CorrectionKind, { name: 'ScanCorrectionKind' });

@ObjectType('Product')
export class ProductType {
  @Field() gtin: string;
  @Field() serial: string;
  @Field({ nullable: true, description: 'Lot as commissioned (as scanned if the pack is unknown)' }) lot?: string;
  @Field({ nullable: true, description: 'Expiry date as commissioned, ISO 8601' }) expiry?: string;
  @Field({
    nullable: true,
    description: "Product name registered by the manufacturer, else its master data's regulatedProductName (or drugName)",
  })
  name?: string;
  @Field({ nullable: true, description: "Strength (strengthDescription) from the manufacturer's product master data" }) strength?: string;
  @Field({ nullable: true, description: "Dosage form (dosageFormType) from the manufacturer's product master data" }) dosageForm?: string;
}

@ObjectType('ScanCorrection', { description: 'A scanner fault the platform corrected to find the pack; fix the scanner set-up' })
export class ScanCorrectionType {
  @Field(() => CorrectionKind) kind: CorrectionKind;
  @Field({ description: 'What to change in the scanner set-up' }) advice: string;
  @Field({ description: 'The corrected reading, as a GS1 Digital Link' }) corrected: string;
}

@ObjectType('Verdict')
export class VerdictType {
  @Field(() => VerdictStatus) status: VerdictStatus;
  @Field({ description: 'True only for a known pack, active (or in transit to the caller), whose scan matches and that nothing blocks' })
  saleable: boolean;
  @Field(() => [AlertCode]) alerts: AlertCode[];
  @Field({ nullable: true, description: 'EU NMVS return code of the most serious alert' }) nmvsCode?: string;
  @Field({ description: 'The pack in canonical GS1 Digital Link form' }) epc: string;
  @Field(() => ProductType) product: ProductType;
  @Field(() => OrganizationType, { nullable: true }) custodian?: OrganizationType;
  @Field({ nullable: true, description: 'The SSCC or other container the pack is packed in now' }) container?: string;
  @Field({ description: 'Every event of the pack is in a batch mined on chain' }) anchored: boolean;
  @Field({ description: 'Every such batch is final and its root was read back from the chain' }) checkedOnChain: boolean;
  @Field(() => Int, {
    description:
      'Events of the pack and its containers their capturer declared in error (provenance shows each correction); their anchored leaves stay as they were',
  })
  declaredInError: number;
  @Field(() => ScanCorrectionType, { nullable: true, description: 'Set when the scan matched only after correcting a scanner fault' })
  correction?: ScanCorrectionType;
  @Field(() => Int, { description: 'Corrected readings that matched different packs: more than one means no guess was made' })
  ambiguousReadings: number;
  @Field(() => Int, {
    nullable: true,
    description: 'QUARANTINED: the number of the exception case holding the pack (or a container it sits in)',
  })
  quarantineCase?: number;
}

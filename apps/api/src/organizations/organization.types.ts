import type { Organization } from '@pharmatrace/domain';
import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageInfoType } from '../common/paging';

export enum OrganizationRoleEnum {
  MANUFACTURER = 'MANUFACTURER',
  DISTRIBUTOR = 'DISTRIBUTOR',
  DISPENSER = 'DISPENSER',
  REGULATOR = 'REGULATOR',
}
registerEnumType(OrganizationRoleEnum, { name: 'OrganizationRole' });

const outputs = new WeakMap<Organization, OrganizationType>();

@ObjectType('Organization')
export class OrganizationType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => OrganizationRoleEnum) role: OrganizationRoleEnum;
  @Field({ description: 'Global Location Number, 13 digits with check digit' }) gln: string;
  @Field(() => [String], { description: 'GS1 company prefixes the organization owns' }) companyPrefixes: string[];
  @Field({ nullable: true, description: 'EIP-55 address whose EIP-712 signatures its captures may carry (registerSigningAddress)' })
  ethAddress?: string;
  @Field({ description: 'Whether every capture of the organization must be signed by ethAddress' }) requireSignedCaptures: boolean;
  @Field() createdAt: Date;

  /**
   * The same output object for the same (cached) entity: every verdict names its custodian, and there is no need to
   * build the same object on every scan.
   */
  static cachedFrom(entity: Organization): OrganizationType {
    let type = outputs.get(entity);
    if (!type) outputs.set(entity, (type = OrganizationType.from(entity)));
    return type;
  }

  static from(entity: Organization): OrganizationType {
    return Object.assign(new OrganizationType(), {
      id: entity.id,
      name: entity.name,
      role: entity.role as OrganizationRoleEnum,
      gln: entity.gln,
      companyPrefixes: entity.companyPrefixes,
      ethAddress: entity.ethAddress ?? undefined,
      requireSignedCaptures: entity.requireSignedCaptures ?? false,
      createdAt: entity.createdAt,
    });
  }
}

@InputType()
export class CreateOrganizationInput {
  @Field() name: string;
  @Field(() => OrganizationRoleEnum) role: OrganizationRoleEnum;
  @Field() gln: string;
  @Field(() => [String], { defaultValue: [] }) companyPrefixes: string[];
}

@ObjectType()
export class CreateOrganizationPayload {
  @Field(() => OrganizationType) organization: OrganizationType;
  @Field({ description: 'Shown once: only its hash is stored. Send it as "Authorization: Bearer <apiKey>".' })
  apiKey: string;
}

@ObjectType('OrganizationEdge')
export class OrganizationEdgeType {
  @Field() cursor: string;
  @Field(() => OrganizationType) node: OrganizationType;
}

@ObjectType('OrganizationConnection')
export class OrganizationConnectionType {
  @Field(() => [OrganizationEdgeType]) edges: OrganizationEdgeType[];
  @Field(() => PageInfoType) pageInfo: PageInfoType;
}

/** The directory's filters as the resolver receives them (an argument not sent is undefined); each given one must match. */
export interface DirectoryFilter {
  glns?: string[] | null;
  search?: string | null;
  roles?: OrganizationRoleEnum[] | null;
  ownerOfGtin?: string | null;
}

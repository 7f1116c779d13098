import { Field, ID, ObjectType } from '@nestjs/graphql';
import GraphQLJSON from 'graphql-type-json';
import { PageInfoType } from '../common/paging';

@ObjectType('AuditLogEntry')
export class AuditLogEntryType {
  @Field(() => ID) id: string;
  @Field({ description: "When, by the database server's clock" }) at: Date;
  @Field({ description: "'organization' (through its API key) or 'operator' (through the admin token)" }) actorKind: string;
  @Field(() => ID, { nullable: true, description: 'The acting organization; null for the operator' }) actorOrganizationId?: string;
  @Field({ description: 'e.g. organization.create, lot.recall, product.withdraw, pack.lock, licence.verify, grant.revoke' }) action: string;
  @Field({ description: 'organization, lot, product, pack, licence or read_grant' }) subjectType: string;
  @Field({ description: 'Its id: a UUID, a pack EPC, or a GS1 Digital Link path (01/<gtin>/10/<lot>) for products and lots' })
  subjectId: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The subject before the action; null when it created it' }) before: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The subject after the action' }) after: unknown;
}

@ObjectType('AuditLogEdge')
export class AuditLogEdgeType {
  @Field() cursor: string;
  @Field(() => AuditLogEntryType) node: AuditLogEntryType;
}

@ObjectType('AuditLogConnection')
export class AuditLogConnectionType {
  @Field(() => [AuditLogEdgeType]) edges: AuditLogEdgeType[];
  @Field(() => PageInfoType) pageInfo: PageInfoType;
}

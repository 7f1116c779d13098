import { Field, InputType, ObjectType } from '@nestjs/graphql';
import GraphQLJSON from 'graphql-type-json';
import { CaptureResult } from './capture.types';

@ObjectType()
export class FlowResult extends CaptureResult {
  @Field(() => [GraphQLJSON], { description: 'The EPCIS 2.0 events written, in order' }) events: unknown[];
}

@InputType()
export class CommissionInput {
  @Field({ description: 'GTIN-14 (or 8/12/13 digits) under the caller’s company prefixes' }) gtin: string;
  @Field(() => [String]) serials: string[];
  @Field() lot: string;
  @Field({ description: 'ISO date YYYY-MM-DD' }) expiry: string;
  @Field({ description: 'SGLN (URN or Digital Link) or a 13-digit GLN' }) location: string;
}

@InputType()
export class PackInput {
  @Field({ description: 'SSCC: 18 digits, URN or Digital Link' }) parent: string;
  @Field(() => [String], { description: 'EPCs (URN or Digital Link) of the items packed' }) children: string[];
}

@InputType()
export class UnpackInput {
  @Field() parent: string;
  @Field(() => [String], { nullable: true, description: 'Omitted: everything the parent holds' }) children?: string[];
}

@InputType()
export class ShipInput {
  @Field(() => [String]) epcs: string[];
  @Field({ description: 'GLN of the receiving organization' }) to: string;
}

@InputType()
export class ReceiveInput {
  @Field(() => [String]) epcs: string[];
  @Field({ nullable: true, description: 'GLN of the shipping organization' }) from?: string;
}

@InputType()
export class DecommissionInput {
  @Field(() => [String]) epcs: string[];
  @Field({ nullable: true, description: 'A CBV 2.0 disposition saying why: damaged, expired, recalled, stolen, …; inactive if omitted' })
  reason?: string;
}

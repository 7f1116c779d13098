import { Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import type { EventCorrectionView } from '@pharmatrace/persistence';
import GraphQLJSON from 'graphql-type-json';
import { PageInfoType } from '../common/paging';

/** Values of one type: GraphQL's spelling of the binding's `EQ_bizTransaction_<type>=v1|v2` and its kin. */
@InputType()
export class TypedValuesInput {
  @Field({ description: 'A CBV word (po, desadv, owning_party…), its CBV URN or GS1 Web URI, or a URI of your own' }) type: string;
  @Field(() => [String]) values: string[];
}

/** Any query parameter by its binding name, for names GraphQL cannot spell (EQ_ILMD_cbvmda:lotNumber, GE_value_CEL). */
@InputType()
export class QueryParameterInput {
  @Field({ description: 'The REST binding name, e.g. EQ_ILMD_cbvmda:lotNumber, GE_value_CEL, EQ_quantity_KGM' }) name: string;
  @Field(() => [String], { description: 'Its values; an EXISTS_ parameter takes none' }) values: string[];
}

/** Master-data values: GraphQL's spelling of `EQ_ATTR_<field>_<attribute>=v1|v2` (docs/master-data.md). */
@InputType()
export class AttributeValuesInput {
  @Field({ description: '<field>_<attribute>: field readPoint, bizLocation or epcClass; e.g. bizLocation_cbvmda:name' }) type: string;
  @Field(() => [String]) values: string[];
}

/** The same filters as the EPCIS REST query parameters, under the same names, read by the same parser. */
@InputType()
export class EventFilter {
  @Field(() => [String], {
    nullable: true,
    description: 'ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent',
  })
  eventType?: string[];
  @Field({ nullable: true, description: 'ISO 8601 date-time with zone; events at or after it' }) GE_eventTime?: string;
  @Field({ nullable: true, description: 'ISO 8601 date-time with zone; events before it' }) LT_eventTime?: string;
  @Field({ nullable: true }) GE_recordTime?: string;
  @Field({ nullable: true }) LT_recordTime?: string;
  @Field(() => [String], { nullable: true, description: 'ADD, OBSERVE, DELETE' }) EQ_action?: string[];
  @Field(() => [String], { nullable: true, description: 'CBV bare word, URN or GS1 Web URI' }) EQ_bizStep?: string[];
  @Field(() => [String], { nullable: true }) EQ_disposition?: string[];
  @Field(() => [String], { nullable: true, description: 'SGLN as URN or Digital Link' }) EQ_readPoint?: string[];
  @Field(() => [String], { nullable: true }) EQ_bizLocation?: string[];
  @Field(() => [String], { nullable: true, description: 'epcList or childEPCs; EPC URN, Digital Link, or a GTIN pattern' })
  MATCH_epc?: string[];
  @Field(() => [String], { nullable: true }) MATCH_parentID?: string[];
  @Field(() => [String], { nullable: true }) MATCH_inputEPC?: string[];
  @Field(() => [String], { nullable: true }) MATCH_outputEPC?: string[];
  @Field(() => [String], { nullable: true }) MATCH_anyEPC?: string[];
  @Field(() => [String], { nullable: true, description: 'LGTIN, GTIN pattern (idpat) or /01/<gtin>' }) MATCH_epcClass?: string[];
  @Field(() => [String], { nullable: true, description: 'inputQuantityList classes' }) MATCH_inputEPCClass?: string[];
  @Field(() => [String], { nullable: true, description: 'outputQuantityList classes' }) MATCH_outputEPCClass?: string[];
  @Field(() => [String], { nullable: true, description: 'classes of any quantity list' }) MATCH_anyEPCClass?: string[];
  @Field(() => Float, { nullable: true, description: 'a quantity element of any list, in any unit' }) EQ_quantity?: number;
  @Field(() => Float, { nullable: true }) GT_quantity?: number;
  @Field(() => Float, { nullable: true }) GE_quantity?: number;
  @Field(() => Float, { nullable: true }) LT_quantity?: number;
  @Field(() => Float, { nullable: true }) LE_quantity?: number;
  @Field({ nullable: true, description: 'true: only events declared in error (their latest declaration counts)' })
  EXISTS_errorDeclaration?: boolean;
  @Field({ nullable: true }) GE_errorDeclarationTime?: string;
  @Field({ nullable: true }) LT_errorDeclarationTime?: string;
  @Field(() => [String], { nullable: true, description: 'CBV error reason in any spelling' }) EQ_errorReason?: string[];
  @Field(() => [String], { nullable: true }) EQ_correctiveEventID?: string[];
  @Field({ nullable: true, description: 'true: only events with sensor data' }) EXISTS_sensorElementList?: boolean;
  @Field({ nullable: true, description: 'sensor metadata or report time' }) GE_time?: string;
  @Field({ nullable: true }) LT_time?: string;
  @Field({ nullable: true }) GE_startTime?: string;
  @Field({ nullable: true }) LT_startTime?: string;
  @Field({ nullable: true }) GE_endTime?: string;
  @Field({ nullable: true }) LT_endTime?: string;
  @Field(() => [String], { nullable: true, description: 'measurement type: Temperature, gs1:Temperature or its URI' }) EQ_type?: string[];
  @Field(() => [String], { nullable: true }) EQ_deviceID?: string[];
  @Field(() => [String], { nullable: true }) EQ_deviceMetadata?: string[];
  @Field(() => [String], { nullable: true }) EQ_rawData?: string[];
  @Field(() => [String], { nullable: true }) EQ_dataProcessingMethod?: string[];
  @Field(() => [String], { nullable: true }) EQ_microorganism?: string[];
  @Field(() => [String], { nullable: true }) EQ_chemicalSubstance?: string[];
  @Field(() => [String], { nullable: true }) EQ_bizRules?: string[];
  @Field(() => [String], { nullable: true }) EQ_stringValue?: string[];
  @Field(() => [String], { nullable: true }) EQ_hexBinaryValue?: string[];
  @Field(() => [String], { nullable: true }) EQ_uriValue?: string[];
  @Field({ nullable: true }) EQ_booleanValue?: boolean;
  @Field(() => Float, { nullable: true }) EQ_percRank?: number;
  @Field(() => Float, { nullable: true }) GT_percRank?: number;
  @Field(() => Float, { nullable: true }) GE_percRank?: number;
  @Field(() => Float, { nullable: true }) LT_percRank?: number;
  @Field(() => Float, { nullable: true }) LE_percRank?: number;
  @Field(() => [QueryParameterInput], {
    nullable: true,
    description: 'parameters by binding name: ILMD and extension fields, measures by unit (EQ_ILMD_cbvmda:lotNumber, GE_value_CEL…)',
  })
  parameters?: QueryParameterInput[];
  @Field(() => [String], { nullable: true, description: 'CBV 2.0 hash or the eventID given at capture' }) EQ_eventID?: string[];
  @Field(() => [TypedValuesInput], { nullable: true, description: 'a business transaction of a type (EQ_bizTransaction_<type>)' })
  EQ_bizTransaction?: TypedValuesInput[];
  @Field(() => [TypedValuesInput], { nullable: true, description: 'a source of a type, party or location (EQ_source_<type>)' })
  EQ_source?: TypedValuesInput[];
  @Field(() => [TypedValuesInput], { nullable: true, description: 'a destination of a type (EQ_destination_<type>)' })
  EQ_destination?: TypedValuesInput[];
  @Field(() => [String], { nullable: true, description: "a TransformationEvent's transformationID" }) EQ_transformationID?: string[];
  @Field(() => [String], { nullable: true, description: 'a disposition the event persistently sets' })
  EQ_persistentDisposition_set?: string[];
  @Field(() => [String], { nullable: true, description: 'a disposition the event persistently unsets' })
  EQ_persistentDisposition_unset?: string[];
  @Field(() => [String], { nullable: true, description: 'a read point or any descendant by its master data' }) WD_readPoint?: string[];
  @Field(() => [String], { nullable: true, description: 'a business location or any descendant by its master data' })
  WD_bizLocation?: string[];
  @Field(() => [AttributeValuesInput], { nullable: true, description: 'master data of a field has an attribute with one of the values' })
  EQ_ATTR?: AttributeValuesInput[];
  @Field(() => [String], { nullable: true, description: "the read point's master data has one of these attributes" })
  HASATTR_readPoint?: string[];
  @Field(() => [String], { nullable: true, description: "the business location's master data has one of these attributes" })
  HASATTR_bizLocation?: string[];
  @Field(() => [String], { nullable: true, description: "the product class's master data has one of these attributes" })
  HASATTR_epcClass?: string[];
  @Field({ nullable: true, description: 'eventTime or recordTime; without it, event time ascending' }) orderBy?: string;
  @Field({ nullable: true, description: 'ASC or DESC (the default with orderBy)' }) orderDirection?: string;
  @Field(() => Int, { nullable: true, description: 'only the first N events in orderBy order (needs orderBy)' })
  eventCountLimit?: number;
  @Field(() => Int, { nullable: true, description: 'QUERY_TOO_LARGE if more than N events match' }) maxEventCount?: number;
}

/** A GraphQL filter and page as the REST binding's query parameters, for the one parser both paths share. */
export function eventQueryParams(filter: EventFilter | null, first: number | null, after: string | null): Record<string, string[]> {
  const params: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(filter ?? {}) as [
    string,
    string | number | boolean | string[] | TypedValuesInput[] | QueryParameterInput[] | AttributeValuesInput[] | null | undefined,
  ][]) {
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value)) params[name] = [String(value)];
    else
      for (const item of value) {
        if (typeof item === 'string') (params[name] ??= []).push(item);
        else if ('name' in item) (params[item.name] ??= []).push(...(item.values.length ? item.values : ['']));
        else (params[`${name}_${item.type}`] ??= []).push(...item.values);
      }
  }
  if (first !== null && first !== undefined) params.perPage = [String(first)];
  if (after !== null && after !== undefined) params.nextPageToken = [after];
  return params;
}

/** An error declaration of a stored event: the declaring event hashed as the event, so it is kept as its correction. */
@ObjectType('EventCorrection')
export class EventCorrectionType {
  @Field() declarationTime: Date;
  @Field({ nullable: true, description: 'CBV error reason, as declared' }) reason?: string;
  @Field(() => [String], { description: 'Events that correct this one' }) correctiveEventIDs: string[];
  @Field(() => ID, { description: "The organization that declared it (the event's capturer)" }) declaredBy: string;
  @Field({ description: "The server's clock when it was recorded" }) recordTime: Date;

  static from(c: EventCorrectionView): EventCorrectionType {
    return {
      declarationTime: new Date(c.declarationTime),
      reason: c.reason ?? undefined,
      correctiveEventIDs: c.correctiveEventIDs,
      declaredBy: c.declaredBy,
      recordTime: new Date(c.recordTime),
    };
  }
}

@ObjectType('EpcisEvent')
export class EpcisEventType {
  @Field({ description: 'CBV 2.0 event hash, ni:///sha-256;<hex>?ver=CBV2.0' }) eventHash: string;
  @Field({ nullable: true, description: 'The eventID the producer gave, if any' }) eventID?: string;
  @Field() eventType: string;
  @Field() eventTime: Date;
  @Field() recordTime: Date;
  @Field(() => GraphQLJSON, {
    description: 'The event as captured, EPCIS 2.0 JSON-LD (with its latest errorDeclaration if declared in error, without ignored fields)',
  })
  event: unknown;
  @Field(() => [EventCorrectionType], { description: 'Its error declarations, oldest first: empty unless declared in error' })
  corrections: EventCorrectionType[];
}

@ObjectType('EventEdge')
export class EventEdgeType {
  @Field() cursor: string;
  @Field(() => EpcisEventType) node: EpcisEventType;
}

@ObjectType('EventConnection')
export class EventConnectionType {
  @Field(() => [EventEdgeType]) edges: EventEdgeType[];
  @Field(() => PageInfoType) pageInfo: PageInfoType;
}

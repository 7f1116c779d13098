import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class CaptureResult {
  @Field(() => Int, { description: 'Events stored by this call' }) capturedCount: number;
  @Field(() => Int, { description: 'Events already stored before (same CBV 2.0 hash): skipped, not an error' })
  duplicateCount: number;
  @Field(() => [String], { description: 'CBV 2.0 hash (ni:///sha-256;…?ver=CBV2.0) of every event, in document order' })
  eventHashes: string[];
}

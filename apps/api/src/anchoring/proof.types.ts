import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum AnchorStatusEnum {
  UNBATCHED = 'UNBATCHED',
  SEALED = 'SEALED',
  SUBMITTED = 'SUBMITTED',
  MINED = 'MINED',
  FINAL = 'FINAL',
  REANCHORED = 'REANCHORED',
}
registerEnumType(AnchorStatusEnum, { name: 'AnchorStatus' });

@ObjectType('EventProof', { description: 'Everything needed to check an event against the root anchored on chain.' })
export class EventProofType {
  @Field({ description: '0x-hex of the 32 bytes of the CBV 2.0 event hash: the Merkle leaf value' }) eventDigest: string;
  @Field(() => [String], { description: 'OpenZeppelin StandardMerkleTree proof, leaf to root' }) merkleProof: string[];
  @Field() root: string;
  @Field(() => Int) batchId: number;
  @Field(() => Int) chainId: number;
  @Field() contractAddress: string;
  @Field() transactionHash: string;
  @Field(() => Int) blockNumber: number;
  @Field(() => AnchorStatusEnum) status: AnchorStatusEnum;
}

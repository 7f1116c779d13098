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

export enum ProofStatusEnum {
  PENDING = 'PENDING',
  FINAL = 'FINAL',
  REANCHORED = 'REANCHORED',
}
registerEnumType(ProofStatusEnum, {
  name: 'ProofStatus',
  description:
    'What a verifier may rely on: the anchors are final everywhere, not yet, or one was dropped by a reorganisation and is being re-anchored',
  valuesMap: {
    PENDING: { description: 'not yet final on every chain' },
    FINAL: { description: 'final on every chain: confirmations passed and block hashes re-checked' },
    REANCHORED: { description: 'a reorganisation dropped an anchor listed here; it is being re-anchored and will change' },
  },
});

@ObjectType('ChainAnchor', { description: "The batch's root on one chain" })
export class ChainAnchorType {
  @Field(() => Int) chainId: number;
  @Field() contractAddress: string;
  @Field(() => String, { nullable: true, description: 'null until a transaction is mined' }) transactionHash: string | null;
  @Field(() => Int, { nullable: true }) blockNumber: number | null;
  @Field(() => String, { nullable: true }) blockHash: string | null;
  @Field(() => AnchorStatusEnum) status: AnchorStatusEnum;
  @Field(() => Int, { description: 'times a reorganisation dropped the anchor on this chain' }) reanchorCount: number;
}

@ObjectType('EventProof', { description: 'Everything needed to check an event against the root anchored on chain.' })
export class EventProofType {
  @Field({ description: '0x-hex of the 32 bytes of the CBV 2.0 event hash: the Merkle leaf value' }) eventDigest: string;
  @Field(() => [String], { description: 'OpenZeppelin StandardMerkleTree proof, leaf to root' }) merkleProof: string[];
  @Field() root: string;
  @Field(() => Int) batchId: number;
  @Field(() => Int, { description: 'primary chain' }) chainId: number;
  @Field() contractAddress: string;
  @Field() transactionHash: string;
  @Field(() => Int) blockNumber: number;
  @Field(() => AnchorStatusEnum) status: AnchorStatusEnum;
  @Field(() => ProofStatusEnum) proofStatus: ProofStatusEnum;
  @Field(() => [ChainAnchorType], { description: 'every chain the root is anchored to, primary first' }) anchors: ChainAnchorType[];
}

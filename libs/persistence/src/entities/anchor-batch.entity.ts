import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './bigint.transformer';

export type AnchorBatchStatus = 'SEALED' | 'SUBMITTED' | 'MINED' | 'FINAL' | 'REANCHORED';

@Entity('anchor_batch')
export class AnchorBatchEntity {
  @PrimaryColumn('bigint', { transformer: bigintToNumber })
  id: number;

  @Column('text')
  status: AnchorBatchStatus;

  @Column('bytea')
  root: Buffer;

  @Column('integer', { name: 'leaf_count' })
  leafCount: number;

  @Column('bytea', { select: false })
  nodes: Buffer;

  /** What the leaves are: event hashes, or case entry hashes (issue 17), never both in one batch. */
  @Column('text', { name: 'leaf_kind' })
  leafKind: 'EVENT' | 'CASE_ENTRY';

  @Column('bigint', { name: 'chain_id', nullable: true, transformer: bigintToNumber })
  chainId: number | null;

  @Column('text', { name: 'contract_address', nullable: true })
  contractAddress: string | null;

  @Column('text', { name: 'tx_hash', nullable: true })
  txHash: string | null;

  @Column('bigint', { name: 'block_number', nullable: true, transformer: bigintToNumber })
  blockNumber: number | null;

  @Column('text', { name: 'block_hash', nullable: true })
  blockHash: string | null;

  @Column('boolean', { name: 'checked_on_chain' })
  checkedOnChain: boolean;

  @Column('timestamptz', { name: 'sealed_at' })
  sealedAt: Date;

  @Column('timestamptz', { name: 'submitted_at', nullable: true })
  submittedAt: Date | null;

  @Column('timestamptz', { name: 'mined_at', nullable: true })
  minedAt: Date | null;

  @Column('timestamptz', { name: 'final_at', nullable: true })
  finalAt: Date | null;

  /** When an audit found an event of the batch no longer hashing to what was anchored (null: never). */
  @Column('timestamptz', { name: 'audit_failed_at', nullable: true })
  auditFailedAt: Date | null;
}

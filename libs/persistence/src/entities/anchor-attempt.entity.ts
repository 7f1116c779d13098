import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './bigint.transformer';

export type AnchorAttemptStatus = 'SIGNED' | 'BROADCAST' | 'MINED' | 'REVERTED' | 'DROPPED';

/** One signed transaction for a batch, stored before it is broadcast so a crash never loses track of it. */
@Entity('anchor_attempt')
export class AnchorAttemptEntity {
  @PrimaryColumn('bigint', { transformer: bigintToNumber })
  id: number;

  @Column('bigint', { name: 'batch_id', transformer: bigintToNumber })
  batchId: number;

  @Column('bigint', { name: 'chain_id', transformer: bigintToNumber })
  chainId: number;

  @Column('text', { name: 'from_address' })
  fromAddress: string;

  @Column('bigint', { transformer: bigintToNumber })
  nonce: number;

  @Column('text', { name: 'tx_hash' })
  txHash: string;

  @Column('text', { name: 'raw_tx' })
  rawTx: string;

  @Column('numeric', { name: 'max_fee_per_gas', nullable: true })
  maxFeePerGas: string | null;

  @Column('numeric', { name: 'max_priority_fee_per_gas', nullable: true })
  maxPriorityFeePerGas: string | null;

  @Column('text')
  status: AnchorAttemptStatus;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  /** When the signed transaction was last sent to the node (null: signed, not sent yet). */
  @Column('timestamptz', { name: 'broadcast_at', nullable: true })
  broadcastAt: Date | null;
}

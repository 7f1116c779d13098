import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './bigint.transformer';

@Entity('event')
export class EventEntity {
  @PrimaryColumn('bigint', { transformer: bigintToNumber })
  id: number;

  @Column('bytea', { name: 'event_hash' })
  eventHash: Buffer;

  @Column('text', { name: 'event_type' })
  eventType: string;

  @Column('text', { nullable: true })
  action: string | null;

  @Column('text', { name: 'biz_step', nullable: true })
  bizStep: string | null;

  @Column('text', { nullable: true })
  disposition: string | null;

  @Column('timestamptz', { name: 'event_time' })
  eventTime: Date;

  @Column('timestamptz', { name: 'record_time' })
  recordTime: Date;

  @Column('text', { name: 'read_point', nullable: true })
  readPoint: string | null;

  @Column('text', { name: 'biz_location', nullable: true })
  bizLocation: string | null;

  @Column('uuid', { name: 'captured_by' })
  capturedBy: string;

  @Column('jsonb')
  body: Record<string, unknown>;

  /** Extension fields the capture declared out of the hash, expanded (`{namespace}local`); see libs/epcis eventIgnoreFields. */
  @Column('text', { name: 'ignore_fields', array: true, default: () => "'{}'" })
  ignoreFields: string[];

  /** The event-hash rules it was hashed with (packages/verify cbv/event-tree.ts HashRules); see the migrations EventHashRules*. */
  @Column('smallint', { name: 'hash_rules', default: 3 })
  hashRules: 1 | 2 | 3;

  @Column('bigint', { name: 'batch_id', nullable: true, transformer: bigintToNumber })
  batchId: number | null;

  @Column('integer', { name: 'leaf_index', nullable: true })
  leafIndex: number | null;
}

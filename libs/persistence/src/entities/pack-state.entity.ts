import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './bigint.transformer';

/** The verification read model: one row per serialized item (pack, case or pallet), updated with each capture. */
@Entity('pack_state')
export class PackStateEntity {
  @PrimaryColumn('text')
  epc: string;

  @Column('text')
  kind: string;

  @Column('char', { length: 14, nullable: true })
  gtin: string | null;

  @Column('text', { nullable: true })
  serial: string | null;

  @Column('text', { nullable: true })
  lot: string | null;

  @Column('date', { nullable: true })
  expiry: string | null;

  @Column('text')
  status: string;

  @Column('uuid', { name: 'custodian_id', nullable: true })
  custodianId: string | null;

  @Column('text', { nullable: true })
  location: string | null;

  @Column('text', { nullable: true })
  destination: string | null;

  @Column('text', { name: 'container_epc', nullable: true })
  containerEpc: string | null;

  @Column('uuid', { name: 'commissioned_by', nullable: true })
  commissionedBy: string | null;

  @Column('bigint', { name: 'last_event_id', transformer: bigintToNumber })
  lastEventId: number;

  @Column('timestamptz', { name: 'last_event_time' })
  lastEventTime: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}

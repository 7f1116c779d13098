import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './bigint.transformer';

export type EpcRole = 'epc' | 'parent' | 'child' | 'input' | 'output';

@Entity('event_epc')
export class EventEpcEntity {
  @PrimaryColumn('text')
  epc: string;

  @PrimaryColumn('timestamptz', { name: 'event_time' })
  eventTime: Date;

  @PrimaryColumn('bigint', { name: 'event_id', transformer: bigintToNumber })
  eventId: number;

  @PrimaryColumn('text')
  role: EpcRole;
}

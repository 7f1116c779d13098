import type { Organization, OrganizationRole } from '@pharmatrace/domain';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type { OrganizationRole };

@Entity('organization')
export class OrganizationEntity implements Organization {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column({ type: 'enum', enum: ['MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER', 'REGULATOR'], enumName: 'organization_role' })
  role: OrganizationRole;

  @Column('char', { length: 13 })
  gln: string;

  @Column('text', { array: true, name: 'company_prefixes' })
  companyPrefixes: string[];

  /** EIP-55 checksummed address whose EIP-712 signatures the organization's captures may carry (issue 6). */
  @Column('text', { name: 'eth_address', nullable: true })
  ethAddress: string | null;

  @Column('boolean', { name: 'require_signed_captures', default: false })
  requireSignedCaptures: boolean;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}

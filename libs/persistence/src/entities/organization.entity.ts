import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type OrganizationRole = 'MANUFACTURER' | 'DISTRIBUTOR' | 'DISPENSER' | 'REGULATOR';

@Entity('organization')
export class OrganizationEntity {
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

  @Column('bytea', { name: 'api_key_hash', select: false })
  apiKeyHash: Buffer;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}

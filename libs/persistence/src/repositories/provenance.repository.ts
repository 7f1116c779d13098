import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from './sql-query';

interface ProductManufacturerRow {
  manufacturer_id: string | null;
}

@Injectable()
export class ProvenanceRepository {
  constructor(private readonly db: DataSource) {}

  /** The organization that owns a GTIN (the one that first commissioned it), or null. */
  async manufacturerOf(gtin: string | null): Promise<string | null> {
    if (!gtin) return null;
    const rows = await queryRows<ProductManufacturerRow>(this.db, `SELECT manufacturer_id FROM product WHERE gtin = $1`, [gtin]);
    return rows[0]?.manufacturer_id ?? null;
  }
}

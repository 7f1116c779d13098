import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthCheck } from './health.check';

@Injectable()
export class PostgresCheck implements HealthCheck {
  readonly name = 'postgres';

  constructor(private readonly db: DataSource) {}

  async run() {
    await this.db.query('SELECT 1');
    return {};
  }
}

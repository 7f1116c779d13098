import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from './sql-query';

/** One month of the event record (its `event` and `event_epc` partitions), live or archived. */
export interface EventPartition {
  /** YYYY-MM, UTC. */
  month: string;
  archived: boolean;
}

interface MadeRow {
  made: number;
}

interface ArchivedRow {
  archived: string[];
}

interface PartitionRow {
  name: string;
  archived: boolean;
}

/**
 * The monthly partitions of `event` and `event_epc` (migration 1766600000000). Making and archiving run as the schema's
 * owner through two SECURITY DEFINER functions, so the application role needs no ownership; both are safe to call from
 * several workers at once (they take one advisory lock) and to repeat (a month made or archived is skipped).
 */
@Injectable()
export class PartitionRepository {
  constructor(private readonly db: DataSource) {}

  /** Makes every month from `from` to `to` not yet made (nor archived); returns how many months it made. */
  async ensure(from: Date, to: Date): Promise<number> {
    const [row] = await queryRows<MadeRow>(this.db, `SELECT event_partitions_ensure($1, $2) AS made`, [from, to]);
    return row.made;
  }

  /**
   * Detaches into schema `archive`, oldest first, the months that ended by `before` and whose events are all in FINAL
   * batches; stops at the first month that is not. Returns the months archived (YYYY-MM).
   */
  async archive(before: Date): Promise<string[]> {
    const [row] = await queryRows<ArchivedRow>(this.db, `SELECT event_partitions_archive($1) AS archived`, [before]);
    return row.archived;
  }

  /** Every month of events, live or archived, oldest first. */
  async months(): Promise<EventPartition[]> {
    const rows = await queryRows<PartitionRow>(
      this.db,
      `SELECT c.relname AS name, i.inhparent = 'archive.event'::regclass AS archived
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent IN ('public.event'::regclass, 'archive.event'::regclass)
       ORDER BY c.relname`,
    );
    // Partitions are named event_yYYYYmMM.
    return rows.map((r) => ({ month: `${r.name.slice(7, 11)}-${r.name.slice(12, 14)}`, archived: r.archived }));
  }
}

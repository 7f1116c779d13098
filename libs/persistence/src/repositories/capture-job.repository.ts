import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows, type Updated } from './sql-query';

export interface CaptureJobError {
  type: string;
  title: string;
  status: number;
  detail: string;
  [key: string]: unknown;
}

export interface CaptureJob {
  id: string;
  organizationId: string;
  createdAt: Date;
  finishedAt: Date | null;
  running: boolean;
  success: boolean | null;
  capturedCount: number | null;
  duplicateCount: number | null;
  errors: CaptureJobError[];
  /** GS1-Capture-Error-Behaviour: `proceed` stores the valid events of a document and reports the others. */
  captureErrorBehaviour: 'rollback' | 'proceed';
  /** Events refused by a finished `proceed` job (0 for a successful `rollback` one); null while running or failed whole. */
  refusedCount: number | null;
  /**
   * CBV 2.0 hash URIs of the events stored or already stored, in document order, the page asked for (`EventIdPage`);
   * null until the job finishes.
   */
  eventIds: string[] | null;
  /** How many ids the job has in all (0 until it finishes). */
  eventIdCount: number;
}

/**
 * Which of a job's event ids to read. A 10,000-event job's whole array took node-postgres 47-60 ms of main thread to
 * parse at every poll of the job (issue 13's stall bench): only the page answered is read, sliced by Postgres.
 */
export interface EventIdPage {
  offset: number;
  limit: number;
}

/** What a capture job that ran to its end stored: success is an empty `errors`. */
export interface CaptureJobOutcome {
  capturedCount: number;
  duplicateCount: number;
  refusedCount: number;
  eventIds: string[];
  errors: CaptureJobError[];
}

/**
 * A row of COLUMNS as node-postgres answers it, declared apart from CaptureJob so that tsc reports a change to one
 * that the other does not follow: the rows are returned as CaptureJobs unchanged.
 */
interface CaptureJobRow {
  id: string;
  organizationId: string;
  createdAt: Date;
  finishedAt: Date | null;
  running: boolean;
  success: boolean | null;
  capturedCount: number | null;
  duplicateCount: number | null;
  /** jsonb, written only by `finish`, `fail` and `failAbandoned` from CaptureJobErrors (`[]` by default). */
  errors: CaptureJobError[];
  captureErrorBehaviour: 'rollback' | 'proceed';
  refusedCount: number | null;
  eventIds: string[] | null;
  eventIdCount: number;
}

interface CaptureJobIdRow {
  id: string;
}

/** The columns of a job with the page of its ids from `event_ids[offset + 1 : offset + limit]`, the two given as parameters. */
const columns = (offset: string, limit: string) => `id, organization_id AS "organizationId", created_at AS "createdAt",
  finished_at AS "finishedAt", running, success, captured_count AS "capturedCount", duplicate_count AS "duplicateCount", errors,
  capture_error_behaviour AS "captureErrorBehaviour", refused_count AS "refusedCount",
  event_ids[${offset}::int + 1 : ${offset}::int + ${limit}::int] AS "eventIds", coalesce(cardinality(event_ids), 0) AS "eventIdCount"`;

/** The EPCIS capture jobs: one row per asynchronous capture request, from running to success or failure. */
@Injectable()
export class CaptureJobRepository {
  constructor(private readonly db: DataSource) {}

  async start(organizationId: string, captureErrorBehaviour: 'rollback' | 'proceed' = 'rollback'): Promise<CaptureJob> {
    const [row] = await queryRows<CaptureJobRow>(
      this.db,
      `INSERT INTO capture_job (organization_id, capture_error_behaviour) VALUES ($1, $2) RETURNING ${columns('0', '0')}`,
      [organizationId, captureErrorBehaviour],
    );
    return row;
  }

  /** A job that ran to its end: successful when nothing was refused. */
  async finish(id: string, outcome: CaptureJobOutcome): Promise<void> {
    await this.db.query(
      `UPDATE capture_job SET running = false, success = $2, finished_at = clock_timestamp(), captured_count = $3, duplicate_count = $4,
         refused_count = $5, event_ids = $6::text[], errors = $7::jsonb
       WHERE id = $1`,
      [
        id,
        outcome.errors.length === 0,
        outcome.capturedCount,
        outcome.duplicateCount,
        outcome.refusedCount,
        outcome.eventIds,
        JSON.stringify(outcome.errors),
      ],
    );
  }

  async fail(id: string, errors: CaptureJobError[]): Promise<void> {
    await this.db.query(
      `UPDATE capture_job SET running = false, success = false, finished_at = clock_timestamp(), errors = $2::jsonb WHERE id = $1`,
      [id, JSON.stringify(errors)],
    );
  }

  /** The jobs this process is still capturing are alive: their heartbeat moves on. */
  async heartbeat(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.query(`UPDATE capture_job SET heartbeat_at = clock_timestamp() WHERE id = ANY($1::uuid[]) AND running`, [ids]);
  }

  /**
   * Ends every running job whose heartbeat is older than `staleAfterMs`: the process capturing it stopped. Returns the
   * ids ended. The capture was one transaction, so either all of the document was stored or none of it.
   */
  async failAbandoned(staleAfterMs: number, errors: CaptureJobError[]): Promise<string[]> {
    // TypeORM answers an UPDATE … RETURNING on Postgres with [rows, affected count].
    const [rows] = await this.db.query<Updated<CaptureJobIdRow>>(
      `UPDATE capture_job SET running = false, success = false, finished_at = clock_timestamp(), errors = $2::jsonb
       WHERE running AND heartbeat_at < clock_timestamp() - make_interval(secs => $1::float8 / 1000) RETURNING id`,
      [staleAfterMs, JSON.stringify(errors)],
    );
    return rows.map((r) => r.id);
  }

  /** Another organization's job is reported as absent, not as forbidden, so job ids reveal nothing. */
  async find(id: string, organizationId: string, ids: EventIdPage): Promise<CaptureJob | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    const [row] = await queryRows<CaptureJobRow>(
      this.db,
      `SELECT ${columns('$3', '$4')} FROM capture_job WHERE id = $1 AND organization_id = $2`,
      [id, organizationId, ids.offset, ids.limit],
    );
    return row ?? null;
  }

  /** Newest first, keyset on (created_at, id). */
  async list(
    organizationId: string,
    limit: number,
    ids: EventIdPage,
    beforeId?: string,
  ): Promise<{ jobs: CaptureJob[]; hasMore: boolean }> {
    const rows = await queryRows<CaptureJobRow>(
      this.db,
      `SELECT ${columns('$4', '$5')} FROM capture_job
       WHERE organization_id = $1
         AND ($2::uuid IS NULL OR (created_at, id) < (SELECT p.created_at, p.id FROM capture_job p WHERE p.id = $2::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $3`,
      [organizationId, beforeId ?? null, limit + 1, ids.offset, ids.limit],
    );
    return { jobs: rows.slice(0, limit), hasMore: rows.length > limit };
  }
}

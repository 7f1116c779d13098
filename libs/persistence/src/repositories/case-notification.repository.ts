import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows, SqlRunner } from './sql-query';

/** A partner to be told, written with the illegitimate resolution (its first row). */
export interface NewCaseNotification {
  jobId: string;
  caseId: string;
  organizationId: string;
  /** null: the partner has no webhook (recorded as `no-channel`, still listed as to be told). */
  subscriptionId: string | null;
  at: Date;
  payload: unknown;
}

/** A job as it stands: its latest row, with the attempts made and when it was delivered. */
export interface CaseNotificationRow {
  jobId: string;
  caseId: string;
  organizationId: string;
  channel: 'webhook' | 'none';
  subscriptionId: string | null;
  status: 'pending' | 'no-channel' | 'sending' | 'delivered' | 'failed';
  attempt: number;
  at: Date;
  nextAttemptAt: Date | null;
  httpStatus: number | null;
  error: string | null;
  /** When the job started (its pending or no-channel row). */
  createdAt: Date;
}

/** What a worker needs to send an attempt it claimed. */
export interface ClaimedNotification {
  jobId: string;
  caseId: string;
  organizationId: string;
  subscriptionId: string;
  attempt: number;
  payload: unknown;
  /** The subscription as it is now: null once it was deleted. */
  dest: string | null;
  signatureToken: string | null;
}

export interface PackFacts {
  epc: string;
  gtin: string | null;
  serial: string | null;
  lot: string | null;
  /** YYYY-MM-DD. */
  expiry: string | null;
  commissionedBy: string | null;
}

const LATEST = `SELECT DISTINCT ON (job_id) job_id AS "jobId", case_id AS "caseId", organization_id AS "organizationId", channel,
  subscription_id AS "subscriptionId", status, attempt, at, next_attempt_at AS "nextAttemptAt", http_status AS "httpStatus", error
  FROM case_notification`;

/** Inserts a case's notification jobs in `tx` (the transaction storing the resolution): a job already written stays as it is. */
export async function insertCaseNotifications(tx: SqlRunner, jobs: NewCaseNotification[]): Promise<void> {
  if (!jobs.length) return;
  await tx.query(
    `INSERT INTO case_notification (job_id, case_id, organization_id, channel, subscription_id, status, attempt, at, payload)
     SELECT j, c, o, CASE WHEN s IS NULL THEN 'none' ELSE 'webhook' END, s,
            CASE WHEN s IS NULL THEN 'no-channel' ELSE 'pending' END, 0, a, CASE WHEN s IS NULL THEN NULL ELSE p END
     FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::jsonb[]) AS t(j, c, o, s, a, p)
     ON CONFLICT DO NOTHING`,
    [
      jobs.map((j) => j.jobId),
      jobs.map((j) => j.caseId),
      jobs.map((j) => j.organizationId),
      jobs.map((j) => j.subscriptionId),
      jobs.map((j) => j.at),
      jobs.map((j) => JSON.stringify(j.payload)),
    ],
  );
}

/**
 * Who handled a case's packs, and the record of telling them: read by the API when a case is resolved as illegitimate
 * and shown on the case; claimed and recorded by the worker that delivers.
 */
@Injectable()
export class CaseNotificationRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Every organization but a regulator that handled one of the case's packs, with the packs it handled: it captured an
   * event naming the pack, or naming a container while the pack was in it (a shipment names its pallet, not each
   * pack), or it holds the pack now. "While": from the event that packed it into the container to the next that moved
   * it out (an unpacking of it, or its packing into another), intersected level by level up to the pallet; events
   * ordered by event time, then id. A container's events before the pack went in or after it came out are another
   * shipment's, whose handlers never held the pack.
   */
  async handlers(caseId: string): Promise<{ organizationId: string; packs: string[] }[]> {
    const rows = await queryRows<{ organizationId: string; packs: string[] }>(
      this.db,
      `WITH RECURSIVE span(pack, epc, from_t, from_id, to_t, to_id, depth) AS (
         SELECT epc, epc, '-infinity'::timestamptz, 0::bigint, 'infinity'::timestamptz, 0::bigint, 0
         FROM exception_case_item WHERE case_id = $1
         UNION ALL
         SELECT s.pack, a.parent, a.t, a.id, a.end_t, a.end_id, s.depth + 1
         FROM span s CROSS JOIN LATERAL (
           SELECT p.epc AS parent,
             CASE WHEN (c.event_time, c.event_id) > (s.from_t, s.from_id) THEN c.event_time ELSE s.from_t END AS t,
             CASE WHEN (c.event_time, c.event_id) > (s.from_t, s.from_id) THEN c.event_id ELSE s.from_id END AS id,
             CASE WHEN nx.event_id IS NULL OR (nx.event_time, nx.event_id) > (s.to_t, s.to_id) THEN s.to_t ELSE nx.event_time END AS end_t,
             CASE WHEN nx.event_id IS NULL OR (nx.event_time, nx.event_id) > (s.to_t, s.to_id) THEN s.to_id ELSE nx.event_id END AS end_id
           FROM event_epc c
           JOIN event ce ON ce.id = c.event_id AND ce.record_time = c.record_time AND ce.event_type = 'AggregationEvent' AND ce.action = 'ADD'
           JOIN event_epc p ON p.event_id = c.event_id AND p.record_time = c.record_time AND p.role = 'parent'
           LEFT JOIN LATERAL (
             SELECT c2.event_time, c2.event_id FROM event_epc c2
             JOIN event e2 ON e2.id = c2.event_id AND e2.record_time = c2.record_time AND e2.event_type = 'AggregationEvent'
             WHERE c2.epc = s.epc AND c2.role = 'child' AND (c2.event_time, c2.event_id) > (c.event_time, c.event_id)
               AND (e2.action = 'ADD' OR (e2.action = 'DELETE'
                 AND EXISTS (SELECT 1 FROM event_epc p2 WHERE p2.event_id = c2.event_id AND p2.record_time = c2.record_time AND p2.role = 'parent' AND p2.epc = p.epc)))
             ORDER BY c2.event_time, c2.event_id LIMIT 1
           ) nx ON true
           -- Packed into the container before the span ends, and not moved out of it before the span starts (a case
           -- already on its pallet when the pack went into the case).
           WHERE c.epc = s.epc AND c.role = 'child' AND (c.event_time, c.event_id) < (s.to_t, s.to_id)
             AND (nx.event_id IS NULL OR (nx.event_time, nx.event_id) > (s.from_t, s.from_id))
         ) a
         WHERE s.depth < 8
       ), handled(organization_id, pack) AS (
         SELECT e.captured_by, s.pack FROM span s
         JOIN event_epc x ON x.epc = s.epc AND (x.event_time, x.event_id) >= (s.from_t, s.from_id) AND (x.event_time, x.event_id) < (s.to_t, s.to_id)
         JOIN event e ON e.id = x.event_id AND e.record_time = x.record_time
         UNION
         SELECT s.custodian_id, s.epc FROM exception_case_item i JOIN pack_state s ON s.epc = i.epc
         WHERE i.case_id = $1 AND s.custodian_id IS NOT NULL
       )
       SELECT h.organization_id AS "organizationId", array_agg(DISTINCT h.pack ORDER BY h.pack) AS packs
       FROM handled h JOIN organization o ON o.id = h.organization_id
       WHERE o.role <> 'REGULATOR'
       GROUP BY h.organization_id ORDER BY h.organization_id`,
      [caseId],
    );
    return rows;
  }

  /** The active webhook subscriptions of these organizations, one per destination (the oldest), oldest first. */
  webhooks(organizationIds: string[]): Promise<{ ownerId: string; subscriptionId: string }[]> {
    if (!organizationIds.length) return Promise.resolve([]);
    return queryRows(
      this.db,
      `SELECT owner_id AS "ownerId", id AS "subscriptionId" FROM (
         SELECT DISTINCT ON (owner_id, dest) owner_id, id, created_at FROM subscription
         WHERE owner_id = ANY($1::uuid[]) AND deleted_at IS NULL AND status = 'active'
         ORDER BY owner_id, dest, created_at, id
       ) s ORDER BY created_at, id`,
      [organizationIds],
    );
  }

  /** What the platform knows of each pack (its state), for the regulator forms. */
  packs(epcs: string[]): Promise<PackFacts[]> {
    if (!epcs.length) return Promise.resolve([]);
    return queryRows<PackFacts>(
      this.db,
      `SELECT epc, gtin, serial, lot, to_char(expiry, 'YYYY-MM-DD') AS expiry, commissioned_by AS "commissionedBy"
       FROM pack_state WHERE epc = ANY($1::text[]) ORDER BY epc`,
      [epcs],
    );
  }

  /** Each job of the case as it stands, in the order the jobs were written. */
  forCase(caseId: string): Promise<CaseNotificationRow[]> {
    return queryRows<CaseNotificationRow>(
      this.db,
      `SELECT n.*, f.at AS "createdAt" FROM (${LATEST} WHERE case_id = $1 ORDER BY job_id, id DESC) n
       JOIN case_notification f ON f.job_id = n."jobId" AND f.attempt = 0
       ORDER BY f.id`,
      [caseId],
    );
  }

  /**
   * Jobs to attempt now, oldest first: pending, failed with their next attempt due, or claimed by a worker that has
   * not answered since `staleBefore` (it died). The table holds only illegitimate cases' notifications, a few rows
   * each, so reading every job's latest row is cheap.
   */
  due(now: Date, staleBefore: Date, limit: number): Promise<CaseNotificationRow[]> {
    return queryRows<CaseNotificationRow>(
      this.db,
      `SELECT n.*, f.at AS "createdAt" FROM (${LATEST} ORDER BY job_id, id DESC) n
       JOIN case_notification f ON f.job_id = n."jobId" AND f.attempt = 0
       WHERE n.status = 'pending' OR (n.status = 'failed' AND n."nextAttemptAt" <= $1) OR (n.status = 'sending' AND n.at < $2)
       ORDER BY n.at LIMIT $3`,
      [now, staleBefore, limit],
    );
  }

  /**
   * Claims the job's next attempt for `worker`: null when another worker claimed it first. The payload is the one
   * written with the job; the destination and token are the subscription's now (a deleted one has none).
   */
  async claim(job: CaseNotificationRow, worker: string, now: Date): Promise<ClaimedNotification | null> {
    const attempt = job.attempt + 1;
    const [claimed] = await queryRows<{ id: string }>(
      this.db,
      `INSERT INTO case_notification (job_id, case_id, organization_id, channel, subscription_id, status, attempt, at, worker)
       VALUES ($1, $2, $3, 'webhook', $4, 'sending', $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
      [job.jobId, job.caseId, job.organizationId, job.subscriptionId, attempt, now, worker],
    );
    if (!claimed) return null;
    const [row] = await queryRows<{ payload: unknown; dest: string | null; signatureToken: string | null }>(
      this.db,
      `SELECT n.payload, s.dest, s.signature_token AS "signatureToken"
       FROM case_notification n LEFT JOIN subscription s ON s.id = n.subscription_id AND s.deleted_at IS NULL
       WHERE n.job_id = $1 AND n.status = 'pending'`,
      [job.jobId],
    );
    return {
      jobId: job.jobId,
      caseId: job.caseId,
      organizationId: job.organizationId,
      subscriptionId: job.subscriptionId!,
      attempt,
      payload: row.payload,
      dest: row.dest,
      signatureToken: row.signatureToken,
    };
  }

  /** The attempt's outcome; `nextAttemptAt` null on a failure: no more attempts. */
  async finish(
    job: ClaimedNotification,
    outcome: { status: 'delivered' | 'failed'; at: Date; httpStatus: number | null; error: string | null; nextAttemptAt: Date | null },
    worker: string,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO case_notification (job_id, case_id, organization_id, channel, subscription_id, status, attempt, at, next_attempt_at,
         http_status, error, worker)
       VALUES ($1, $2, $3, 'webhook', $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
      [
        job.jobId,
        job.caseId,
        job.organizationId,
        job.subscriptionId,
        outcome.status,
        job.attempt,
        outcome.at,
        outcome.nextAttemptAt,
        outcome.httpStatus,
        outcome.error,
        worker,
      ],
    );
  }
}

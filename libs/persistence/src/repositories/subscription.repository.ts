import { Injectable } from '@nestjs/common';
import type { OrganizationRole } from '../entities';
import { DataSource } from 'typeorm';
import { decodeCriteria } from '../event-criteria.codec';
import type { EventCriteria, EventPosition } from './event-query.repository';
import { queryRows, type Updated } from './sql-query';

/** A query subscription (`/epcis/queries/{name}/subscriptions/{id}`): a webhook fed by the worker. */
export interface Subscription {
  id: string;
  queryId: number;
  queryName: string;
  ownerId: string;
  dest: string;
  /** The client's HMAC secret; never served back. */
  signatureToken: string | null;
  stream: boolean;
  schedule: Record<string, string> | null;
  reportIfEmpty: boolean;
  initialRecordTime: Date;
  /** After the last event delivered (and the events below the horizon when it was created without a past initialRecordTime). */
  position: EventPosition;
  createdAt: Date;
  lastNotifiedAt: Date | null;
  /** Scheduled only: the next time the schedule matches. */
  nextRunAt: Date | null;
  /** Not before this (backoff after a failure). */
  nextAttemptAt: Date;
  consecutiveFailures: number;
  status: 'active' | 'paused';
}

export interface NewSubscription {
  queryId: number;
  ownerId: string;
  dest: string;
  signatureToken: string | null;
  stream: boolean;
  schedule: Record<string, string> | null;
  reportIfEmpty: boolean;
  /** Null: from now. */
  initialRecordTime: Date | null;
  nextRunAt: Date | null;
}

/** A subscription leased to one worker for one delivery, with what the delivery needs. */
export interface LeasedSubscription extends Subscription {
  criteria: EventCriteria;
  owner: { id: string; role: OrganizationRole; gln: string };
}

/** One attempt to deliver, as the delivery log keeps it. */
export interface DeliveryAttempt {
  attemptedAt: Date;
  status: 'delivered' | 'failed';
  httpStatus: number | null;
  error: string | null;
  eventCount: number;
  durationMs: number;
}

/** What a finished delivery changes: the position on success, the backoff or pause on failure. */
export type DeliveryOutcome =
  | { kind: 'delivered'; attempt: DeliveryAttempt; position: EventPosition; nextRunAt: Date | null }
  | { kind: 'failed'; attempt: DeliveryAttempt; nextAttemptAt: Date; pause: boolean }
  /**
   * Nothing to send (no new event, or an empty scheduled run without reportIfEmpty): no attempt; the position moves past
   * the events considered, and a scheduled subscription to its next run.
   */
  | { kind: 'idle'; position: EventPosition; nextRunAt: Date | null };

interface SubscriptionRow {
  id: string;
  query_id: string;
  query_name: string;
  owner_id: string;
  dest: string;
  signature_token: string | null;
  stream: boolean;
  schedule: Record<string, string> | null;
  report_if_empty: boolean;
  initial_record_time: Date;
  /** xid8 as text. */
  position_xid: string;
  /** bigint: a string. */
  position_event_id: string;
  created_at: Date;
  last_notified_at: Date | null;
  next_run_at: Date | null;
  next_attempt_at: Date;
  consecutive_failures: number;
  status: 'active' | 'paused';
}

interface LeasedRow extends SubscriptionRow {
  /** jsonb as text. */
  criteria: string;
  owner_role: OrganizationRole;
  owner_gln: string;
}

interface DeliveryRow {
  id: string;
  attempted_at: Date;
  status: 'delivered' | 'failed';
  http_status: number | null;
  error: string | null;
  event_count: number;
  duration_ms: number;
}

const COLUMNS = `s.id, s.query_id, q.name AS query_name, s.owner_id, s.dest, s.signature_token, s.stream, s.schedule, s.report_if_empty,
  s.initial_record_time, s.position_xid::text AS position_xid, s.position_event_id, s.created_at, s.last_notified_at, s.next_run_at,
  s.next_attempt_at, s.consecutive_failures, s.status`;

/** Ready for a delivery: live, active, out of backoff, not leased, and for a scheduled one, its time has come. */
const DUE = `s.deleted_at IS NULL AND s.status = 'active' AND s.next_attempt_at <= now()
  AND (s.leased_until IS NULL OR s.leased_until < now()) AND (s.stream OR s.next_run_at <= now())`;

const toSubscription = (r: SubscriptionRow): Subscription => ({
  id: r.id,
  queryId: Number(r.query_id),
  queryName: r.query_name,
  ownerId: r.owner_id,
  dest: r.dest,
  signatureToken: r.signature_token,
  stream: r.stream,
  schedule: r.schedule,
  reportIfEmpty: r.report_if_empty,
  initialRecordTime: r.initial_record_time,
  position: { xid: r.position_xid, eventId: Number(r.position_event_id) },
  createdAt: r.created_at,
  lastNotifiedAt: r.last_notified_at,
  nextRunAt: r.next_run_at,
  nextAttemptAt: r.next_attempt_at,
  consecutiveFailures: r.consecutive_failures,
  status: r.status,
});

@Injectable()
export class SubscriptionRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Without a past initialRecordTime a subscription starts at the visibility horizon: every transaction below it
   * ended before now, so none of its events has a record time from now on, and the first delivery need not scan them.
   */
  async create(s: NewSubscription): Promise<Subscription> {
    const [row] = await queryRows<SubscriptionRow>(
      this.db,
      `WITH s AS (
         INSERT INTO subscription (query_id, owner_id, dest, signature_token, stream, schedule, report_if_empty, initial_record_time,
                                   position_xid, next_run_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, coalesce($8::timestamptz, clock_timestamp()),
                 CASE WHEN $8::timestamptz IS NULL OR $8::timestamptz >= clock_timestamp()
                      THEN event_visibility_horizon() ELSE '0'::xid8 END, $9)
         RETURNING *)
       SELECT ${COLUMNS} FROM s JOIN named_query q ON q.id = s.query_id`,
      [
        s.queryId,
        s.ownerId,
        s.dest,
        s.signatureToken,
        s.stream,
        s.schedule === null ? null : JSON.stringify(s.schedule),
        s.reportIfEmpty,
        s.initialRecordTime?.toISOString() ?? null,
        s.nextRunAt?.toISOString() ?? null,
      ],
    );
    return toSubscription(row);
  }

  async byId(queryId: number, id: string): Promise<Subscription | null> {
    const rows = await queryRows<SubscriptionRow>(
      this.db,
      `SELECT ${COLUMNS} FROM subscription s JOIN named_query q ON q.id = s.query_id
       WHERE s.query_id = $1 AND s.id = $2 AND s.deleted_at IS NULL`,
      [queryId, id],
    );
    return rows.length ? toSubscription(rows[0]) : null;
  }

  /** A query's live subscriptions in creation order, after the subscription `afterId`. */
  async list(queryId: number, limit: number, afterId?: string): Promise<{ subscriptions: Subscription[]; hasMore: boolean }> {
    const rows = await queryRows<SubscriptionRow>(
      this.db,
      `SELECT ${COLUMNS} FROM subscription s JOIN named_query q ON q.id = s.query_id
       WHERE s.query_id = $1 AND s.deleted_at IS NULL
         AND ($2::uuid IS NULL OR (s.created_at, s.id) > (SELECT p.created_at, p.id FROM subscription p WHERE p.id = $2::uuid))
       ORDER BY s.created_at, s.id LIMIT $3`,
      [queryId, afterId ?? null, limit + 1],
    );
    return { subscriptions: rows.slice(0, limit).map(toSubscription), hasMore: rows.length > limit };
  }

  async delete(queryId: number, id: string): Promise<boolean> {
    const [, affected] = await this.db.query<Updated<unknown>>(
      `UPDATE subscription SET deleted_at = now() WHERE query_id = $1 AND id = $2 AND deleted_at IS NULL`,
      [queryId, id],
    );
    return affected > 0;
  }

  /** The delivery log, newest first, after the entry `afterId`. */
  async deliveries(
    subscriptionId: string,
    limit: number,
    afterId?: number,
  ): Promise<{ deliveries: DeliveryAttempt[]; lastId: number | null; hasMore: boolean }> {
    const rows = await queryRows<DeliveryRow>(
      this.db,
      `SELECT id, attempted_at, status, http_status, error, event_count, duration_ms FROM subscription_delivery
       WHERE subscription_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $3`,
      [subscriptionId, afterId ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    return {
      deliveries: page.map((r) => ({
        attemptedAt: r.attempted_at,
        status: r.status,
        httpStatus: r.http_status,
        error: r.error,
        eventCount: r.event_count,
        durationMs: r.duration_ms,
      })),
      lastId: page.length ? Number(page[page.length - 1].id) : null,
      hasMore: rows.length > limit,
    };
  }

  /** The visibility horizon now: a WebSocket stream without a past initialRecordTime starts there, as `create` does. */
  async horizon(): Promise<EventPosition> {
    const [row] = await queryRows<{ xid: string }>(this.db, `SELECT event_visibility_horizon()::text AS xid`);
    return { xid: row.xid, eventId: 0 };
  }

  /** Subscriptions ready for a delivery, longest waiting first. */
  async due(limit: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT s.id FROM subscription s WHERE ${DUE} ORDER BY s.next_attempt_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Leases a due subscription to `worker` for `leaseMs` (longer than one delivery may take), so no other worker
   * delivers it meanwhile; null when it is no longer due or another worker holds it. A short statement: no transaction
   * stays open across the HTTP call, where it would hold back the visibility horizon of every reader.
   */
  async lease(id: string, worker: string, leaseMs: number): Promise<LeasedSubscription | null> {
    const rows = await queryRows<LeasedRow>(
      this.db,
      `WITH s AS (
         UPDATE subscription s SET leased_by = $2, leased_until = now() + make_interval(secs => $3::double precision / 1000)
         WHERE s.id = $1 AND ${DUE}
         RETURNING s.*)
       SELECT ${COLUMNS}, q.criteria::text AS criteria, o.role AS owner_role, o.gln AS owner_gln
       FROM s JOIN named_query q ON q.id = s.query_id JOIN organization o ON o.id = s.owner_id`,
      [id, worker, leaseMs],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return { ...toSubscription(r), criteria: decodeCriteria(r.criteria), owner: { id: r.owner_id, role: r.owner_role, gln: r.owner_gln } };
  }

  /**
   * Records a delivery and releases the lease, in one transaction: the attempt in the log, and on success the new
   * position, moved only from the position the delivery started at (a worker whose lease lapsed cannot move it twice).
   */
  async finish(s: LeasedSubscription, worker: string, outcome: DeliveryOutcome): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (outcome.kind !== 'idle') {
        const a = outcome.attempt;
        await tx.query(
          `INSERT INTO subscription_delivery (subscription_id, attempted_at, status, http_status, error, event_count, duration_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [s.id, a.attemptedAt, a.status, a.httpStatus, a.error, a.eventCount, a.durationMs],
        );
      }
      const release = `leased_by = NULL, leased_until = NULL`;
      const mine = `id = $1 AND leased_by = $2`;
      if (outcome.kind === 'delivered') {
        await tx.query(
          `UPDATE subscription SET position_xid = $5::xid8, position_event_id = $6, last_notified_at = $7, consecutive_failures = 0,
             next_attempt_at = now(), next_run_at = $8, ${release}
           WHERE ${mine} AND position_xid = $3::xid8 AND position_event_id = $4`,
          [
            s.id,
            worker,
            s.position.xid,
            s.position.eventId,
            outcome.position.xid,
            outcome.position.eventId,
            outcome.attempt.attemptedAt,
            outcome.nextRunAt,
          ],
        );
      } else if (outcome.kind === 'failed') {
        await tx.query(
          `UPDATE subscription SET consecutive_failures = consecutive_failures + 1, next_attempt_at = $3,
             status = CASE WHEN $4 THEN 'paused' ELSE status END, ${release}
           WHERE ${mine}`,
          [s.id, worker, outcome.nextAttemptAt, outcome.pause],
        );
      } else {
        await tx.query(
          `UPDATE subscription SET next_run_at = coalesce($3, next_run_at),
             position_xid = CASE WHEN position_xid = $4::xid8 AND position_event_id = $5 THEN $6::xid8 ELSE position_xid END,
             position_event_id = CASE WHEN position_xid = $4::xid8 AND position_event_id = $5 THEN $7 ELSE position_event_id END,
             ${release}
           WHERE ${mine}`,
          [s.id, worker, outcome.nextRunAt, s.position.xid, s.position.eventId, outcome.position.xid, outcome.position.eventId],
        );
      }
    });
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { createRedis, type RedisConnection, type RedisTarget, untagged } from '../redis/redis.connection';
import { parseLsn } from './lsn';
import { KEEP_IDLE_CONNECTIONS } from '../data-source';
import { PgClient } from '../pg.client';
import { unnamedStatements } from '../repositories/sql-query';
import { ReadTimeoutError } from '../persistence.error';

export const READ_ROUTING_OPTIONS = Symbol('READ_ROUTING_OPTIONS');

export interface ReadRoutingOptions {
  readonly replicaUrls: readonly string[];
  readonly appRole?: string;
  readonly poolSize: number;
  /** Named prepared statements on the hot paths; off behind a transaction-mode pooler that cannot keep them. */
  readonly preparedStatements: boolean;
  readonly maxLagSeconds: number;
  readonly maxLagBytes: number;
  /** Where the organizations' write marks are shared between processes; needed only with replicas. */
  readonly redis?: RedisTarget & { readonly keyPrefix: string };
  /** Open every pool connection at boot and settle the hot statements' plans on each (primePool); off by default. */
  readonly primeConnections?: boolean;
  /** The longest a bounded read (ReadRunner.bounded) may run in Postgres before it is cancelled; unset: no limit. */
  readonly readTimeoutMs?: number;
}

/** A hot path's named statement, with values whose execution reads nothing, for primePool to run before traffic does. */
export interface HotStatement {
  readonly name: string;
  readonly text: string;
  readonly values: readonly unknown[];
}

/** Postgres's plan cache plans a named statement anew at each of a session's first five executions (plancache.c). */
const CUSTOM_PLANS_BEFORE_GENERIC = 5;

/**
 * Opens all `size` connections of `pool` at once and runs each hot statement on each of them one time more than
 * Postgres custom-plans it, so that no request pays a session's first parse and plans. pg-pool hands out its most
 * recently released connection first: the rarely used ones met the verification statement for the first time during
 * bursts, when latency was already high, and on the 1M-pack bench database its parse (30-55 ms) and five custom
 * plans (26-112 ms each) under load came on top (docs/benchmarks.md, "Pool connections primed at boot"). Unnamed
 * statements are planned at every execution: then the connections are only opened.
 */
export async function primePool(pool: Pool, size: number, statements: readonly HotStatement[], named: boolean): Promise<void> {
  const connecting = Array.from({ length: size }, () => pool.connect());
  const settled = await Promise.allSettled(connecting);
  const clients = settled.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  let broken: Error | undefined;
  try {
    const failed = settled.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failed) throw failed.reason;
    if (!named) return;
    await Promise.all(
      clients.map(async (client) => {
        for (const { name, text, values } of statements)
          for (let i = 0; i <= CUSTOM_PLANS_BEFORE_GENERIC; i++) await client.query({ name, text, values: [...values] });
      }),
    );
  } catch (e) {
    broken = e as Error;
    throw e;
  } finally {
    // After a failure a connection may be mid-statement: closed rather than handed to a request.
    for (const client of clients) client.release(broken);
  }
}

/** Where one read runs: the primary or a replica, with the hot paths' prepared statements. */
export interface ReadRunner {
  readonly target: string;
  query(sql: string, params?: unknown[]): Promise<unknown>;
  prepared<Row>(name: string, text: string, values: unknown[], plan?: PlanMode): Promise<Row[]>;
  /**
   * A read whose cost the client's query decides (an event query, a list of values): cancelled by Postgres past the
   * read timeout, rejected with ReadTimeoutError, so that no request holds a connection and a core for minutes.
   */
  bounded<Row>(sql: string, params: unknown[]): Promise<Row[]>;
}

/**
 * How Postgres plans a prepared statement: `auto` (its default: a custom plan for each of a connection's first five
 * executions, then the generic plan if it costs no more), or `generic` from the first execution. `generic` is for a
 * statement whose planning costs many times its execution and whose plan does not depend on its values: the history
 * statement, over 17 months of partitions, plans in 10–25 ms and runs in 1–3 ms, so each new pool connection made its
 * first five provenance answers 10–25 ms slower (issue 18). It costs a transaction around the statement (two more
 * round trips, about 0.35 ms on one host), as plan_cache_mode can only be set for a session or a transaction; not
 * where statements go unnamed (DATABASE_PREPARED_STATEMENTS off), since those are planned at every execution anyway.
 */
export type PlanMode = 'auto' | 'generic';

/** A replica as the last poll saw it. */
export interface ReplicaStatus {
  readonly name: string;
  readonly reachable: boolean;
  /** Seconds since the last transaction it replayed, 0 while it has replayed all the primary wrote. */
  readonly lagSeconds: number | null;
  /** Bytes of WAL the primary wrote that it has not replayed. */
  readonly lagBytes: number | null;
  readonly error?: string;
}

interface Replica {
  readonly name: string;
  readonly pool: Pool;
  readonly runner: ReadRunner;
  replayed?: bigint;
  lagSeconds: number | null;
  lagBytes: number | null;
  polledAt: number;
  error?: string;
}

const POLL_MS = 200;
/** A replica not heard from for this long takes no reads: its position is unknown. */
const STALE_POLL_MS = 2_000;
const LOG_EVERY_MS = 60_000;
const MAX_LOCAL_MARKS = 10_000;

/**
 * Keeps an organization's write mark (a WAL position): the greater of the stored one and the new one, since two API
 * processes may record two writes of one organization in either order.
 */
const MARK_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if (not current) or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;

type MarkRedis = RedisConnection & { pharmatraceMark(key: string, lsn: string, ttlMs: number): Promise<number> };

/**
 * Runs a hot-path statement as a named prepared statement, planned once per connection instead of on every call.
 * TypeORM's query() sends unnamed statements; for the verification and provenance queries planning cost more than
 * executing (EXPLAIN on 1M packs: 1.2 ms of planning against 0.4 ms of execution for the verdict's query).
 */
async function runPrepared<Row>(
  pool: Pool,
  named: boolean,
  name: string,
  text: string,
  values: unknown[],
  plan: PlanMode = 'auto',
): Promise<Row[]> {
  const statement = named ? { name, text, values } : { text, values };
  // An unnamed statement is planned at every execution whatever the mode: the transaction would only add round trips.
  if (plan === 'auto' || !named) return ((await pool.query(statement)) as { rows: unknown[] }).rows as Row[];
  return readInTransaction<Row>(pool, 'SET LOCAL plan_cache_mode = force_generic_plan', statement);
}

/**
 * One read in a read-only transaction of its own, with `settings` (SET LOCAL: a setting of the transaction only, so it
 * never stays on a pooled connection, and works behind PgBouncer in transaction mode). Two more round trips.
 */
async function readInTransaction<Row>(pool: Pool, settings: string, statement: { name?: string; text: string; values: unknown[] }) {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // READ ONLY: only reads run this way, and a read never writes.
    await client.query(`BEGIN READ ONLY; ${settings}`);
    // pg types rows as `any`; read as unknown so the one assertion is the one below.
    const { rows }: { rows: unknown[] } = await client.query(statement);
    await client.query('COMMIT');
    return rows as Row[];
  } catch (e) {
    // A connection that cannot roll back is closed rather than handed to the next caller mid-transaction.
    await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
    throw e;
  } finally {
    client.release(broken);
  }
}

/** Postgres's query_canceled, as its statement timeout raises it (a cancel request raises the same code, other text). */
const isStatementTimeout = (e: unknown) =>
  (e as { code?: string }).code === '57014' && /statement timeout/.test((e as Error).message ?? '');

/** `sql` on `pool`, cancelled by Postgres after `timeoutMs` (ReadRunner.bounded); without a limit, a plain query. */
async function runBounded<Row>(pool: Pool, sql: string, params: unknown[], timeoutMs: number | undefined): Promise<Row[]> {
  if (timeoutMs === undefined) return ((await pool.query(sql, params)) as { rows: unknown[] }).rows as Row[];
  try {
    return await readInTransaction<Row>(pool, `SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`, { text: sql, values: params });
  } catch (e) {
    throw isStatementTimeout(e) ? new ReadTimeoutError(timeoutMs) : e;
  }
}

export function preparedOn<Row>(db: DataSource, name: string, text: string, values: unknown[], plan?: PlanMode): Promise<Row[]> {
  return runPrepared<Row>((db.driver as PostgresDriver).master as Pool, !unnamedStatements.has(db), name, text, values, plan);
}

/**
 * Read routing (docs/scaling.md). Verification, provenance, lots and event queries read from a streaming replica when
 * one is configured, healthy and has replayed every write of the reading organization; otherwise from the primary.
 *
 * The rule is exact: after each capture the primary's WAL insert position is recorded as the organization's write
 * mark (in Redis, shared by every API process; the greater mark wins), and a read of that organization goes to a
 * replica only if the replica's replayed position, as last polled, is at or past the mark. A polled position is never
 * ahead of the replica's real one, so a dispense and then its verify, on any API process, always see the dispense.
 * When the mark cannot be read (Redis down) the read goes to the primary.
 */
@Injectable()
export class ReadRouting implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReadRouting.name);
  private readonly replicas: Replica[];
  readonly primary: ReadRunner;
  private readonly named: boolean;
  private redis?: MarkRedis;
  private readonly localMarks = new Map<string, { lsn: bigint; until: number }>();
  private poller?: NodeJS.Timeout;
  private polling = false;
  private next = 0;
  private lastWarning = 0;
  /** A write whose position could not be read: this process reads the primary until a replica could not lag so far. */
  private markUnknownUntil = 0;
  /** Reads served, by target: the metric says whether the replicas carry the reads. */
  readonly served = new Map<string, number>();
  private readonly hot: HotStatement[] = [];

  constructor(
    private readonly db: DataSource,
    @Inject(READ_ROUTING_OPTIONS) private readonly options: ReadRoutingOptions,
  ) {
    this.named = options.preparedStatements;
    if (!this.named) unnamedStatements.add(db);
    this.primary = {
      target: 'primary',
      query: (sql, params) => db.query(sql, params),
      prepared: (name, text, values, plan) => preparedOn(db, name, text, values, plan),
      bounded: (sql, params) => runBounded((db.driver as PostgresDriver).master as Pool, sql, params, options.readTimeoutMs),
    };
    this.replicas = options.replicaUrls.map((url, i) => {
      const pool = new Pool({
        Client: PgClient,
        connectionString: url,
        max: options.poolSize,
        idleTimeoutMillis: KEEP_IDLE_CONNECTIONS,
        ...(options.appRole ? { options: `-c role=${options.appRole}` } : {}),
      });
      // A replica that goes away fails its poll and leaves the rotation; its idle clients' errors say nothing more.
      pool.on('error', () => undefined);
      const name = `replica${i + 1}`;
      return {
        name,
        pool,
        lagSeconds: null,
        lagBytes: null,
        polledAt: 0,
        runner: {
          target: name,
          query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as unknown,
          prepared: <Row>(n: string, text: string, values: unknown[], plan?: PlanMode) =>
            runPrepared<Row>(pool, this.named, n, text, values, plan),
          bounded: <Row>(sql: string, params: unknown[]) => runBounded<Row>(pool, sql, params, options.readTimeoutMs),
        },
      };
    });
  }

  get hasReplicas(): boolean {
    return this.replicas.length > 0;
  }

  onModuleInit(): void {
    if (!this.replicas.length) return;
    if (this.options.redis) {
      const redis = createRedis(this.options.redis, {
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        connectTimeout: 2_000,
      }) as MarkRedis;
      redis.on('error', () => undefined);
      redis.defineCommand('pharmatraceMark', { numberOfKeys: 1, lua: MARK_SCRIPT });
      this.redis = redis;
    }
    void this.poll();
    this.poller = setInterval(() => void this.poll(), POLL_MS).unref();
  }

  /**
   * A repository's statement to settle on every connection before traffic comes (with `primeConnections`). Called from
   * repositories' constructors, so every statement is known by the time the application boots.
   */
  registerHot(statement: HotStatement): void {
    this.hot.push(statement);
  }

  /**
   * With `primeConnections`, before the server listens: the primary's and each replica's pools opened in full and the
   * hot statements planned on every connection. A pool that cannot be primed is left to open as requests come.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.primeConnections) return;
    const pools = [
      { name: 'primary', pool: (this.db.driver as PostgresDriver).master as Pool },
      ...this.replicas.map((r) => ({ name: r.name, pool: r.pool })),
    ];
    await Promise.all(
      pools.map(({ name, pool }) =>
        primePool(pool, this.options.poolSize, this.hot, this.named).catch((e: Error) =>
          this.logger.warn(`connections to the ${name} not primed: ${e.message}`),
        ),
      ),
    );
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.poller);
    this.redis?.disconnect();
    await Promise.all(this.replicas.map((r) => r.pool.end().catch(() => undefined)));
  }

  /**
   * Where a read by `reading` goes: the organization whose own writes it must see, or null where none are known (a
   * public page, the admin token, a job). Without replicas: the primary, at once.
   */
  reader(reading: string | null): ReadRunner | Promise<ReadRunner> {
    if (!this.replicas.length) return this.primary;
    return this.route(reading);
  }

  private async route(reading: string | null): Promise<ReadRunner> {
    const runner = await this.choose(reading);
    this.served.set(runner.target, (this.served.get(runner.target) ?? 0) + 1);
    return runner;
  }

  private async choose(organizationId: string | null): Promise<ReadRunner> {
    // Without a reader nobody's writes are known: only the primary is sure to hold them.
    if (!organizationId || this.markUnknownUntil > Date.now()) return this.primary;
    const candidates = this.usable();
    if (!candidates.length) return this.primary;
    let mark: bigint;
    try {
      mark = await this.markOf(organizationId);
    } catch (e) {
      this.warn(`write marks unreadable, reading the primary: ${e instanceof Error ? e.message : String(e)}`);
      return this.primary;
    }
    for (let i = 0; i < candidates.length; i++) {
      const replica = candidates[(this.next + i) % candidates.length];
      if (replica.replayed !== undefined && replica.replayed >= mark) {
        this.next = (this.next + i + 1) % candidates.length;
        return replica.runner;
      }
    }
    return this.primary;
  }

  private usable(): Replica[] {
    const now = Date.now();
    return this.replicas.filter(
      (r) =>
        !r.error &&
        now - r.polledAt < STALE_POLL_MS &&
        (r.lagSeconds ?? Infinity) <= this.options.maxLagSeconds &&
        (r.lagBytes ?? Infinity) <= this.options.maxLagBytes,
    );
  }

  private async markOf(organizationId: string): Promise<bigint> {
    const local = this.localMarks.get(organizationId);
    let mark = local && local.until > Date.now() ? local.lsn : 0n;
    if (this.redis) {
      if (this.redis.status !== 'ready') throw new Error(`Redis connection is ${this.redis.status}`);
      const stored = await this.redis.get(this.markKey(organizationId));
      if (stored && BigInt(stored) > mark) mark = BigInt(stored);
    }
    return mark;
  }

  /**
   * Records that `organizationId` just committed a write the routed reads must see. Called after the commit: the
   * primary's insert position is then at or past the commit record.
   */
  async wrote(organizationId: string): Promise<void> {
    if (!this.replicas.length) return;
    let position: bigint;
    try {
      const [{ lsn }] = (await this.db.query(`SELECT pg_current_wal_insert_lsn()::text AS lsn`)) as { lsn: string }[];
      position = parseLsn(lsn);
    } catch (e) {
      // The write is committed and stays so; until the primary answers again, the reads of everyone go to it.
      this.markUnknownUntil = Date.now() + this.markTtlMs();
      this.warn(`write position of ${organizationId} unknown, reading the primary: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const until = Date.now() + this.markTtlMs();
    const local = this.localMarks.get(organizationId);
    if (!local || local.lsn < position) this.localMarks.set(organizationId, { lsn: position, until });
    // Bounded: marks past their lifetime say nothing a replica within the lag bounds has not replayed.
    if (this.localMarks.size > MAX_LOCAL_MARKS)
      for (const [id, mark] of this.localMarks) if (mark.until <= Date.now()) this.localMarks.delete(id);
    // Without Redis (one API process) the local mark is the whole truth.
    if (!this.redis) return;
    try {
      if (this.redis.status !== 'ready') throw new Error(`Redis connection is ${this.redis.status}`);
      await this.redis.pharmatraceMark(this.markKey(organizationId), position.toString(), this.markTtlMs());
    } catch (e) {
      // This process still reads the organization's writes from the primary (local mark); other processes may not.
      this.warn(`write mark of ${organizationId} not shared: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** A mark older than this is moot: a replica that far behind exceeds the lag bound and takes no reads anyway. */
  private markTtlMs(): number {
    return Math.max(60_000, this.options.maxLagSeconds * 10_000);
  }

  private markKey(organizationId: string): string {
    return `${untagged(this.options.redis?.keyPrefix ?? 'pharmatrace')}:wrote:${organizationId}`;
  }

  status(): ReplicaStatus[] {
    const now = Date.now();
    return this.replicas.map((r) => ({
      name: r.name,
      reachable: !r.error && now - r.polledAt < STALE_POLL_MS,
      lagSeconds: r.lagSeconds,
      lagBytes: r.lagBytes,
      ...(r.error ? { error: r.error } : {}),
    }));
  }

  get maxLag(): { seconds: number; bytes: number } {
    return { seconds: this.options.maxLagSeconds, bytes: this.options.maxLagBytes };
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      let written: bigint | undefined;
      try {
        const [{ lsn }] = (await this.db.query(`SELECT pg_current_wal_lsn()::text AS lsn`)) as { lsn: string }[];
        written = parseLsn(lsn);
      } catch {
        // The primary's own health check says so; lag in bytes is unknown meanwhile.
      }
      await Promise.all(this.replicas.map((r) => this.pollReplica(r, written)));
    } finally {
      this.polling = false;
    }
  }

  private async pollReplica(replica: Replica, written: bigint | undefined): Promise<void> {
    try {
      const { rows } = await replica.pool.query<{ recovering: boolean; replayed: string | null; since: number | null }>(
        `SELECT pg_is_in_recovery() AS recovering, pg_last_wal_replay_lsn()::text AS replayed,
                EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 AS since`,
      );
      const [row] = rows;
      if (!row.recovering || !row.replayed) throw new Error('not a streaming replica (pg_is_in_recovery() is false)');
      const replayed = parseLsn(row.replayed);
      replica.replayed = replayed;
      replica.lagBytes = written === undefined ? replica.lagBytes : Math.max(0, Number(written - replayed));
      // Time since the last replayed transaction grows while the primary is idle: no lag when nothing is left to replay.
      replica.lagSeconds = replica.lagBytes === 0 ? 0 : Math.max(0, row.since ?? 0);
      replica.polledAt = Date.now();
      replica.error = undefined;
    } catch (e) {
      replica.error = e instanceof Error ? e.message : String(e);
      replica.lagSeconds = null;
      replica.lagBytes = null;
    }
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < LOG_EVERY_MS) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}

/**
 * The runner for a read by `reading` (ReadRouting.reader), for a repository built with or without routing (a spec may
 * build one on a DataSource alone).
 */
export function readerOf(db: DataSource, reads: ReadRouting | undefined, reading: string | null): ReadRunner | Promise<ReadRunner> {
  if (reads) return reads.reader(reading);
  // One runner per DataSource: verification batches the scans of one runner into one statement.
  let runner = primaries.get(db);
  if (!runner) {
    runner = {
      target: 'primary',
      query: (sql, params) => db.query(sql, params),
      prepared: (name, text, values, plan) => preparedOn(db, name, text, values, plan),
      // A repository built without routing (a spec) reads without a limit.
      bounded: async <Row>(sql: string, params: unknown[]) => (await db.query(sql, params)) as Row[],
    };
    primaries.set(db, runner);
  }
  return runner;
}

const primaries = new WeakMap<DataSource, ReadRunner>();

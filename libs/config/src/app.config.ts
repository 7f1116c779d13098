import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const positiveInt = z.coerce.number().int().positive();
const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key');
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address');

const chainEntry = z.object({
  name: z.string().min(1),
  rpcUrl: z.string().url(),
  chainId: z.number().int().positive(),
  contractAddress: address,
  anchorerPrivateKey: hexKey.optional(),
  confirmations: z.number().int().positive().default(1),
  deployedAtBlock: z.number().int().min(0).default(0),
});
/** Anchoring state is kept per (batch, chain id), so two targets on one chain id would share it. */
const chainList = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a JSON array of chains' });
      return z.NEVER;
    }
  })
  .pipe(z.array(chainEntry).min(1))
  .refine(
    (chains) => !Array.isArray(chains) || new Set(chains.map((c) => c.chainId)).size === chains.length,
    'every chain needs its own chainId',
  );

/** A comma-separated list of Postgres URLs (read replicas). */
const postgresUrlList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a comma-separated list of postgres:// URLs')).min(1));

/** `host:port,host:port,...`: the seed nodes of a Redis Cluster; ioredis learns the rest of the cluster from them. */
const redisNodeList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be a comma-separated list of host:port')
          .transform((node) => {
            const at = node.lastIndexOf(':');
            return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
          })
          .refine((node) => node.port > 0 && node.port < 65536, 'port must be 1-65535'),
      )
      .min(1),
  );

/** Every setting the platform reads, validated once at boot. Secrets stay out of toString/JSON. */
const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/pharmatrace'),
    // Spliced into the connection's startup options: an identifier, nothing that could carry another option.
    DATABASE_APP_ROLE: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case Postgres role name')
      .default('pharmatrace_app'),
    DATABASE_REPLICA_URLS: postgresUrlList.optional(),
    DATABASE_REPLICA_MAX_LAG_SECONDS: z.coerce.number().positive().default(30),
    DATABASE_REPLICA_MAX_LAG_BYTES: positiveInt.default(256 * 1024 * 1024),
    DATABASE_POOL_MODE: z.enum(['session', 'transaction'], { message: "must be 'session' or 'transaction'" }).default('session'),
    DATABASE_PREPARED_STATEMENTS: bool.optional(),
    DATABASE_PRIME_CONNECTIONS: bool.default('true'),
    DATABASE_READ_TIMEOUT_MS: positiveInt.default(15_000),
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    REDIS_CLUSTER_NODES: redisNodeList.optional(),
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    CHAIN_RPC_URL: z.string().url().default('http://127.0.0.1:8545'),
    CHAIN_ID: z.coerce.number().int().positive().optional(),
    ANCHOR_CONTRACT_ADDRESS: address.optional(),
    ANCHORER_PRIVATE_KEY: hexKey.optional(),
    ANCHOR_CONFIRMATIONS: positiveInt.default(1),
    ANCHOR_CONTRACT_DEPLOYED_AT_BLOCK: z.coerce.number().int().min(0).default(0),
    CHAIN_LOG_BLOCK_RANGE: positiveInt.default(10_000),
    CHAINS: chainList.optional(),
    ANCHOR_REPLACE_AFTER_MS: positiveInt.default(30_000),
    ANCHOR_FEE_BUMP_PERCENT: z.coerce.number().int().min(10, 'nodes refuse a replacement bumped by less than 10%').max(1000).default(15),
    ANCHOR_RPC_BACKOFF_MAX_MS: positiveInt.default(60_000),
    BATCH_MAX_EVENTS: positiveInt.default(10_000),
    BATCH_MAX_WAIT_MS: positiveInt.default(10_000),
    WORKER_TICK_MS: positiveInt.default(1_000),
    QUEUE_PREFIX: z.string().min(1).default('pharmatrace'),
    PHARMATRACE_STANDARDS_DIR: z.string().optional(),
    LOG_SQL: bool.default('false'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PHARMATRACE_DEBUG_ERRORS: bool.default('false'),
    GRAPHQL_COMPARE_EXECUTION: bool.default('false'),
    READY_MAX_BACKLOG_AGE_MS: positiveInt.default(900_000),
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
    PHARMATRACE_RESTART_COUNT: z.coerce.number().int().min(0).default(0),
    LICENCE_ENFORCEMENT: z.enum(['refuse', 'alert'], { message: "must be 'refuse' or 'alert'" }).default('refuse'),
    RATE_LIMIT_PER_KEY_PER_MINUTE: positiveInt.default(1_200),
    RATE_LIMIT_VERIFY_PER_KEY_PER_MINUTE: positiveInt.default(600),
    RATE_LIMIT_PER_IP_PER_MINUTE: positiveInt.default(3_000),
    AUTH_FAILURES_PER_IP: positiveInt.default(20),
    AUTH_FAILURE_WINDOW_SECONDS: positiveInt.default(900),
    CASE_GRACE_BUSINESS_DAYS: z.coerce.number().int().min(1).max(30).default(3),
    PARTITION_MONTHS_AHEAD: z.coerce.number().int().min(1).max(24).default(3),
    EVENT_ARCHIVE_AFTER_MONTHS: z.coerce.number().int().min(1).max(1200).optional(),
    SUBSCRIPTION_TICK_MS: positiveInt.default(1_000),
    SUBSCRIPTION_DELIVERY_TIMEOUT_MS: positiveInt.max(300_000).default(10_000),
    SUBSCRIPTION_RETRY_BASE_MS: positiveInt.default(1_000),
    SUBSCRIPTION_RETRY_MAX_MS: positiveInt.default(3_600_000),
    SUBSCRIPTION_MAX_FAILURES: positiveInt.default(10),
    SUBSCRIPTION_BATCH_EVENTS: positiveInt.max(10_000).default(500),
    SUBSCRIPTION_ALLOW_PRIVATE_DESTINATIONS: bool.default('false'),
    EVENT_TIME_MAX_SKEW_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(86_400_000, 'at most a day: beyond, one future-dated event hides later history')
      .default(300_000),
  })
  // Below the batching wait, every healthy platform would report itself unready between two seals.
  .refine((e) => e.READY_MAX_BACKLOG_AGE_MS > e.BATCH_MAX_WAIT_MS, {
    path: ['READY_MAX_BACKLOG_AGE_MS'],
    message: 'must be longer than BATCH_MAX_WAIT_MS (events wait that long before they are even sealed)',
  });

export type Environment = z.input<typeof schema>;

export interface ChainTarget {
  readonly name: string;
  readonly rpcUrl: string;
  readonly chainId: number | undefined;
  readonly contractAddress: string | undefined;
  readonly anchorerPrivateKey: string | undefined;
  readonly confirmations: number;
  /** The registry's deployment block: reading its logs from there, not from genesis, keeps audits bounded. */
  readonly deployedAtBlock: number;
}

export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly databaseUrl: string;
  /** The role the API and worker act as on every connection (created by the migrations; no UPDATE/DELETE of events). */
  readonly databaseAppRole: string;
  /** Streaming replicas and the pooler in front of the primary (docs/scaling.md). */
  readonly database: {
    /** Verification, provenance, lots and event queries read here when the replica has replayed the reader's writes. */
    readonly replicaUrls: readonly string[];
    /** /health/ready fails while a replica is further behind than either bound. */
    readonly replicaMaxLagSeconds: number;
    readonly replicaMaxLagBytes: number;
    /** `transaction`: behind PgBouncer in transaction mode, where a server connection is not the client's between transactions. */
    readonly poolMode: 'session' | 'transaction';
    /**
     * Hot-path statements as named prepared statements. Off by default in transaction mode: a pooler before PgBouncer
     * 1.21 (Debian 12 ships 1.18), or without max_prepared_statements, hands them to connections that never prepared them.
     */
    readonly preparedStatements: boolean;
    /**
     * The API opens its whole pool at boot and settles the hot statements' plans on every connection, so that no
     * request pays a new session's parse and first plans (ReadRouting, primePool).
     */
    readonly primeConnections: boolean;
    /**
     * The longest an event query, an event count or a list of values may run in Postgres: past it Postgres cancels the
     * read and the client gets QUERY_TOO_COMPLEX (REST: 413 QueryTooComplexException), never a request held for minutes.
     */
    readonly readTimeoutMs: number;
  };
  readonly redisUrl: string;
  /** Seed nodes of a Redis Cluster: when set, every Redis use goes to the cluster and REDIS_URL is not read. */
  readonly redisCluster: readonly { readonly host: string; readonly port: number }[] | undefined;
  readonly adminToken: string | undefined;
  /** The primary chain: `chains[0]`. Its anchor fills the single-chain fields of batches and proofs. */
  readonly chain: ChainTarget;
  /** Every chain each batch is anchored to; a batch is FINAL once final on all of them. */
  readonly chains: readonly ChainTarget[];
  readonly anchoring: {
    /** A broadcast transaction without a receipt for this long is replaced by one with bumped fees. */
    readonly replaceAfterMs: number;
    readonly feeBumpPercent: number;
    /** Ceiling of the exponential backoff while a chain's RPC is unreachable. */
    readonly rpcBackoffMaxMs: number;
  };
  readonly batching: { readonly maxEvents: number; readonly maxWaitMs: number; readonly tickMs: number };
  /** Most blocks one `eth_getLogs` may span: public nodes refuse wider ranges (10,000 is a common cap). */
  readonly logBlockRange: number;
  /** Brace-tagged on a Redis Cluster (`{pharmatrace}`), so each BullMQ queue's keys hash to one slot. */
  readonly queuePrefix: string;
  readonly standardsDir: string | undefined;
  readonly logSql: boolean;
  /** pino level of the JSON logs; `silent` keeps test output clean. */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Stack traces in GraphQL error responses: for a developer's machine only, never by default. */
  readonly debugErrors: boolean;
  /**
   * Every compiled query also runs in graphql-js and a differing answer becomes an error: the integration suite runs
   * so, proving compiled execution answers as graphql-js does on everything it asks. Doubles each query's work.
   */
  readonly graphqlCompareExecution: boolean;
  /** /health/ready fails once the oldest event not yet FINAL on chain is older than this. */
  readonly readyMaxBacklogAgeMs: number;
  /** Port of the worker's Prometheus endpoint; 0 takes any free port (tests). */
  readonly workerMetricsPort: number;
  /** How many times the `npm start` supervisor restarted this process (it sets PHARMATRACE_RESTART_COUNT). */
  readonly restartCount: number;
  /** A shipment to, or receipt from, a partner without a valid verified licence: refused, or stored with an alert. */
  readonly licenceEnforcement: 'refuse' | 'alert';
  /**
   * Requests per minute, counted in Redis so every API process shares them: per API key (verification apart, sized
   * for a pharmacy's scanners: 600/min is 10 scans a second), per client address, and wrong keys per client address
   * within a window before that address is refused.
   */
  readonly rateLimits: {
    readonly perKeyPerMinute: number;
    readonly verifyPerKeyPerMinute: number;
    readonly perIpPerMinute: number;
    readonly authFailuresPerIp: number;
    readonly authFailureWindowSeconds: number;
  };
  /** How far an event's eventTime may be ahead of the server's clock before the capture is refused (FUTURE_EVENT). */
  readonly eventTimeMaxSkewMs: number;
  /** An exception case's grace period for product pending data verification, in business days (the industry's is 3). */
  readonly caseGraceBusinessDays: number;
  /** The monthly event partitions the worker keeps (docs/scaling.md, "Partitioned event record"). */
  readonly partitions: {
    /** Months made ahead of the current one: a capture needs its month's partition. */
    readonly monthsAhead: number;
    /** Whole months older than this are detached into schema `archive`; unset: never. */
    readonly archiveAfterMonths: number | null;
  };
  /** Query subscriptions (docs/subscriptions.md). */
  readonly subscriptions: {
    /** How often the worker looks for due deliveries (and WebSocket streams for new events). */
    readonly tickMs: number;
    /** One webhook POST may take this long before it counts as failed. */
    readonly deliveryTimeoutMs: number;
    /** After the n-th consecutive failure the next try waits base × 2^(n-1), at most max. */
    readonly retryBaseMs: number;
    readonly retryMaxMs: number;
    /** This many consecutive failures pause the subscription. */
    readonly maxFailures: number;
    /** Events per delivered document at most. */
    readonly batchEvents: number;
    /** Webhooks may go to loopback, private and link-local addresses (a closed network, tests); off by default. */
    readonly allowPrivateDestinations: boolean;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const SECRET_KEYS = new Set(['adminToken', 'anchorerPrivateKey']);

/** Redacts secrets so a config object can be logged or thrown without leaking them. */
export function redactConfig(config: AppConfig): unknown {
  return JSON.parse(JSON.stringify(config, (key, value) => (SECRET_KEYS.has(key) && value ? '***' : value)));
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const single: ChainTarget = {
    name: 'default',
    rpcUrl: e.CHAIN_RPC_URL,
    chainId: e.CHAIN_ID,
    contractAddress: e.ANCHOR_CONTRACT_ADDRESS,
    anchorerPrivateKey: e.ANCHORER_PRIVATE_KEY,
    confirmations: e.ANCHOR_CONFIRMATIONS,
    deployedAtBlock: e.ANCHOR_CONTRACT_DEPLOYED_AT_BLOCK,
  };
  // A chain listed without its own key anchors with ANCHORER_PRIVATE_KEY.
  const chains: ChainTarget[] = e.CHAINS
    ? e.CHAINS.map((c) => ({ ...c, anchorerPrivateKey: c.anchorerPrivateKey ?? e.ANCHORER_PRIVATE_KEY }))
    : [single];
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    databaseAppRole: e.DATABASE_APP_ROLE,
    database: {
      replicaUrls: e.DATABASE_REPLICA_URLS ?? [],
      replicaMaxLagSeconds: e.DATABASE_REPLICA_MAX_LAG_SECONDS,
      replicaMaxLagBytes: e.DATABASE_REPLICA_MAX_LAG_BYTES,
      poolMode: e.DATABASE_POOL_MODE,
      preparedStatements: e.DATABASE_PREPARED_STATEMENTS ?? e.DATABASE_POOL_MODE === 'session',
      primeConnections: e.DATABASE_PRIME_CONNECTIONS,
      readTimeoutMs: e.DATABASE_READ_TIMEOUT_MS,
    },
    redisUrl: e.REDIS_URL,
    redisCluster: e.REDIS_CLUSTER_NODES,
    adminToken: e.ADMIN_TOKEN,
    chain: chains[0],
    chains,
    anchoring: {
      replaceAfterMs: e.ANCHOR_REPLACE_AFTER_MS,
      feeBumpPercent: e.ANCHOR_FEE_BUMP_PERCENT,
      rpcBackoffMaxMs: e.ANCHOR_RPC_BACKOFF_MAX_MS,
    },
    batching: { maxEvents: e.BATCH_MAX_EVENTS, maxWaitMs: e.BATCH_MAX_WAIT_MS, tickMs: e.WORKER_TICK_MS },
    logBlockRange: e.CHAIN_LOG_BLOCK_RANGE,
    // A prefix someone already tagged is kept as it is.
    queuePrefix: e.REDIS_CLUSTER_NODES && !/\{.+\}/.test(e.QUEUE_PREFIX) ? `{${e.QUEUE_PREFIX}}` : e.QUEUE_PREFIX,
    standardsDir: e.PHARMATRACE_STANDARDS_DIR,
    logSql: e.LOG_SQL,
    logLevel: e.LOG_LEVEL,
    debugErrors: e.PHARMATRACE_DEBUG_ERRORS,
    graphqlCompareExecution: e.GRAPHQL_COMPARE_EXECUTION,
    readyMaxBacklogAgeMs: e.READY_MAX_BACKLOG_AGE_MS,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    restartCount: e.PHARMATRACE_RESTART_COUNT,
    licenceEnforcement: e.LICENCE_ENFORCEMENT,
    eventTimeMaxSkewMs: e.EVENT_TIME_MAX_SKEW_MS,
    caseGraceBusinessDays: e.CASE_GRACE_BUSINESS_DAYS,
    partitions: { monthsAhead: e.PARTITION_MONTHS_AHEAD, archiveAfterMonths: e.EVENT_ARCHIVE_AFTER_MONTHS ?? null },
    subscriptions: {
      tickMs: e.SUBSCRIPTION_TICK_MS,
      deliveryTimeoutMs: e.SUBSCRIPTION_DELIVERY_TIMEOUT_MS,
      retryBaseMs: e.SUBSCRIPTION_RETRY_BASE_MS,
      retryMaxMs: e.SUBSCRIPTION_RETRY_MAX_MS,
      maxFailures: e.SUBSCRIPTION_MAX_FAILURES,
      batchEvents: e.SUBSCRIPTION_BATCH_EVENTS,
      allowPrivateDestinations: e.SUBSCRIPTION_ALLOW_PRIVATE_DESTINATIONS,
    },
    rateLimits: {
      perKeyPerMinute: e.RATE_LIMIT_PER_KEY_PER_MINUTE,
      verifyPerKeyPerMinute: e.RATE_LIMIT_VERIFY_PER_KEY_PER_MINUTE,
      perIpPerMinute: e.RATE_LIMIT_PER_IP_PER_MINUTE,
      authFailuresPerIp: e.AUTH_FAILURES_PER_IP,
      authFailureWindowSeconds: e.AUTH_FAILURE_WINDOW_SECONDS,
    },
  };
}

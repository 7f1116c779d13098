import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const positiveInt = z.coerce.number().int().positive();
const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key');
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address');

/** Every setting the platform reads, validated once at boot. Secrets stay out of toString/JSON. */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/pharmatrace'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CHAIN_RPC_URL: z.string().url().default('http://127.0.0.1:8545'),
  CHAIN_ID: z.coerce.number().int().positive().optional(),
  ANCHOR_CONTRACT_ADDRESS: address.optional(),
  ANCHORER_PRIVATE_KEY: hexKey.optional(),
  ANCHOR_CONFIRMATIONS: positiveInt.default(1),
  BATCH_MAX_EVENTS: positiveInt.default(10_000),
  BATCH_MAX_WAIT_MS: positiveInt.default(10_000),
  WORKER_TICK_MS: positiveInt.default(1_000),
  QUEUE_PREFIX: z.string().min(1).default('pharmatrace'),
  PHARMATRACE_STANDARDS_DIR: z.string().optional(),
  LOG_SQL: bool.default('false'),
});

export type Environment = z.input<typeof schema>;

export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly adminToken: string | undefined;
  readonly chain: {
    readonly rpcUrl: string;
    readonly chainId: number | undefined;
    readonly contractAddress: string | undefined;
    readonly anchorerPrivateKey: string | undefined;
    readonly confirmations: number;
  };
  readonly batching: { readonly maxEvents: number; readonly maxWaitMs: number; readonly tickMs: number };
  readonly queuePrefix: string;
  readonly standardsDir: string | undefined;
  readonly logSql: boolean;
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
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    adminToken: e.ADMIN_TOKEN,
    chain: {
      rpcUrl: e.CHAIN_RPC_URL,
      chainId: e.CHAIN_ID,
      contractAddress: e.ANCHOR_CONTRACT_ADDRESS,
      anchorerPrivateKey: e.ANCHORER_PRIVATE_KEY,
      confirmations: e.ANCHOR_CONFIRMATIONS,
    },
    batching: { maxEvents: e.BATCH_MAX_EVENTS, maxWaitMs: e.BATCH_MAX_WAIT_MS, tickMs: e.WORKER_TICK_MS },
    queuePrefix: e.QUEUE_PREFIX,
    standardsDir: e.PHARMATRACE_STANDARDS_DIR,
    logSql: e.LOG_SQL,
  };
}

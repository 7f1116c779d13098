import { ConfigError, loadConfig, redactConfig } from './app.config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.batching).toEqual({ maxEvents: 10_000, maxWaitMs: 10_000, tickMs: 1_000 });
    expect(config.chain.confirmations).toBe(1);
    expect(config.eventTimeMaxSkewMs).toBe(300_000);
  });

  it('bounds the event time skew between none and a day', () => {
    expect(loadConfig({ EVENT_TIME_MAX_SKEW_MS: '0' }).eventTimeMaxSkewMs).toBe(0);
    expect(() => loadConfig({ EVENT_TIME_MAX_SKEW_MS: '-1' })).toThrow(/EVENT_TIME_MAX_SKEW_MS/);
    expect(() => loadConfig({ EVENT_TIME_MAX_SKEW_MS: '86400001' })).toThrow(/EVENT_TIME_MAX_SKEW_MS: at most a day/);
  });

  it('names every invalid setting and the rule it breaks', () => {
    expect(() => loadConfig({ PORT: 'eighty', ANCHORER_PRIVATE_KEY: '0x12', BATCH_MAX_EVENTS: '0' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', ANCHORER_PRIVATE_KEY: '0x12', BATCH_MAX_EVENTS: '0' });
    } catch (e) {
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/ANCHORER_PRIVATE_KEY: must be a 0x-prefixed 32-byte hex private key/);
      expect(problems).toMatch(/BATCH_MAX_EVENTS/);
    }
  });

  it('never exposes secrets when redacted', () => {
    const key = `0x${'ab'.repeat(32)}`;
    const config = loadConfig({ ADMIN_TOKEN: 'super-secret-admin-token', ANCHORER_PRIVATE_KEY: key });
    const text = JSON.stringify(redactConfig(config));
    expect(text).not.toContain('super-secret-admin-token');
    expect(text).not.toContain(key.slice(2));
  });

  it('reads CHAINS as the list of anchoring targets, the first one primary', () => {
    const key = `0x${'cd'.repeat(32)}`;
    const chains = [
      { name: 'consortium', rpcUrl: 'http://10.0.0.1:8545', chainId: 1337, contractAddress: `0x${'11'.repeat(20)}`, confirmations: 2 },
      { name: 'public', rpcUrl: 'https://rpc.example', chainId: 137, contractAddress: `0x${'22'.repeat(20)}`, anchorerPrivateKey: key },
    ];
    const config = loadConfig({ CHAINS: JSON.stringify(chains), ANCHORER_PRIVATE_KEY: `0x${'ab'.repeat(32)}` });
    expect(config.chains.map((c) => [c.name, c.chainId, c.confirmations])).toEqual([
      ['consortium', 1337, 2],
      ['public', 137, 1],
    ]);
    expect(config.chain).toBe(config.chains[0]);
    expect(config.chains[0].anchorerPrivateKey).toBe(`0x${'ab'.repeat(32)}`);
    expect(config.chains[1].anchorerPrivateKey).toBe(key);
    expect(JSON.stringify(redactConfig(config))).not.toContain('cd'.repeat(32));
  });

  it('defaults to the single chain of CHAIN_* settings', () => {
    const config = loadConfig({ CHAIN_RPC_URL: 'http://127.0.0.1:9545', ANCHOR_CONFIRMATIONS: '3' });
    expect(config.chains).toEqual([expect.objectContaining({ name: 'default', rpcUrl: 'http://127.0.0.1:9545', confirmations: 3 })]);
    expect(config.anchoring).toEqual({ replaceAfterMs: 30_000, feeBumpPercent: 15, rpcBackoffMaxMs: 60_000 });
  });

  it("reads where the registry's logs start and how many blocks one log query may span", () => {
    expect(loadConfig({})).toMatchObject({ chain: { deployedAtBlock: 0 }, logBlockRange: 10_000 });
    expect(loadConfig({ ANCHOR_CONTRACT_DEPLOYED_AT_BLOCK: '19000000', CHAIN_LOG_BLOCK_RANGE: '2000' })).toMatchObject({
      chain: { deployedAtBlock: 19_000_000 },
      logBlockRange: 2000,
    });
    const chains = [{ name: 'a', rpcUrl: 'http://a:1', chainId: 5, contractAddress: `0x${'11'.repeat(20)}`, deployedAtBlock: 42 }];
    expect(loadConfig({ CHAINS: JSON.stringify(chains) }).chain.deployedAtBlock).toBe(42);
    expect(() => loadConfig({ ANCHOR_CONTRACT_DEPLOYED_AT_BLOCK: '-1' })).toThrow(/ANCHOR_CONTRACT_DEPLOYED_AT_BLOCK/);
    expect(() => loadConfig({ CHAIN_LOG_BLOCK_RANGE: '0' })).toThrow(/CHAIN_LOG_BLOCK_RANGE/);
  });

  it('refuses two chains with one chain id, unparsable CHAINS and a fee bump nodes would refuse', () => {
    const one = { name: 'a', rpcUrl: 'http://a:1', chainId: 5, contractAddress: `0x${'11'.repeat(20)}` };
    expect(() => loadConfig({ CHAINS: JSON.stringify([one, { ...one, name: 'b' }]) })).toThrow(/CHAINS: every chain needs its own chainId/);
    expect(() => loadConfig({ CHAINS: '[{' })).toThrow(/CHAINS: must be a JSON array/);
    expect(() => loadConfig({ ANCHOR_FEE_BUMP_PERCENT: '5' })).toThrow(/ANCHOR_FEE_BUMP_PERCENT: nodes refuse/);
  });

  it('reads the operations settings: log level, debug errors, readiness threshold, worker metrics port, restarts', () => {
    expect(loadConfig({})).toMatchObject({
      logLevel: 'info',
      debugErrors: false,
      readyMaxBacklogAgeMs: 900_000,
      workerMetricsPort: 9464,
      restartCount: 0,
    });
    expect(
      loadConfig({
        LOG_LEVEL: 'silent',
        PHARMATRACE_DEBUG_ERRORS: '1',
        READY_MAX_BACKLOG_AGE_MS: '60000',
        WORKER_METRICS_PORT: '0',
        PHARMATRACE_RESTART_COUNT: '3',
      }),
    ).toMatchObject({ logLevel: 'silent', debugErrors: true, readyMaxBacklogAgeMs: 60_000, workerMetricsPort: 0, restartCount: 3 });
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ PHARMATRACE_DEBUG_ERRORS: 'maybe' })).toThrow(/PHARMATRACE_DEBUG_ERRORS/);
    expect(() => loadConfig({ READY_MAX_BACKLOG_AGE_MS: '5000' })).toThrow(
      /READY_MAX_BACKLOG_AGE_MS: must be longer than BATCH_MAX_WAIT_MS/,
    );
    expect(() => loadConfig({ WORKER_METRICS_PORT: '70000' })).toThrow(/WORKER_METRICS_PORT/);
  });

  it("refuses unlicensed trading partners by default, stores them with an alert under 'alert', and names any other value", () => {
    expect(loadConfig({}).licenceEnforcement).toBe('refuse');
    expect(loadConfig({ LICENCE_ENFORCEMENT: 'alert' }).licenceEnforcement).toBe('alert');
    expect(() => loadConfig({ LICENCE_ENFORCEMENT: 'warn' })).toThrow(/LICENCE_ENFORCEMENT: must be 'refuse' or 'alert'/);
  });

  it('reads from replicas, pools in transaction mode and uses a Redis Cluster only when configured, and names bad values', () => {
    expect(loadConfig({})).toMatchObject({
      database: { replicaUrls: [], poolMode: 'session', preparedStatements: true, replicaMaxLagSeconds: 30, primeConnections: true },
      redisCluster: undefined,
      queuePrefix: 'pharmatrace',
    });
    const cluster = loadConfig({
      DATABASE_REPLICA_URLS: 'postgres://a@r1:5432/p, postgresql://a@r2:5433/p',
      DATABASE_POOL_MODE: 'transaction',
      REDIS_CLUSTER_NODES: 'redis-1:7001,127.0.0.1:7002',
    });
    expect(cluster).toMatchObject({
      database: { replicaUrls: ['postgres://a@r1:5432/p', 'postgresql://a@r2:5433/p'], poolMode: 'transaction', preparedStatements: false },
      redisCluster: [
        { host: 'redis-1', port: 7001 },
        { host: '127.0.0.1', port: 7002 },
      ],
      // Every queue's keys in one slot: BullMQ's scripts touch several keys of a queue at once.
      queuePrefix: '{pharmatrace}',
    });
    expect(loadConfig({ DATABASE_POOL_MODE: 'transaction', DATABASE_PREPARED_STATEMENTS: 'true' }).database.preparedStatements).toBe(true);
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'r:7001', QUEUE_PREFIX: '{pt}' }).queuePrefix).toBe('{pt}');
    expect(loadConfig({ DATABASE_PRIME_CONNECTIONS: 'false' }).database.primeConnections).toBe(false);
    expect(() => loadConfig({ DATABASE_PRIME_CONNECTIONS: 'maybe' })).toThrow(/DATABASE_PRIME_CONNECTIONS/);
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'mysql://r1/p' })).toThrow(/DATABASE_REPLICA_URLS/);
    expect(() => loadConfig({ DATABASE_POOL_MODE: 'statement' })).toThrow(/DATABASE_POOL_MODE: must be 'session' or 'transaction'/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-1' })).toThrow(/REDIS_CLUSTER_NODES.*host:port/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:70000' })).toThrow(/REDIS_CLUSTER_NODES/);
  });
});

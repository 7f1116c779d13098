import Redis, { Cluster, type RedisOptions } from 'ioredis';

export type RedisConnection = Redis | Cluster;

export interface RedisTarget {
  readonly redisUrl: string;
  /** Seed nodes of a Redis Cluster; when given, REDIS_URL is not used. */
  readonly redisCluster?: readonly { readonly host: string; readonly port: number }[];
}

/**
 * The one place a Redis connection is made, so every Redis use (BullMQ, rate limits, write marks, cache
 * invalidation, health) works on a single server and on a Redis Cluster alike. `options` are per node on a cluster.
 */
export function createRedis(target: RedisTarget, options: RedisOptions = {}): RedisConnection {
  if (!target.redisCluster?.length) return new Redis(target.redisUrl, options);
  return new Cluster(
    target.redisCluster.map((node) => ({ host: node.host, port: node.port })),
    {
      redisOptions: options,
      enableOfflineQueue: options.enableOfflineQueue ?? true,
      lazyConnect: options.lazyConnect ?? false,
      // A node that died is replaced by its replica or comes back: keep learning the slots, never give up.
      clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
      slotsRefreshTimeout: options.connectTimeout ?? 2_000,
    },
  );
}

export function isCluster(redis: RedisConnection): redis is Cluster {
  return redis instanceof Cluster;
}

/**
 * Strips hash-tag braces from a key prefix: keys that must be spread over a cluster's slots (one rate-limit counter per
 * key) may not share the queues' `{pharmatrace}` tag, which would put them all on one node.
 */
export function untagged(prefix: string): string {
  return prefix.replace(/[{}]/g, '');
}

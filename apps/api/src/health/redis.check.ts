import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { createRedis, isCluster } from '@pharmatrace/persistence';
import { HealthCheck } from './health.check';

/**
 * A PING on a connection of its own, opened and closed per check: one that retried forever in the background would
 * hide an outage. On a Redis Cluster, the cluster's own state must be `ok` (every slot served).
 */
@Injectable()
export class RedisCheck implements HealthCheck {
  readonly name = 'redis';

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async run() {
    const redis = createRedis(this.config, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 2_000,
    });
    // connect() rejects with a bare "Connection is closed."; the socket's own error says why.
    let cause: Error | undefined;
    redis.on('error', (e: Error) => (cause = e));
    try {
      await redis.connect();
      if (!isCluster(redis)) {
        await redis.ping();
        return {};
      }
      const info = await redis.cluster('INFO');
      const state = /cluster_state:(\w+)/.exec(info)?.[1];
      if (state !== 'ok') throw new Error(`Redis Cluster state is ${state ?? 'unknown'}`);
      return { cluster: { state, nodes: redis.nodes('master').length } };
    } catch (e) {
      throw cause ?? e;
    } finally {
      redis.disconnect();
    }
  }
}

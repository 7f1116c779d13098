import { Injectable } from '@nestjs/common';
import { ReadRouting } from '@pharmatrace/persistence';
import { HealthCheck } from './health.check';

/**
 * Replication lag as a readiness condition: a replica that answers but is further behind than
 * DATABASE_REPLICA_MAX_LAG_SECONDS or _BYTES makes the process unready, so the operator hears of it. Reads never wait
 * for it (ReadRouting sends them to the primary meanwhile), and a replica that is down is reported, not failed on:
 * the primary carries the reads, and failing every API process at once would take the whole service out of a balancer.
 */
@Injectable()
export class ReplicaCheck implements HealthCheck {
  readonly name = 'replicas';

  constructor(private readonly routing: ReadRouting) {}

  /** Without replicas there is nothing to report: /health/ready answers as it always did. */
  get configured(): boolean {
    return this.routing.hasReplicas;
  }

  run() {
    const replicas = this.routing.status();
    if (!replicas.length) return Promise.resolve({ configured: 0 });
    const max = this.routing.maxLag;
    const behind = replicas.filter((r) => r.reachable && ((r.lagSeconds ?? 0) > max.seconds || (r.lagBytes ?? 0) > max.bytes));
    if (behind.length)
      return Promise.reject(
        new Error(
          `replication lag over the bound (${max.seconds} s, ${max.bytes} bytes): ${behind
            .map((r) => `${r.name} ${r.lagSeconds?.toFixed(1)} s, ${r.lagBytes} bytes`)
            .join('; ')}`,
        ),
      );
    return Promise.resolve({ configured: replicas.length, replicas });
  }
}

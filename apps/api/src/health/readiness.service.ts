import { Injectable, Optional } from '@nestjs/common';
import { BacklogCheck } from './backlog.check';
import { ChainCheck } from './chain.check';
import { HealthCheck } from './health.check';
import { HealthError, HealthErrorCode } from './health.error';
import { PostgresCheck } from './postgres.check';
import { RedisCheck } from './redis.check';
import { ReplicaCheck } from './replica.check';

/** Orchestrators probe every few seconds and give up after a few more: no check may hold the answer longer. */
export const CHECK_TIMEOUT_MS = 3_000;

export type CheckResult = ({ status: 'up' } & Record<string, unknown>) | { status: 'down'; error: string };

export interface ReadinessReport {
  status: 'ready';
  checks: Record<string, CheckResult>;
}

@Injectable()
export class ReadinessService {
  private readonly checks: readonly HealthCheck[];

  constructor(postgres: PostgresCheck, redis: RedisCheck, chain: ChainCheck, backlog: BacklogCheck, @Optional() replicas?: ReplicaCheck) {
    this.checks = [postgres, redis, chain, backlog, ...(replicas?.configured ? [replicas] : [])];
  }

  /** Every check side by side; throws NOT_READY (503) naming the failing ones, with every check's result. */
  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map(async (check) => [check.name, await runCheck(check, CHECK_TIMEOUT_MS)] as const));
    const checks = Object.fromEntries(results);
    const down = results.filter(([, result]) => result.status === 'down').map(([name]) => name);
    if (down.length) throw new HealthError(HealthErrorCode.NOT_READY, `not ready: ${down.join(', ')}`, { down, checks });
    return { status: 'ready', checks };
  }
}

/** A check's outcome within `timeoutMs`; only its message is kept, a stack trace never reaches the answer. */
export async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return { status: 'up', ...(await Promise.race([check.run(), timeout])) };
  } catch (e) {
    return { status: 'down', error: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

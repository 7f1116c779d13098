import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The worker's Prometheus metrics, in a registry of its own (the worker is a separate process from the API, so it
 * serves them on WORKER_METRICS_PORT). Backlog gauges are the API's: they are read from Postgres at scrape time.
 */
@Injectable()
export class WorkerMetrics {
  readonly registry = new Registry();

  readonly gasUsed = new Counter({
    name: 'pharmatrace_anchoring_gas_used_total',
    help: 'Gas used by anchoring transactions, from their receipts (mined or reverted)',
    labelNames: ['chain'] as const,
    registers: [this.registry],
  });

  readonly rpcErrors = new Counter({
    name: 'pharmatrace_chain_rpc_errors_total',
    help: 'Failed chain calls while anchoring, by chain and ChainError code (RPC_UNAVAILABLE: the node did not answer)',
    labelNames: ['chain', 'code'] as const,
    registers: [this.registry],
  });

  readonly timeToFinal = new Histogram({
    name: 'pharmatrace_anchoring_time_to_final_seconds',
    help: "Seconds from the capture of a batch's oldest event to the batch being FINAL on every chain",
    // Seal wait (10 s by default) plus a few blocks on a local chain, up to hours on a congested public one.
    buckets: [5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    registers: [this.registry],
  });

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'pharmatrace_process_restarts',
      help: 'Times the npm start supervisor restarted this process',
      registers: [this.registry],
    }).set(config.restartCount);
  }
}

import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { AnchoringBacklog, AnchorRepository, ReadRouting } from '@pharmatrace/persistence';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The API's Prometheus metrics, in a registry of its own. Counters move where things happen; the anchoring backlog
 * is read from Postgres when scraped (Postgres is the truth, and the worker may be down exactly when it matters).
 */
@Injectable()
export class ApiMetrics {
  private readonly logger = new Logger(ApiMetrics.name);
  readonly registry = new Registry();
  /** One backlog query per scrape, shared by the backlog gauges that Prometheus collects side by side. */
  private backlogRead?: Promise<AnchoringBacklog | null>;

  readonly capturedEvents = new Counter({
    name: 'pharmatrace_events_captured_total',
    help: 'Events in accepted captures (all paths: GraphQL, EPCIS REST, flow mutations); result=new or duplicate (already captured, a no-op)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly verdicts = new Counter({
    name: 'pharmatrace_verdicts_total',
    help: 'Verification verdicts given (GraphQL verify, GS1 Digital Link, VRS), by verdict status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly scanCorrections = new Counter({
    name: 'pharmatrace_scan_corrections_total',
    help: 'Verifications answered from a corrected reading of a faulty scanner (the answer carries the advice), by fault kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'pharmatrace_http_request_duration_seconds',
    help: 'HTTP request latency by method, matched route pattern (never the raw URL) and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    // Verification answers in a few milliseconds; large EPCIS captures take seconds.
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly anchors: AnchorRepository,
    @Optional() routing?: ReadRouting,
  ) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'pharmatrace_process_restarts',
      help: 'Times the npm start supervisor restarted this process',
      registers: [this.registry],
    }).set(config.restartCount);
    const readBacklog = () => this.backlog();
    const backlogGauge = (name: string, help: string, read: (b: AnchoringBacklog, gauge: Gauge) => void, labelNames: string[] = []) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        async collect(this: Gauge) {
          const backlog = await readBacklog();
          if (backlog) read(backlog, this);
        },
      });
    backlogGauge('pharmatrace_anchoring_unbatched_events', 'Events captured but not yet sealed into a batch', (b, g) =>
      g.set(b.unbatchedEvents),
    );
    backlogGauge(
      'pharmatrace_anchoring_open_batches',
      'Batches sealed but not yet FINAL on every chain, by status',
      (b, g) => {
        g.reset();
        for (const [status, n] of Object.entries(b.openBatches)) g.set({ status }, n);
      },
      ['status'],
    );
    backlogGauge(
      'pharmatrace_anchoring_backlog_age_seconds',
      'Age of the oldest event not yet in a FINAL batch (0 when nothing waits); /health/ready fails above READY_MAX_BACKLOG_AGE_MS',
      (b, g) => g.set(b.oldestAgeSeconds ?? 0),
    );
    if (routing?.hasReplicas) this.replicaMetrics(routing);
  }

  /** Read from the routing's last poll of each replica (every 200 ms), never a query of their own. */
  private replicaMetrics(routing: ReadRouting): void {
    const replicaGauge = (name: string, help: string, read: (r: ReturnType<ReadRouting['status']>[number]) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['replica'],
        registers: [this.registry],
        collect(this: Gauge) {
          this.reset();
          for (const r of routing.status()) {
            const value = read(r);
            if (value !== null) this.set({ replica: r.name }, value);
          }
        },
      });
    replicaGauge(
      'pharmatrace_replica_lag_seconds',
      'Seconds since the last transaction a replica replayed (0 when it replayed all)',
      (r) => r.lagSeconds,
    );
    replicaGauge('pharmatrace_replica_lag_bytes', 'Bytes of WAL the primary wrote that a replica has not replayed', (r) => r.lagBytes);
    replicaGauge('pharmatrace_replica_reachable', '1 while the replica answers its polls', (r) => (r.reachable ? 1 : 0));
    new Counter({
      name: 'pharmatrace_routed_reads_total',
      help: 'Routed reads (verification, provenance, lots, event queries) by target: the primary or a replica',
      labelNames: ['target'],
      registers: [this.registry],
      collect(this: Counter) {
        this.reset();
        for (const [target, n] of routing.served) this.inc({ target }, n);
      },
    });
  }

  /** An accepted capture's events: those stored now, and those already known (a no-op). */
  countCapture(inserted: number, duplicates: number): void {
    this.capturedEvents.inc({ result: 'new' }, inserted);
    this.capturedEvents.inc({ result: 'duplicate' }, duplicates);
  }

  private backlog(): Promise<AnchoringBacklog | null> {
    this.backlogRead ??= this.anchors
      .backlog()
      .catch((e: Error) => {
        // The scrape still answers (with the last values); /health/ready names Postgres.
        this.logger.warn(`anchoring backlog not read: ${e.message}`);
        return null;
      })
      .finally(() => (this.backlogRead = undefined));
    return this.backlogRead;
  }
}

import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { WorkerMetrics } from './worker.metrics';

/** Serves the worker's registry at GET /metrics on WORKER_METRICS_PORT (the worker has no other HTTP server). */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    private readonly metrics: WorkerMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The bound port (differs from the configured one when that is 0); undefined until listening. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  onApplicationBootstrap(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
    return new Promise((resolve) => {
      // A taken port costs the metrics, not the anchoring: logged, and the worker carries on.
      server.once('error', (e) => {
        this.logger.error(`metrics not served on port ${this.config.workerMetricsPort}: ${e.message}`);
        resolve();
      });
      server.listen(this.config.workerMetricsPort, '0.0.0.0', () => {
        this.server = server;
        this.logger.log(`metrics on http://localhost:${this.port}/metrics`);
        resolve();
      });
    });
  }

  onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    // A scraper's keep-alive connection would otherwise hold the shutdown open.
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

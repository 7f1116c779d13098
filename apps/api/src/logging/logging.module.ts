import { DynamicModule, Inject, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AppConfig } from '@pharmatrace/config';
import { LoggerModule } from 'nestjs-pino';
import { type HttpLogger, pinoHttp } from 'pino-http';
import { requestIdOf } from './request-id';

/** A request as its log lines show it: no headers, so no credential (Authorization, cookies) can reach a log. */
interface LoggedRequest {
  id: unknown;
  method: string;
  url: string;
  remoteAddress?: string;
  headers?: Record<string, unknown>;
}

const REQUEST_LOGGER = Symbol('REQUEST_LOGGER');

/**
 * JSON lines through pino, one per request with its id (X-Request-Id). A request is logged as its id, method, URL,
 * remote address and user agent, and a response as its status: with every header in them (and redaction of the
 * credentials among them), pino-http's defaults took 25 µs of a GraphQL `verify`'s 410 µs of main thread (a CPU
 * profile at 1,578 req/s, docs/benchmarks.md), and a credential in a header the redaction did not name would have
 * been logged.
 *
 * pino-http is mounted here rather than by nestjs-pino, which serves as the Nest logger only (`forRoutes: []`):
 * its middleware runs every request in an AsyncLocalStorage scope so that any line written during the request carries
 * the request, and on Node 20 the promise hooks that scope turns on cost every promise of the process: main thread per
 * GraphQL request 313 → 253 µs for `{ __typename }` and 368 → 318 µs for `verify` without them (docs/benchmarks.md).
 * Error lines name their request themselves (unexpectedErrorLine).
 */
@Module({})
export class LoggingModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    const requests = pinoHttp({
      level: config.logLevel,
      genReqId: requestIdOf,
      serializers: {
        req: (req: LoggedRequest) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          remoteAddress: req.remoteAddress,
          userAgent: req.headers?.['user-agent'],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    });
    return {
      module: LoggingModule,
      // The Nest logger's lines go through a child of the request logger's pino: one destination, one level.
      imports: [LoggerModule.forRoot({ pinoHttp: { logger: requests.logger }, forRoutes: [] })],
      providers: [{ provide: REQUEST_LOGGER, useValue: requests }],
    };
  }

  constructor(@Inject(REQUEST_LOGGER) private readonly requests: HttpLogger) {}

  configure(consumer: MiddlewareConsumer) {
    consumer.apply(this.requests).forRoutes('{*splat}');
  }
}

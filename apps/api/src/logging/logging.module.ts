import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@pharmatrace/config';
import { LoggerModule } from 'nestjs-pino';
import { requestIdOf } from './request-id';

/** A request as its log lines show it: no headers, so no credential (Authorization, cookies) can reach a log. */
interface LoggedRequest {
  id: unknown;
  method: string;
  url: string;
  remoteAddress?: string;
  headers?: Record<string, unknown>;
}

/**
 * JSON lines through pino, one per request with its id (X-Request-Id), and the Nest logger's lines carry the id of
 * the request they were written in. A request is logged as its id, method, URL, remote address and user agent, and a
 * response as its status: with every header in them (and redaction of the credentials among them), pino-http's
 * defaults took 25 µs of a GraphQL `verify`'s 410 µs of main thread (a CPU profile at 1,578 req/s,
 * docs/benchmarks.md), and a credential in a header the redaction did not name would have been logged.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
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
          },
        }),
      ],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@pharmatrace/config';
import { LoggerModule } from 'nestjs-pino';
import { requestIdOf } from './request-id';

/**
 * JSON lines through pino, one per request with its id (X-Request-Id), and the Nest logger's lines carry the id of
 * the request they were written in. Credentials never reach a log: the API key travels in Authorization.
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
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
              censor: '[redacted]',
            },
          },
        }),
      ],
    };
  }
}

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { loadConfig } from '@pharmatrace/config';
import { ApiModule } from './api.module';
import { ExpressServerAdapter } from './common/express-server.adapter';
import { useSecurityHeaders } from './common/security.headers';
import { useJsonBodyParser } from './common/json-body.parser';
import { KeyGate } from './rate-limits/key-gate.middleware';

async function bootstrap() {
  const config = loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), new ExpressServerAdapter(), {
    bodyParser: true,
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  useSecurityHeaders(app);
  // Before the body parsers: without a key in force, a large body is refused unread.
  app.use(app.get(KeyGate).handle);
  useJsonBodyParser(app);
  app.enableShutdownHooks();
  await app.listen(config.port, '0.0.0.0');
  new Logger('api').log(`GraphQL on http://localhost:${config.port}/graphql`);
}

bootstrap().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

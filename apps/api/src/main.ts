import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { loadConfig } from '@pharmatrace/config';
import { ApiModule } from './api.module';
import { useSecurityHeaders } from './common/security.headers';
import { isBufferedJsonBody } from './epcis-rest/epcis-binding';
import { KeyGate } from './rate-limits/key-gate.middleware';

async function bootstrap() {
  const config = loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), { bodyParser: true, bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  useSecurityHeaders(app);
  // Before the body parsers: without a key in force, a large body is refused unread.
  app.use(app.get(KeyGate).handle);
  // Large EPCIS capture bodies are streamed by the binding, not buffered here.
  app.useBodyParser('json', { limit: '50mb', type: isBufferedJsonBody });
  app.enableShutdownHooks();
  await app.listen(config.port, '0.0.0.0');
  new Logger('api').log(`GraphQL on http://localhost:${config.port}/graphql`);
}

bootstrap().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

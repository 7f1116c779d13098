import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@pharmatrace/config';
import { Logger as PinoLogger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

async function bootstrap() {
  const config = loadConfig();
  // The anchorer lease is a session advisory lock: through a transaction-mode pooler its unlock could reach another
  // server connection, and two workers could anchor at once (docs/scaling.md).
  if (config.database.poolMode === 'transaction')
    throw new Error('DATABASE_POOL_MODE=transaction is for the API: the worker connects to the primary itself (or a session-mode pool)');
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  new Logger('worker').log(
    `anchoring to ${config.chain.contractAddress} on chain ${config.chain.rpcUrl}, every ${config.batching.tickMs} ms`,
  );
}

bootstrap().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

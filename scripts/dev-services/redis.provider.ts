import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { stopProcess } from '@pharmatrace/chain';
import { LOCALHOST, preferredPort, redisAnswersPing, waitUntil } from './local-port';
import { StartError, StartErrorCode } from './start.error';

export interface RedisHandle {
  url: string;
  source: 'env' | 'local' | 'started';
  stop(): Promise<void>;
}

export interface RedisOptions {
  env: Record<string, string | undefined>;
  dataDir: string;
  /** The machine's own Redis, used when it answers PING. */
  localPort?: number;
  /** Port for a redis-server we start; another free one if taken. */
  startPort?: number;
  redisServerBin?: string;
  log?: (line: string) => void;
}

export const REDIS_NOT_FOUND_MESSAGE = 'Redis not found: set REDIS_URL, or install it (apt-get install redis-server / brew install redis)';

export async function provideRedis(options: RedisOptions): Promise<RedisHandle> {
  const none = async () => undefined;
  if (options.env.REDIS_URL) return { url: options.env.REDIS_URL, source: 'env', stop: none };
  const localPort = options.localPort ?? 6379;
  if (await redisAnswersPing(LOCALHOST, localPort)) return { url: `redis://${LOCALHOST}:${localPort}`, source: 'local', stop: none };

  const port = await preferredPort(options.startPort ?? 6380);
  const dir = path.join(options.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  // Queues are rebuilt from Postgres on restart, so nothing is worth persisting here.
  const args = ['--port', String(port), '--bind', LOCALHOST, '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn(options.redisServerBin ?? 'redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-1_000)));
  const launchError = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    child.once('error', resolve);
    child.once('spawn', () => resolve(undefined));
  });
  if (launchError) {
    if (launchError.code === 'ENOENT') throw new StartError(StartErrorCode.REDIS_NOT_FOUND, REDIS_NOT_FOUND_MESSAGE, 'redis', 'REDIS_URL');
    throw new StartError(StartErrorCode.REDIS_UNAVAILABLE, `redis-server failed to start: ${launchError.message}`, 'redis', 'REDIS_URL', {
      cause: launchError,
    });
  }
  const up = await waitUntil(async () => child.exitCode === null && (await redisAnswersPing(LOCALHOST, port)), 10_000);
  if (!up) {
    await stopProcess(child);
    throw new StartError(
      StartErrorCode.REDIS_UNAVAILABLE,
      `redis-server did not answer on port ${port}: ${stderr.trim() || 'no output'}`,
      'redis',
      'REDIS_URL',
    );
  }
  options.log?.(`started redis-server on port ${port}`);
  return { url: `redis://${LOCALHOST}:${port}`, source: 'started', stop: () => stopProcess(child) };
}

import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Logger } from '@nestjs/common';
import { FLUSH_MS, RateLimitStorage } from './rate-limit.storage';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `rate-spec-${randomUUID()}`;
const MINUTE = 60_000;
const settle = () => new Promise((resolve) => setTimeout(resolve, FLUSH_MS * 3));

describe('RateLimitStorage (real Redis)', () => {
  const redis = new Redis(REDIS_URL);
  const storages: RateLimitStorage[] = [];
  const storage = (redisUrl = REDIS_URL) => {
    const s = new RateLimitStorage({ redisUrl, queuePrefix: PREFIX });
    storages.push(s);
    return s;
  };
  afterAll(async () => {
    storages.forEach((s) => s.onModuleDestroy());
    await redis.quit();
  });

  const hits = async (s: RateLimitStorage, key: string, n: number, limit: number) => {
    const blocked: boolean[] = [];
    for (let i = 0; i < n; i++) blocked.push((await s.hit(key, limit, MINUTE)).blocked);
    return blocked;
  };
  const inRedis = async (key: string) => Number(await redis.get(`{${PREFIX}:rate:${key}}:hits`));

  it('allows exactly the limit in one process, then blocks with the time left', async () => {
    const s = storage();
    await settle(); // connected
    const key = randomUUID();
    expect(await hits(s, key, 12, 10)).toEqual([...Array(10).fill(false), true, true]);
    const refused = await s.hit(key, 10, MINUTE);
    expect(refused).toMatchObject({ blocked: true, hits: 11 });
    expect(refused.retryAfterSeconds).toBeGreaterThan(55);
  });

  it('counts hits far from the limit here and tells Redis within a flush', async () => {
    const s = storage();
    await settle();
    const key = randomUUID();
    await hits(s, key, 20, 1_000);
    // The first hit asked Redis; the other 19 wait for the flush.
    expect(await inRedis(key)).toBe(1);
    await settle();
    expect(await inRedis(key)).toBe(20);
  });

  it('shares a limit between processes: a second one starts from the total in Redis', async () => {
    const [a, b] = [storage(), storage()];
    await settle();
    const key = randomUUID();
    expect(await hits(a, key, 6, 10)).toEqual(Array(6).fill(false));
    await settle();
    expect(await hits(b, key, 6, 10)).toEqual([false, false, false, false, true, true]);
    // A learns the total with its next flush at the latest; from then on it refuses too.
    await a.hit(key, 10, MINUTE);
    await settle();
    expect((await a.hit(key, 10, MINUTE)).blocked).toBe(true);
  });

  it('holds the limit in each process while Redis is unreachable', async () => {
    const s = storage('redis://127.0.0.1:1');
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await settle(); // the first connection has failed
    const started = Date.now();
    expect(await hits(s, randomUUID(), 7, 5)).toEqual([false, false, false, false, false, true, true]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/while Redis is unreachable/);
    warn.mockRestore();
  });
});

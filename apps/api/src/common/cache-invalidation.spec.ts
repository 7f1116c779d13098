import { randomUUID } from 'node:crypto';
import type { AppConfig } from '@pharmatrace/config';
import { waitFor } from '../../../../test/support/wait';
import { CacheInvalidation } from './cache-invalidation';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('CacheInvalidation (real Redis)', () => {
  const prefix = `invalidation-spec-${randomUUID()}`;
  const processes: CacheInvalidation[] = [];
  const apiProcess = () => {
    const p = new CacheInvalidation({ redisUrl: REDIS_URL, redisCluster: undefined, queuePrefix: prefix } as unknown as AppConfig);
    p.onModuleInit();
    processes.push(p);
    return p;
  };
  afterAll(() => processes.forEach((p) => p.onModuleDestroy()));

  it('forgets at once in the process that changed the entry, and through pub/sub in every other one, once each', async () => {
    const [a, b] = [apiProcess(), apiProcess()];
    const forgotten = { a: [] as string[], b: [] as string[], grants: [] as string[] };
    a.on('apiKey', (id) => forgotten.a.push(id));
    b.on('apiKey', (id) => forgotten.b.push(id));
    b.on('grants', (id) => forgotten.grants.push(id));
    // Subscribed once the other process's message can arrive: a first message may be sent before the SUBSCRIBE lands.
    await waitFor(
      async () => {
        a.forget('grants', 'probe');
        return forgotten.grants.includes('probe');
      },
      10_000,
      200,
    );

    a.forget('apiKey', 'key-1');
    expect(forgotten.a).toEqual(['key-1']);
    await waitFor(async () => forgotten.b.includes('key-1'), 5_000, 20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Not twice in the sender (its own message is skipped), once in the other process.
    expect(forgotten).toMatchObject({ a: ['key-1'], b: ['key-1'] });
  });

  it('carries every kind to the other processes', async () => {
    const [a, b] = [apiProcess(), apiProcess()];
    const seen: string[] = [];
    for (const kind of ['apiKey', 'grants', 'organization', 'tradingPartners'] as const) b.on(kind, (id) => seen.push(`${kind} ${id}`));
    await waitFor(
      async () => {
        a.forget('grants', 'probe');
        return seen.includes('grants probe');
      },
      10_000,
      200,
    );
    a.forget('organization', 'org-1');
    a.forget('tradingPartners', 'all');
    a.forget('apiKey', 'key-2');
    await waitFor(async () => ['organization org-1', 'tradingPartners all', 'apiKey key-2'].every((m) => seen.includes(m)), 5_000, 20);
  });
});

import { HealthCheck } from './health.check';
import { HealthError } from './health.error';
import { ReadinessService, runCheck } from './readiness.service';

const check = (name: string, run: () => Promise<Record<string, unknown>>): HealthCheck => ({ name, run });
const up = (name: string) => check(name, async () => ({ seen: name }));

describe('readiness', () => {
  it('reports every check when all are up', async () => {
    const service = new ReadinessService(
      up('postgres') as never,
      up('redis') as never,
      up('chain') as never,
      up('anchoringBacklog') as never,
    );
    await expect(service.report()).resolves.toEqual({
      status: 'ready',
      checks: {
        postgres: { status: 'up', seen: 'postgres' },
        redis: { status: 'up', seen: 'redis' },
        chain: { status: 'up', seen: 'chain' },
        anchoringBacklog: { status: 'up', seen: 'anchoringBacklog' },
      },
    });
  });

  it('names the failing checks, keeping only their messages', async () => {
    const broken = check('redis', async () => {
      throw new Error('connect ECONNREFUSED');
    });
    const service = new ReadinessService(up('postgres') as never, broken as never, up('chain') as never, up('anchoringBacklog') as never);
    const error: HealthError = await service.report().then(
      () => {
        throw new Error('expected NOT_READY');
      },
      (e) => e,
    );
    expect(error.code).toBe('NOT_READY');
    expect(error.message).toBe('not ready: redis');
    expect(error.details).toMatchObject({
      down: ['redis'],
      checks: { redis: { status: 'down', error: 'connect ECONNREFUSED' }, postgres: { status: 'up' } },
    });
    expect(JSON.stringify(error.details)).not.toMatch(/\n\s+at /);
  });

  it('gives up on a check that does not answer in time', async () => {
    const started = Date.now();
    const result = await runCheck(
      check('chain', () => new Promise(() => undefined)),
      50,
    );
    expect(result).toEqual({ status: 'down', error: 'no answer within 50 ms' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

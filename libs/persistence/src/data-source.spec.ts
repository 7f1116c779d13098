import { dataSourceOptions, KEEP_IDLE_CONNECTIONS } from './data-source';

describe('data source options', () => {
  it('keep the pool connections open once made, so that no burst pays for new sessions planning anew', () => {
    const extra = (dataSourceOptions('postgres://localhost/x', { poolSize: 20 }) as { extra: Record<string, unknown> }).extra;
    expect(KEEP_IDLE_CONNECTIONS).toBe(0);
    expect(extra).toMatchObject({ max: 20, idleTimeoutMillis: 0 });
  });
});

import { ConfigError, loadConfig, redactConfig } from './app.config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.batching).toEqual({ maxEvents: 10_000, maxWaitMs: 10_000, tickMs: 1_000 });
    expect(config.chain.confirmations).toBe(1);
  });

  it('names every invalid setting and the rule it breaks', () => {
    expect(() => loadConfig({ PORT: 'eighty', ANCHORER_PRIVATE_KEY: '0x12', BATCH_MAX_EVENTS: '0' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', ANCHORER_PRIVATE_KEY: '0x12', BATCH_MAX_EVENTS: '0' });
    } catch (e) {
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/ANCHORER_PRIVATE_KEY: must be a 0x-prefixed 32-byte hex private key/);
      expect(problems).toMatch(/BATCH_MAX_EVENTS/);
    }
  });

  it('never exposes secrets when redacted', () => {
    const key = `0x${'ab'.repeat(32)}`;
    const config = loadConfig({ ADMIN_TOKEN: 'super-secret-admin-token', ANCHORER_PRIVATE_KEY: key });
    const text = JSON.stringify(redactConfig(config));
    expect(text).not.toContain('super-secret-admin-token');
    expect(text).not.toContain(key.slice(2));
  });
});

import { type AnvilInstance, type AnvilOptions, startAnvil } from '@pharmatrace/chain';

/**
 * Starts one anvil on a free port for the calling spec file and stops it after the file's tests.
 * Call at describe level; the returned getter throws if read before `beforeAll` ran.
 */
export function useAnvil(options: AnvilOptions = {}): () => AnvilInstance {
  let instance: AnvilInstance | undefined;
  beforeAll(async () => {
    instance = await startAnvil({ port: 0, ...options });
  }, 30_000);
  afterAll(async () => {
    await instance?.stop();
  });
  return () => {
    if (!instance) throw new Error('anvil not started: call useAnvil() at describe level and read it inside tests');
    return instance;
  };
}

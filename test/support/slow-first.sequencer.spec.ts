import { existsSync } from 'node:fs';
import path from 'node:path';

// The sequencer is the CommonJS module Jest loads from jest.config.js.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SlowFirstSequencer = require('./slow-first.sequencer.cjs') as {
  new (options: unknown): { sort(tests: FakeTest[]): FakeTest[] };
  SECONDS: Record<string, number>;
};

interface FakeTest {
  path: string;
  context: { config: { rootDir: string; cache: boolean }; hasteFS: { getSize(path: string): number } };
}

const ROOT = path.resolve(__dirname, '../..');

describe('SlowFirstSequencer', () => {
  it('names spec files that exist, so a renamed one is not silently started late again', () => {
    for (const file of Object.keys(SlowFirstSequencer.SECONDS)) expect([file, existsSync(path.join(ROOT, file))]).toEqual([file, true]);
  });

  it("starts the slow files first, longest first, and keeps Jest's order (largest first, without timings) for the rest", () => {
    const sizes: Record<string, number> = {
      'test/integration/small.spec.ts': 10,
      'test/integration/start.spec.ts': 20,
      'test/integration/large.spec.ts': 900,
      'test/integration/docker-build.spec.ts': 30,
      'libs/x/medium.spec.ts': 500,
    };
    const context = { config: { rootDir: ROOT, cache: false }, hasteFS: { getSize: (p: string) => sizes[path.relative(ROOT, p)] } };
    const tests = Object.keys(sizes).map((file) => ({ path: path.join(ROOT, file), context }));
    const order = new SlowFirstSequencer({}).sort(tests).map((t) => path.relative(ROOT, t.path));
    expect(order).toEqual([
      'test/integration/docker-build.spec.ts',
      'test/integration/start.spec.ts',
      'test/integration/large.spec.ts',
      'libs/x/medium.spec.ts',
      'test/integration/small.spec.ts',
    ]);
  });
});

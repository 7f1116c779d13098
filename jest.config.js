/** Unit specs sit beside the code; integration and end-to-end specs live in test/. */
const swc = [
  '@swc/jest',
  {
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      keepClassNames: true,
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  },
];
const moduleNameMapper = {
  '^@pharmatrace/(gs1|epcis|merkle|domain|persistence|chain|config)$': '<rootDir>/libs/$1/src',
  '^pharmatrace-verify$': '<rootDir>/packages/verify/src',
  '^pharmatrace-verify/cbv$': '<rootDir>/packages/verify/src/cbv',
};
const SERVICE_SPECS = ['\\.service\\.spec\\.ts$'];
const common = { transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: 'node' };

module.exports = {
  testTimeout: 60000,
  // Jest's default on a 2-core machine is one worker, which it runs in its own process: every file's leftovers then
  // share one heap, and the specs that force a GC to measure memory slow down tenfold. Two workers, recycled once
  // they hold 512 MB, keep each file's heap its own and overlap the specs that wait on Postgres, anvil and Chromium.
  // At 1 GB, a streamed-capture spec that forces a GC every second once started in a worker holding 888 MB of
  // earlier files and spent 96% of its time collecting (two 180 s timeouts).
  maxWorkers: 2,
  workerIdleMemoryLimit: '512MB',
  testSequencer: '<rootDir>/test/support/slow-first.sequencer.cjs',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,packages,bench}/**/*.spec.ts'],
      testPathIgnorePatterns: SERVICE_SPECS,
    },
    // The middle tier: each service and the worker with fakes behind the repository and gateway classes, no I/O.
    { ...common, displayName: 'service', testMatch: ['<rootDir>/apps/**/*.service.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};

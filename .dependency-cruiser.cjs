/**
 * The boundaries of the layout (docs/architecture.md), checked by `npm test` (`npm run lint:deps`).
 * Pure libraries hold the domain rules and formats; they know nothing of Nest, TypeORM, the chain client or Redis.
 */
const PURE_LIBS = '^libs/(domain|gs1|epcis|merkle)/';
const FRAMEWORKS = '(^|/)node_modules/(@nestjs|typeorm|ethers|ioredis|bullmq|pg|express)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order and responsibility unclear.',
      from: { pathNot: '\\.spec\\.ts$' },
      // A cycle through an `import type` alone does not exist at run time.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'libs-not-apps',
      severity: 'error',
      comment: 'Libraries are used by the apps, never the other way round.',
      from: { path: '^libs/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(apps|scripts|bench|test)/' },
    },
    {
      name: 'pure-libs-no-frameworks',
      severity: 'error',
      comment: 'Domain rules, formats and Merkle trees are pure: no Nest, TypeORM, ethers, Redis or Postgres client.',
      from: { path: PURE_LIBS },
      to: { path: FRAMEWORKS },
    },
    {
      name: 'pure-libs-no-io-libs',
      severity: 'error',
      comment: 'Pure libraries do not depend on the libraries that do I/O.',
      from: { path: PURE_LIBS },
      to: { path: '^libs/(persistence|chain|config)/' },
    },
    {
      name: 'verifier-standalone',
      severity: 'error',
      comment: 'packages/verify is published alone: it may not reach into the repository around it.',
      // Its specs check it against the platform's own implementation (parity), which is the point of them.
      from: { path: '^packages/verify/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(apps|libs|scripts|bench|test)/' },
    },
    {
      name: 'apps-apart',
      severity: 'error',
      comment: 'Each app is deployed on its own: they share code through libs and packages only.',
      from: { path: '^apps/(api|worker|web)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-deep-imports-across-packages',
      severity: 'error',
      comment:
        'Other packages are used through their entry points (@pharmatrace/<lib>, pharmatrace-verify, pharmatrace-verify/cbv; ' +
        'src/browser.ts of a lib or of the verifier for the pages), not their files.',
      from: { path: '^(apps|libs)/([^/]+)/' },
      to: {
        path: '^(libs/[^/]+|packages/verify)/src/.+',
        pathNot: ['^libs/$2/', '^packages/verify/src/(index|browser|cbv/index)\\.ts$', '^libs/[^/]+/src/(index|browser)\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

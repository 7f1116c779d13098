const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Seconds the slowest spec files took in `.ci/run` (2026-12-05). CI runs in a fresh clone, where Jest has no timings
 * of its own and starts the largest files first: the anchoring chaos spec then started five minutes in and ran for a
 * minute while the other worker had nothing left (jest 526 s for 920 s of specs on two workers). Started first, the
 * long ones overlap the many short ones.
 */
const SECONDS = {
  'test/integration/docker-build.spec.ts': 202,
  'test/integration/anchoring-chaos.spec.ts': 63,
  'test/integration/start.spec.ts': 60,
  'test/integration/anchoring-faults.spec.ts': 47,
  'test/integration/capture-stream.spec.ts': 35,
  'test/integration/cluster-profile.spec.ts': 29,
  'test/e2e/cases-pages.spec.ts': 26,
  'test/integration/verify-package.spec.ts': 24,
  'test/e2e/scan-page.spec.ts': 23,
  'test/integration/worker-crash.spec.ts': 20,
};

/** Jest's order (failed first, then by time or size), with the files above first, longest first. */
class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const seconds = (test) => SECONDS[path.relative(test.context.config.rootDir, test.path).split(path.sep).join('/')] ?? 0;
    // Array.prototype.sort is stable: the other files keep Jest's order.
    return super.sort(tests).sort((a, b) => seconds(b) - seconds(a));
  }
}

module.exports = SlowFirstSequencer;
module.exports.SECONDS = SECONDS;

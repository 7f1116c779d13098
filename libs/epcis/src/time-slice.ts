/**
 * Work over a whole document (validating, hashing) written once as a generator that pauses after each event, and run
 * either to the end at once (small inputs, streamed events) or in slices that give the event loop a turn every
 * SLICE_MS, so that a 10,000-event capture (about 300 ms of hashing and validation) never holds other requests
 * for longer than one slice (issue 13: no request delays `{ __typename }` by more than 50 ms).
 */
export type Resumable<T> = Generator<void, T, void>;

export const SLICE_MS = 5;

export function runToEnd<T>(work: Resumable<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

export async function runSliced<T>(work: Resumable<T>, sliceMs = SLICE_MS): Promise<T> {
  const pause = slicer(sliceMs);
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    await pause();
  }
}

/**
 * When sliced work last came back from a pause, process-wide. A capture runs several sliced phases one after another
 * (validation, hashing, preparation): with a clock per phase, each began with a fresh slice right where the last one
 * ended, and three of them held the event loop for 30-36 ms at once. One clock makes them share each slice.
 */
let resumedAt = performance.now();

/**
 * Sliced works waiting for their next slice, oldest first. One of them resumes per turn of the event loop: with a
 * setImmediate each, every paused work resumed in the same check phase, one after another, so four concurrent
 * captures held the loop for four slices (20 ms) between two polls for I/O, and a request that needs several turns
 * (read, rate limit, query, answer) waited that long at each. Now each turn polls I/O between two slices.
 */
const waiting: (() => void)[] = [];
let scheduled = false;

function resumeNext(): void {
  scheduled = false;
  const next = waiting.shift();
  // Scheduled from the check phase, the next resumption runs in the next turn, after its poll for I/O.
  if (waiting.length) schedule();
  resumedAt = performance.now();
  next?.();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(resumeNext);
}

/** For loops in async code: `await pause()` after each step gives the event loop a turn once `sliceMs` have passed. */
export function slicer(sliceMs = SLICE_MS): () => Promise<void> {
  return async () => {
    if (performance.now() - resumedAt < sliceMs) return;
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      schedule();
    });
  };
}

/**
 * Resolves after the event loop has polled for I/O once: a single setImmediate from an I/O callback (a body just
 * parsed) runs before the next poll, so requests waiting to be read would still wait; the second one runs after it.
 */
export function afterPoll(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
}

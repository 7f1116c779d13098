/** How the supervisor spaces restarts of a crashing app: quick for a one-off crash, slow for a crash loop. */
export interface RestartPolicy {
  /** Delay before the first restart of a crash streak. */
  initialMs: number;
  /** Ceiling of the doubling delay. */
  maxMs: number;
  /** A run at least this long ends the streak: the next crash restarts after `initialMs` again. */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialMs: 500, maxMs: 10_000, stableAfterMs: 30_000 };

/** Crashes in a row, counting the one that just happened, given how long the crashed run lasted. */
export function crashStreak(previousStreak: number, ranMs: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  return ranMs >= policy.stableAfterMs ? 1 : previousStreak + 1;
}

/** Delay before restarting after the `streak`-th crash in a row: initialMs doubling, capped at maxMs. */
export function restartDelayMs(streak: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  const doublings = Math.max(0, streak - 1);
  // Capped before exponentiation so a very long streak cannot overflow to Infinity.
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(doublings, 30));
}

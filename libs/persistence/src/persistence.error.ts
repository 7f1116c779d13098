export enum PersistenceErrorCode {
  UNIQUE_VIOLATION = 'UNIQUE_VIOLATION',
  /** An error declaration for an event another organization captured. */
  FOREIGN_CORRECTION = 'FOREIGN_CORRECTION',
  /** Other captures kept creating items of a chunk while it was stored, past the retries (EventRepository). */
  CONCURRENT_STATES = 'CONCURRENT_STATES',
  /** A bounded read ran past its time and Postgres cancelled it (ReadRunner.bounded). */
  READ_TIMEOUT = 'READ_TIMEOUT',
}

export class PersistenceError extends Error {
  constructor(
    readonly code: PersistenceErrorCode,
    readonly constraint: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'PersistenceError';
  }
}

/**
 * Whether `error` is a unique violation (from TypeORM, which wraps the driver's error, or from the pg client itself),
 * and of which constraint: `{ constraint }`, or undefined for any other error.
 */
export function uniqueViolationOf(error: unknown): { constraint: string | undefined } | undefined {
  const e = error as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
  return (e.driverError?.code ?? e.code) === '23505' ? { constraint: e.driverError?.constraint ?? e.constraint } : undefined;
}

/** Turns a driver's unique violation into a typed error that names the constraint; rethrows anything else. */
export function rethrowUniqueViolation(error: unknown): never {
  const violation = uniqueViolationOf(error);
  if (violation) {
    const { constraint } = violation;
    throw new PersistenceError(PersistenceErrorCode.UNIQUE_VIOLATION, constraint, `unique constraint ${constraint} violated`);
  }
  throw error;
}

/**
 * Thrown inside the capture transaction (so nothing is stored) when other captures created items of one of its chunks
 * first, again after each of its judgings: nothing is wrong with the document, and sending it again settles it.
 */
export class ConcurrentStatesError extends PersistenceError {
  constructor() {
    super(PersistenceErrorCode.CONCURRENT_STATES, 'pack_state_pkey', 'other captures created items of this document while it was stored');
  }
}

/** Thrown inside the capture transaction (so nothing is stored): the declarations at these document positions. */
export class ForeignCorrectionError extends PersistenceError {
  constructor(readonly documentIndexes: number[]) {
    super(PersistenceErrorCode.FOREIGN_CORRECTION, undefined, 'only the organization that captured an event may declare it in error');
  }
}

/** A bounded read (ReadRunner.bounded) that Postgres cancelled at its statement timeout: nothing was read or written. */
export class ReadTimeoutError extends PersistenceError {
  constructor(readonly timeoutMs: number) {
    super(PersistenceErrorCode.READ_TIMEOUT, undefined, `the read ran past its limit of ${timeoutMs} ms and was cancelled`);
  }
}

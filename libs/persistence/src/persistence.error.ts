export enum PersistenceErrorCode {
  UNIQUE_VIOLATION = 'UNIQUE_VIOLATION',
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

/** Turns a driver's unique violation into a typed error that names the constraint; rethrows anything else. */
export function rethrowUniqueViolation(error: unknown): never {
  const e = error as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
  const code = e.driverError?.code ?? e.code;
  if (code === '23505') {
    const constraint = e.driverError?.constraint ?? e.constraint;
    throw new PersistenceError(PersistenceErrorCode.UNIQUE_VIOLATION, constraint, `unique constraint ${constraint} violated`);
  }
  throw error;
}

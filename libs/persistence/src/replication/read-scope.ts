import { AsyncLocalStorage } from 'node:async_hooks';

interface ReadScope {
  organizationId?: string;
}

const storage = new AsyncLocalStorage<ReadScope>();

/**
 * Who is reading, for the replica routing (ReadRouting): set once per request, read by the repositories without every
 * service passing it down. Only routing depends on it, never authority: a read without a scope goes to the primary.
 */
export const readScope = {
  /** Runs `work` (the rest of a request) in a scope of its own. */
  run<T>(work: () => T): T {
    return storage.run({}, work);
  },
  /** The authenticated organization of the request in progress (the auth guard). */
  setOrganization(organizationId: string): void {
    const scope = storage.getStore();
    if (scope) scope.organizationId = organizationId;
  },
  /** undefined outside a request scope (the worker, scripts, tests calling repositories directly). */
  current(): ReadScope | undefined {
    return storage.getStore();
  },
};

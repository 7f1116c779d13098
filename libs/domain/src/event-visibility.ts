import { decideRead, GrantScope, glnLikePatterns, Reader, ReadGrant, ReadQuery, readerKeys } from './read-policy';

/** What an event list must be narrowed to for a reader: the shape of the event query's `visibleTo` criterion. */
export interface EventVisibility {
  organizationId: string;
  /** LIKE patterns of every spelling of the reader's GLN. */
  glnPatterns: string[];
  /** Its keys in `event_reader` (readerKeys): the same branches as `organizationId` and `glnPatterns`, probed by index. */
  readerKeys: string[];
  ownGtins: boolean;
  granted: GrantScope[];
}

/**
 * The read rule for event lists as a query criterion: undefined when the reader may read every event (regulators).
 * One mapping for the API's queries and the worker's subscription deliveries alike.
 */
export function eventVisibility(reader: Reader, grants: readonly ReadGrant[], now: Date): EventVisibility | undefined {
  const scope = decideRead(reader, { query: ReadQuery.EVENTS }, grants, now);
  if (scope.kind === 'all') return undefined;
  return {
    organizationId: scope.organizationId,
    glnPatterns: glnLikePatterns(scope.gln),
    readerKeys: readerKeys(scope.organizationId, scope.gln),
    ownGtins: scope.ownGtins,
    granted: scope.granted,
  };
}

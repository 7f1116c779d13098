import { Field, ObjectType } from '@nestjs/graphql';
import { PagingError } from './paging.error';

/**
 * Relay connection paging, shared by every GraphQL connection: forward (`first`, `after`) or backward (`last`,
 * `before`), never both at once, since a page with a start and an end cursor has no one meaning a client can rely
 * on. Each feature keeps its own page-size bounds and cursor format; this decides only the direction.
 */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageRequest {
  direction: 'forward' | 'backward';
  /** `first` or `last`, as given (null: the feature's default). */
  size: number | null;
  /** The field that carried the size, for the feature's range error. */
  sizeField: 'first' | 'last';
  /** `after` or `before`, as given. */
  cursor: string | null;
  cursorField: 'after' | 'before';
}

const given = (v: unknown) => v !== null && v !== undefined;

export function pageRequest(args: ConnectionArgs): PageRequest {
  const forward = given(args.first) || given(args.after);
  const backward = given(args.last) || given(args.before);
  if (forward && backward) {
    const field = given(args.last) ? 'last' : 'before';
    throw new PagingError(`${field}: pages go forward (first, after) or backward (last, before), not both`, {
      field,
      rule: 'one-direction',
    });
  }
  return backward
    ? { direction: 'backward', size: args.last ?? null, sizeField: 'last', cursor: args.before ?? null, cursorField: 'before' }
    : { direction: 'forward', size: args.first ?? null, sizeField: 'first', cursor: args.after ?? null, cursorField: 'after' };
}

@ObjectType('PageInfo', { description: 'Relay page information, the same for every connection' })
export class PageInfoType {
  @Field() hasNextPage: boolean;
  @Field() hasPreviousPage: boolean;
  @Field({ nullable: true }) startCursor?: string;
  @Field({ nullable: true }) endCursor?: string;
}

/**
 * What a page says about its neighbours. `hasMore`: the repository found an item past the page in the direction
 * read. On the other side a page started from a cursor has at least the cursor's own item; one read from the start
 * (or the end) has none.
 */
export function pageInfo(request: PageRequest, cursors: string[], hasMore: boolean): PageInfoType {
  const fromCursor = request.cursor !== null;
  return {
    hasNextPage: request.direction === 'forward' ? hasMore : fromCursor,
    hasPreviousPage: request.direction === 'forward' ? fromCursor : hasMore,
    startCursor: cursors[0],
    endCursor: cursors.at(-1),
  };
}

/** A connection's answer: its edges, and what their cursors and `hasMore` say about the neighbours (pageInfo). */
export function connection<Edge extends { cursor: string }>(
  request: PageRequest,
  edges: Edge[],
  hasMore: boolean,
): { edges: Edge[]; pageInfo: PageInfoType } {
  return {
    edges,
    pageInfo: pageInfo(
      request,
      edges.map((e) => e.cursor),
      hasMore,
    ),
  };
}

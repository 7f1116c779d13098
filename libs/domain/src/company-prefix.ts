/** A company prefix some organization already holds. */
export interface RegisteredPrefix {
  prefix: string;
  organizationId: string;
  organizationName: string;
}

export interface PrefixOverlap {
  /** The prefix asked for. */
  prefix: string;
  /** The prefix it collides with: the same, one it begins, or one that begins it. */
  conflictsWith: string;
  /** Who holds `conflictsWith`; null when it is another prefix of the same request. */
  holder: Pick<RegisteredPrefix, 'organizationId' | 'organizationName'> | null;
}

/**
 * Two prefixes overlap when one begins the other: every GTIN under the longer is also under the shorter, so both
 * holders could commission it, and a GTIN's prefix length (needed for its EPC URN) would be ambiguous.
 */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** The first overlap of the requested prefixes with each other or with any registered one, or null if none. */
export function findPrefixOverlap(requested: readonly string[], registered: readonly RegisteredPrefix[]): PrefixOverlap | null {
  const wanted = [...new Set(requested)];
  for (const [i, prefix] of wanted.entries()) {
    const held = registered.find((r) => prefixesOverlap(prefix, r.prefix));
    if (held)
      return {
        prefix,
        conflictsWith: held.prefix,
        holder: { organizationId: held.organizationId, organizationName: held.organizationName },
      };
    const sibling = wanted.slice(i + 1).find((other) => prefixesOverlap(prefix, other));
    if (sibling !== undefined) return { prefix, conflictsWith: sibling, holder: null };
  }
  return null;
}

/**
 * The results of a pure function of a string for the inputs seen lately. A document repeats most of the values its
 * hash canonicalises (its steps, dispositions, locations, lot, times; each pack's EPC in its commissioning and again
 * in its packing): hashing 1,000 events spent 37% of its 74 ms of CPU canonicalising Digital Links and times.
 * Bounded: emptied when full, so a stream of values never seen before costs a little time, never memory.
 */
export function memoized<T>(compute: (key: string) => T, max = 8192): (key: string) => T {
  const results = new Map<string, T>();
  return (key) => {
    let result = results.get(key);
    if (result === undefined && !results.has(key)) {
      if (results.size >= max) results.clear();
      result = compute(key);
      results.set(key, result);
    }
    return result as T;
  };
}

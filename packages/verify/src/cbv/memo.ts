/**
 * The results of a pure function of a string for the inputs seen lately. A document repeats most of the values its
 * hash canonicalises (its steps, dispositions, locations, lot, times; each pack's EPC in its commissioning and again
 * in its packing): hashing 1,000 events spent 37% of its 74 ms of CPU canonicalising Digital Links and times.
 * Bounded: emptied when full, so a stream of values never seen before costs a little time, never memory; and only
 * short values are kept (identifiers, codes, times), since a document's long texts rarely repeat and 8,192 of them
 * held 40-50 MB while a 30 MB document of padded events streamed through (capture-stream.spec's heap bound). A result
 * that is an object is shared by every caller that asks for the same input, so it must not be changed.
 */
export function memoized<T>(compute: (key: string) => T, max = 8192, maxKeyLength = 256): (key: string) => T {
  const results = new Map<string, T>();
  return (key) => {
    if (key.length > maxKeyLength) return compute(key);
    let result = results.get(key);
    if (result === undefined) {
      if (results.size >= max) results.clear();
      result = compute(key);
      results.set(flat(key), typeof result === 'string' ? (flat(result) as T) : result);
    }
    return result;
  };
}

/**
 * A copy of `text` that shares no memory with a larger string: a value parsed from a streamed document may be a slice
 * of the chunk it was read from, and V8 keeps the whole chunk alive for as long as one slice of it is.
 */
const flat = (text: string): string => (' ' + text).slice(1);

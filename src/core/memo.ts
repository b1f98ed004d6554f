/**
 * Remembers `make(key)` for each key and hands back the same value for an equal key: a cycle makes the
 * same small immutable values (a recipient list, "Stalled in Concept", a visit ID, a system value)
 * on thousands of rows. Bounded: when `limit` keys are kept, it starts afresh, so unique keys (sync
 * timestamps, issue texts) do not pile up in a long-running service.
 */
export function boundedMemo<K, V>(limit: number, make: (key: K) => V): (key: K) => V {
  const kept = new Map<K, V>();
  return (key) => {
    const known = kept.get(key);
    if (known !== undefined) return known;
    if (kept.size >= limit) kept.clear();
    const value = make(key);
    kept.set(key, value);
    return value;
  };
}

/** One kept copy of each text: the first text equal to it. */
export function stringPool(limit: number): (text: string) => string {
  return boundedMemo(limit, (text: string) => text);
}

// Inserted rows come back in insert order; the seed looks them up by a natural key instead, so no step
// ever guesses a sequence id.

/** `rows` keyed by `key`; a later row with the same key wins. */
export function indexBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T> {
  return new Map(rows.map((row) => [key(row), row]));
}

/** The row under `key`; throws when the demo catalogue refers to a row it never defined. */
export function must<K, V>(map: Map<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`demo data refers to an unknown key: ${String(key)}`);
  return value;
}

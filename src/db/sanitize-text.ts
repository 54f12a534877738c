/**
 * Postgres cannot store U+0000 in `text` ("invalid byte sequence for encoding UTF8: 0x00") nor
 * `\u0000` in `jsonb`, and a lone UTF-16 surrogate (what slicing a string through an emoji leaves)
 * has no UTF-8 form at all. Either makes the whole insert fail. Both become U+FFFD, the
 * replacement character, so the row is kept and shows where the text was damaged.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function sanitizeText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/** Every string in a JSON-like value, keys included, sanitised. */
export function sanitizeJson(value: unknown): unknown {
  if (typeof value === 'string') return sanitizeText(value);
  if (Array.isArray(value)) return value.map(sanitizeJson);
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [sanitizeText(key), sanitizeJson(item)]));
  }
  return value;
}

/** A row with every string column and its JSON detail sanitised. */
export function sanitizeAuditRow<T extends Record<string, unknown>>(row: T): T {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) clean[key] = key === 'detail' ? sanitizeJson(value) : typeof value === 'string' ? sanitizeText(value) : value;
  return clean as T;
}

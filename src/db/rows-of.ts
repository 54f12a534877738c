/**
 * The rows of a raw `db.execute` result. node-postgres and PGlite both answer `{ rows: [...] }`; the
 * shared Database type cannot say so, hence the check.
 */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  if (typeof result !== 'object' || result === null || !('rows' in result) || !Array.isArray(result.rows)) return [];
  return result.rows.filter((row: unknown): row is Record<string, unknown> => typeof row === 'object' && row !== null);
}

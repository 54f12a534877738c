/**
 * The database driver's own sentence for a failure (connection refused, no such database,
 * authentication or permission denied; never the password), from under drizzle's "Failed query: ..."
 * wrapper, which would otherwise hide it.
 */
export function driverMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

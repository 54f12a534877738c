const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const LEFT_OUT = new Set(['level', 'time', 'msg', 'app', 'pid', 'hostname', 'err']);

/**
 * One pino JSON line as `12:00:01.234 WARN  message key=value …`, then an error's stack indented below.
 * A line that is not JSON is passed through as it came.
 */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = LEVELS[Number(entry.level)] ?? String(entry.level);
  const pairs = Object.entries(entry)
    .filter(([key]) => !LEFT_OUT.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const head = [time, level, typeof entry.msg === 'string' ? entry.msg : '', ...pairs].filter(Boolean).join(' ');
  const err = entry.err as { stack?: unknown; message?: unknown } | undefined;
  const stack = typeof err?.stack === 'string' ? err.stack : typeof err?.message === 'string' ? err.message : '';
  return stack ? `${head}\n    ${stack.split('\n').join('\n    ')}` : head;
}

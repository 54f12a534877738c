/** Longest maintenance text passed on; a record's message is free text typed by staff. */
const MAX_LENGTH = 500;

/**
 * Turns the body of Atmosphere's maintenance 503 into text for staff. The API's `InMaintenance`
 * permission answers `{"detail": "title: message | title2: message2"}`, one `title: message` per active
 * global maintenance record; this keeps that text, tidies its whitespace and caps its length.
 */
export function maintenanceDetail(body: unknown): string {
  const detail =
    typeof body === 'object' && body !== null && 'detail' in body && typeof body.detail === 'string'
      ? body.detail
      : typeof body === 'string' && !body.trimStart().startsWith('<')
        ? body
        : '';
  const records = detail
    .split('|')
    .map((record) => record.replace(/\s+/g, ' ').trim())
    .filter((record) => record !== '');
  if (records.length === 0) return 'no maintenance message was given';
  const text = records.join(' | ');
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

/**
 * Whether a 503 body is Atmosphere's maintenance answer rather than any other 503 (a proxy's page,
 * Django REST Framework's default `{"detail": "Service Unavailable."}`, a worker that is down).
 * `InMaintenance` (api/permissions.py) raises `ServiceUnavailable(detail=...)` whose detail joins
 * `"%s: %s" % (title, message)` per active global record with " | ", so only a body whose one key
 * is a `detail` string made of `title: message` parts counts.
 */
export function isMaintenanceBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'detail') return false;
  const detail: unknown = (body as { detail: unknown }).detail;
  if (typeof detail !== 'string' || detail.trim() === '') return false;
  return detail.split(' | ').every((record) => /^\s*[^\s:][^:]*:(\s|$)/.test(record));
}

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

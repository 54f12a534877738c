/**
 * Formats an instant the way status.io's schedule call wants it: `MM/DD/YYYY` and `HH:MM`, in UTC.
 * Which zone status.io reads these in is not documented where we could check (the Ansible module says
 * UTC, the Go client's test formats local time); UTC keeps the bot independent of the host's zone.
 * Seconds are dropped: status.io plans to the minute.
 */
export function formatStatusIoDateTime(instant: Date): { date: string; time: string } {
  if (Number.isNaN(instant.getTime())) throw new RangeError('formatStatusIoDateTime needs a valid date');
  const two = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${two(instant.getUTCMonth() + 1)}/${two(instant.getUTCDate())}/${instant.getUTCFullYear()}`,
    time: `${two(instant.getUTCHours())}:${two(instant.getUTCMinutes())}`,
  };
}

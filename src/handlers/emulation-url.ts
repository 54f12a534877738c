/**
 * Troposphere's emulation page for a user (staff guide, "Emulating a user through Troposphere"):
 * a staff member who opens it sees Atmosphere as that user does. Undefined when ATMOSPHERE_WEB_URL is
 * not configured.
 */
export function emulationUrl(webUrl: string | undefined, username: string): string | undefined {
  if (!webUrl) return undefined;
  return `${webUrl.replace(/\/+$/, '')}/application/emulate/${encodeURIComponent(username)}`;
}

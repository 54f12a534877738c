/**
 * A button's id on the wire: `<action>:<value>`, e.g. `rr:approve:123`. Action names are always two
 * colon-separated words, so the value is everything after the second colon. Discord caps custom ids
 * at 100 characters; Slack action ids at 255 and values at 2000.
 */

export const ACTION_NAME = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;
export const MAX_ACTION_ID_LENGTH = 100;

export function encodeActionId(action: string, value: string): string {
  if (!ACTION_NAME.test(action)) throw new Error(`invalid action name "${action}"`);
  const id = `${action}:${value}`;
  if (id.length > MAX_ACTION_ID_LENGTH) throw new Error(`action id longer than ${MAX_ACTION_ID_LENGTH} characters: ${id.slice(0, 40)}…`);
  return id;
}

/** Splits an id from the wire. Returns null when it is not of our shape (tampered or foreign). */
export function decodeActionId(id: string): { action: string; value: string } | null {
  const match = /^([a-z][a-z0-9-]*:[a-z][a-z0-9-]*):(.*)$/s.exec(id);
  if (!match) return null;
  return { action: match[1]!, value: match[2]! };
}

import { cutMarker } from '../bot/chat/reply.js';

/**
 * Outside text flattened to one line and kept within `limit` characters for a list or an alert. A cut
 * says so and where the whole text is (`/atmo request 12`), so nothing disappears without a word.
 */
export function clipText(text: string, limit: number, fullTextAt: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}${cutMarker(fullTextAt, 'chat')}` : flat;
}

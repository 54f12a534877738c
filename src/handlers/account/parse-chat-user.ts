import { PLATFORMS, type Platform } from '../../bot/chat/chat-event.js';

/**
 * Reads who an admin means in `/atmo link`: `slack:U0123`, `discord:123…`, or a mention as the
 * platforms send it (`<@U0123|name>` from Slack, `<@123…>` or `<@!123…>` from Discord). A bare id is
 * taken to be on the admin's own platform.
 */
export function parseChatUser(text: string, defaultPlatform: Platform): { platform: Platform; id: string } | null {
  const trimmed = text.trim();
  const prefixed = /^([a-z]+):(.+)$/.exec(trimmed);
  if (prefixed && (PLATFORMS as readonly string[]).includes(prefixed[1]!)) {
    // One prefix only: `slack:slack:…` is not an id, and recursing on it would exhaust the stack.
    return parseUnprefixed(prefixed[2]!.trim(), prefixed[1] as Platform);
  }
  return parseUnprefixed(trimmed, defaultPlatform);
}

function parseUnprefixed(trimmed: string, defaultPlatform: Platform): { platform: Platform; id: string } | null {
  const mention = /^<@!?([A-Za-z0-9]+)(\|[^>]*)?>$/.exec(trimmed);
  const id = mention ? mention[1]! : trimmed;
  if (defaultPlatform === 'slack' && !/^[UW][A-Z0-9]{2,}$/.test(id)) return null;
  if (defaultPlatform === 'discord' && !/^\d{5,20}$/.test(id)) return null;
  if (defaultPlatform === 'console' && !/^[\w.@+-]{1,64}$/.test(id)) return null;
  return { platform: defaultPlatform, id };
}

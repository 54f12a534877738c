import { verify, type KeyObject } from 'node:crypto';

/**
 * How far an interaction's timestamp may be from our clock, either side. Discord sends each
 * interaction at once and names no window; five minutes, as Slack's request signing uses, leaves
 * room for clock drift while a captured request stops being accepted soon after.
 */
export const MAX_CLOCK_DIFFERENCE_S = 5 * 60;

export type SignatureCheck = 'ok' | 'unsigned' | 'forged' | 'stale';

/**
 * Checks an interaction request as Discord asks
 * (https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers):
 * `X-Signature-Ed25519` is the hex Ed25519 signature, by the application's key, of
 * `X-Signature-Timestamp` followed by the raw body bytes. A valid signature on an old (or future)
 * timestamp is `stale`. Every answer but `ok` is a 401.
 */
export function checkInteractionSignature(
  publicKey: KeyObject,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: Buffer,
  nowMs: number,
): SignatureCheck {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return 'unsigned';
  // An Ed25519 signature is 64 bytes; anything else cannot verify, and Buffer.from would drop odd hex.
  if (!/^[0-9a-fA-F]{128}$/.test(signature)) return 'forged';
  if (!verify(null, Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), publicKey, Buffer.from(signature, 'hex'))) return 'forged';
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isFinite(seconds) || Math.abs(nowMs / 1000 - seconds) > MAX_CLOCK_DIFFERENCE_S) return 'stale';
  return 'ok';
}

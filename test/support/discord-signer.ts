import { generateKeyPairSync, sign } from 'node:crypto';

/**
 * Plays Discord's side of HTTP interactions: a fresh Ed25519 key pair, the public key as the
 * developer portal shows it (64 hex characters, for DISCORD_PUBLIC_KEY), and requests signed as
 * Discord signs them: `X-Signature-Ed25519` over `X-Signature-Timestamp` + the raw body
 * (https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers).
 */
export interface InteractionSigner {
  publicKeyHex: string;
  /** The hex signature of `timestamp + body`. */
  sign(timestamp: string, body: string): string;
  /** POSTs `payload` (an object, or a raw string) to `url` signed now, or as `overrides` say. */
  post(url: string, payload: object | string, overrides?: { timestamp?: string; signature?: string | null; headers?: Record<string, string> }): Promise<Response>;
}

export function createInteractionSigner(): InteractionSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const publicKeyHex = Buffer.from(jwk.x!, 'base64url').toString('hex');
  const signWith = (timestamp: string, body: string) => sign(null, Buffer.from(timestamp + body, 'utf8'), privateKey).toString('hex');
  return {
    publicKeyHex,
    sign: signWith,
    post(url, payload, overrides = {}) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const timestamp = overrides.timestamp ?? String(Math.floor(Date.now() / 1000));
      const signature = overrides.signature === undefined ? signWith(timestamp, body) : overrides.signature;
      return fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)',
          'x-signature-timestamp': timestamp,
          ...(signature === null ? {} : { 'x-signature-ed25519': signature }),
          ...overrides.headers,
        },
      });
    },
  };
}

import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * The DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410 section 4): SEQUENCE, the algorithm
 * identifier 1.3.101.112, then a BIT STRING of the 32 key bytes. Discord shows the application's
 * public key as those 32 bytes in hex (developer portal, General Information), and Node's crypto
 * takes a raw key only wrapped like this.
 */
const ED25519_SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The application's public key (`DISCORD_PUBLIC_KEY`, 64 hex characters) as a key for
 * `crypto.verify`. Throws an Error saying what is wrong with the text, for the start-up check.
 */
export function parseDiscordPublicKey(text: string): KeyObject {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error(`must be the 64 hex characters of the application's public key (Discord developer portal, General Information), got ${hex.length} characters`);
  }
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_HEADER, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
  } catch {
    throw new Error('is not a valid Ed25519 public key: copy the Public Key from the Discord developer portal, General Information');
  }
}

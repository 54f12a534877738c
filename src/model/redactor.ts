/**
 * Strips what must never reach a log line or a chat message from a piece of text: the user-info part
 * of any URL (`https://user:pass@host`, `redis://:pass@host`, `postgres://user:pass@host` all become
 * `scheme://[redacted]@host`) and every configured secret value, wherever it appears (an error
 * message, a stack, an echoed request).
 */
export type Redactor = (text: string) => string;

// Anchored on "://" (not on the scheme's letters), so a long run of word characters is never rescanned.
const URL_USER_INFO = /:\/\/[^\s/@?#]*@/g;
/** Shorter values would blank out ordinary words; no real token or password is this short. */
const MIN_SECRET_LENGTH = 6;

export function createRedactor(secrets: readonly string[]): Redactor {
  const values = [...new Set(secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  return (text) => {
    let result = text.includes('://') ? text.replace(URL_USER_INFO, '://[redacted]@') : text;
    for (const value of values) if (result.includes(value)) result = result.split(value).join('[redacted]');
    return result;
  };
}

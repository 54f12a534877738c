import { z } from 'zod';
import type { MoveTarget } from './move-version.js';
import { MAX_VERSION_NAME } from './next-version-name.js';

const MAX_ID = 2_147_483_647;
// Lower-case, as Postgres prints a uuid; a button only ever carries what the bot wrote.
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A version name typed by a person: printable, at most MAX_VERSION_NAME characters. */
export const versionName = z
  .string()
  .trim()
  .min(1, 'the version name is empty')
  .max(MAX_VERSION_NAME, `a version name here is at most ${MAX_VERSION_NAME} characters`)
  .refine((value) => !/[\p{Cc}]/u.test(value), 'a version name cannot hold control characters or line breaks');

/** A confirmation button's value, `<version uuid>:<application id>:<name>`; untrusted when it comes back. */
export const moveTargetValue = z
  .string()
  .regex(new RegExp(`^${UUID}:[1-9]\\d{0,9}:[^\\p{Cc}]{1,${MAX_VERSION_NAME}}$`, 'u'))
  .transform((value): MoveTarget => {
    const versionId = value.slice(0, 36);
    const rest = value.slice(37);
    const at = rest.indexOf(':');
    return { versionId, applicationId: Number(rest.slice(0, at)), name: rest.slice(at + 1) };
  })
  .refine((target) => target.applicationId <= MAX_ID && target.name.trim() === target.name && target.name !== '');

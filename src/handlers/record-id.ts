import { z } from 'zod';

/** A database id typed by a person: a positive whole number that fits Postgres' integer. */
export const recordId = (what: string) =>
  z.coerce
    .number({ error: `the ${what} id must be a number, e.g. 42` })
    .int(`the ${what} id must be a whole number, e.g. 42`)
    .positive(`the ${what} id must be a positive number, e.g. 42`)
    .max(2_147_483_647, `no ${what} has an id that large`);

/**
 * A record id carried in a button's value: exactly a positive whole number that fits Postgres'
 * integer, with no sign, spaces or leading zeros. Button values come back from the client, so
 * anything else was tampered with and is refused before the action runs.
 */
export const buttonRecordId = z
  .string()
  .regex(/^[1-9]\d{0,9}$/)
  .transform(Number)
  .refine((id) => id <= 2_147_483_647);

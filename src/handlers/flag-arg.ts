import { z } from 'zod';

/** A boolean option: a bare `--name` from text, a Discord boolean, or true/false/yes/no typed out. */
export const flagArg = z
  .union([z.boolean(), z.enum(['true', 'false', 'yes', 'no']).transform((value) => value === 'true' || value === 'yes')])
  .default(false);

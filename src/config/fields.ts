import { z } from 'zod';
import { validate as validateCron } from 'node-cron';
import { parseChannelRef } from '../model/channel-ref.js';

/** The kinds of value the environment variables hold, each with the message an operator sees when one is wrong. */

export const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

export const optionalUrl = optionalString.refine((value) => value === undefined || URL.canParse(value), {
  message: 'must be a full URL such as https://example.org/path',
});

export const channel = optionalString.refine((value) => value === undefined || parseChannelRef(value) !== null, {
  message: 'must be <platform>:<channel id>, e.g. slack:C0123456 or discord:123456789012345678',
});

export const cron = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((value) => validateCron(value), { message: 'must be a cron expression such as "* * * * *"' });

export const positiveInt = (fallback: number) =>
  z.coerce.number({ error: 'must be a whole number above 0' }).int('must be a whole number above 0').positive('must be a whole number above 0').default(fallback);

/** A threshold that may be left unset (empty or absent): no threshold then. */
export const optionalPositiveInt = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === '') return undefined;
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0) {
      ctx.addIssue({ code: 'custom', message: 'must be a whole number above 0, or empty for no threshold' });
      return z.NEVER;
    }
    return number;
  });

export const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/**
 * `<provider>=<minutes>` pairs, comma-separated: `Jetstream - TACC=120,7=45`. The provider is its id or
 * its name (`provider.location`, case-insensitive). Older clouds take up to two hours to leave
 * networking (staff guide), so the networking threshold is per provider.
 */
export const providerMinutes = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const pairs: { provider: string; minutes: number }[] = [];
    for (const item of value.split(',').map((part) => part.trim()).filter(Boolean)) {
      const at = item.lastIndexOf('=');
      const provider = at === -1 ? '' : item.slice(0, at).trim();
      const minutes = at === -1 ? NaN : Number(item.slice(at + 1).trim());
      if (provider === '' || !Number.isInteger(minutes) || minutes <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not <provider id or name>=<minutes>, e.g. Jetstream - TACC=120` });
        continue;
      }
      pairs.push({ provider, minutes });
    }
    return pairs;
  });
/** An IANA time zone name the runtime knows (`America/Phoenix`). */
export const timeZone = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine(
      (value) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: value });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be an IANA time zone such as America/Phoenix or UTC' },
    );


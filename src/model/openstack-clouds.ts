import { z } from 'zod';

/**
 * `OPENSTACK_CLOUDS`: one OpenStack cloud per Atmosphere provider, keyed by `provider.id`, with a
 * Keystone application credential, the same fields a clouds.yaml entry holds. Atmosphere itself
 * reaches Glance through the provider's admin identity (`get_account_driver`); the bot is given its
 * own credential instead, so it never reads secrets out of `provider.cloud_config`.
 *
 *   {"4": {"auth_url": "https://keystone.example.org:5000/v3",
 *          "application_credential_id": "…", "application_credential_secret": "…",
 *          "region_name": "RegionOne"}}
 */
export interface OpenStackCloud {
  providerId: number;
  authUrl: string;
  applicationCredentialId: string;
  applicationCredentialSecret: string;
  regionName: string | undefined;
  /** The catalog interface to use: `public` unless said otherwise. */
  interface: 'public' | 'internal' | 'admin';
}

const cloudEntry = z.object({
  auth_url: z.string().refine((value) => URL.canParse(value), 'auth_url must be a full URL such as https://keystone.example.org:5000/v3'),
  application_credential_id: z.string().min(1, 'application_credential_id is required'),
  application_credential_secret: z.string().min(1, 'application_credential_secret is required'),
  region_name: z.string().min(1).optional(),
  interface: z.enum(['public', 'internal', 'admin']).optional(),
});

export const openstackClouds = z
  .string()
  .trim()
  .default('')
  .transform((value, ctx): OpenStackCloud[] => {
    if (value === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON: {"<provider id>": {"auth_url": …, "application_credential_id": …, "application_credential_secret": …}}' });
      return [];
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object keyed by provider id' });
      return [];
    }
    const clouds: OpenStackCloud[] = [];
    for (const [key, entry] of Object.entries(parsed)) {
      if (!/^[1-9]\d{0,9}$/.test(key)) {
        ctx.addIssue({ code: 'custom', message: `"${key}" is not a provider id (a positive whole number)` });
        continue;
      }
      const result = cloudEntry.safeParse(entry);
      if (!result.success) {
        for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: `provider ${key}: ${issue.path.join('.') || 'entry'}: ${issue.message}` });
        continue;
      }
      clouds.push({
        providerId: Number(key),
        authUrl: result.data.auth_url,
        applicationCredentialId: result.data.application_credential_id,
        applicationCredentialSecret: result.data.application_credential_secret,
        regionName: result.data.region_name,
        interface: result.data.interface ?? 'public',
      });
    }
    return clouds;
  });

/**
 * `IMAGE_REPLICA_PROVIDERS`-style lists: provider ids or names (`provider.location`), comma-separated.
 */
export const providerList = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));

import type { Config } from '../config.js';

const TOKEN_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DISCORD_TOKEN',
  'ATMOSPHERE_API_TOKEN',
  'GITHUB_TOKEN',
  'STATUSIO_API_KEY',
  'DOCKER_HUB_TOKEN',
  'FLOWER_PASSWORD',
  'ARGO_TOKEN',
] as const;
const URL_VARIABLES = ['DATABASE_URL', 'TROPOSPHERE_DATABASE_URL', 'REDIS_URL', 'ATMOSPHERE_API_URL', 'ATMOSPHERE_WEB_URL', 'SLACK_API_URL', 'DISCORD_API_URL', 'GITHUB_API_URL', 'STATUSIO_API_URL', 'DOCKER_HUB_URL', 'FLOWER_URL', 'ARGO_SERVER_URL'] as const;

/**
 * Every secret value in the configuration: the tokens, and passwords inside URLs (user names are
 * not secret, and one such as "postgres" would blank out ordinary words; in a URL the whole
 * user-info part is stripped anyway).
 */
export function configSecrets(config: Config): string[] {
  const secrets: string[] = [];
  for (const name of TOKEN_VARIABLES) {
    const value = config[name];
    if (value) secrets.push(value);
  }
  for (const cloud of config.OPENSTACK_CLOUDS) secrets.push(cloud.applicationCredentialSecret);
  for (const name of URL_VARIABLES) {
    const value = config[name];
    if (!value || !URL.canParse(value)) continue;
    const url = new URL(value);
    if (url.password) secrets.push(url.password, decodeURIComponent(url.password));
  }
  return secrets;
}

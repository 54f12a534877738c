import { parseDiscordPublicKey } from '../model/discord-public-key.js';
import { isDockerHubImageName } from '../model/docker-image-name.js';

/**
 * Checks between variables. They run on the raw environment, beside the per-variable checks, so an
 * operator sees every problem in one go rather than one round per fix.
 */
export function crossCheck(env: Record<string, string | undefined>): string[] {
  const has = (name: string) => (env[name]?.trim() ?? '') !== '';
  const problems: string[] = [];
  const pairs: [string, string, string][] = [
    ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'Slack over HTTP needs both the bot token and the signing secret'],
    ['ATMOSPHERE_API_URL', 'ATMOSPHERE_API_TOKEN', 'the Atmosphere API needs both its URL and a staff token'],
    ['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'Discord needs both the bot token and the application id'],
    ['STATUSIO_API_ID', 'STATUSIO_API_KEY', 'status.io needs the API id, the API key and the page id'],
    ['STATUSIO_API_KEY', 'STATUSIO_PAGE_ID', 'status.io needs the API id, the API key and the page id'],
    ['ARGO_SERVER_URL', 'ARGO_TOKEN', 'Argo Server needs both its URL and a bearer token'],
    ['FLOWER_USER', 'FLOWER_PASSWORD', "Flower's API needs both the --basic_auth user and its password"],
  ];
  for (const [a, b, message] of pairs) {
    // Socket Mode replaces the signing secret, so the Slack pair only applies without an app token.
    if (a === 'SLACK_BOT_TOKEN' && has('SLACK_APP_TOKEN')) continue;
    if (has(a) !== has(b)) problems.push(`${has(a) ? b : a}: ${message}`);
  }
  if (env.DISCORD_MODE?.trim() === 'http') {
    if (!has('DISCORD_PUBLIC_KEY')) {
      problems.push("DISCORD_PUBLIC_KEY: DISCORD_MODE=http needs the application's public key (developer portal, General Information, Public Key) to check each interaction's signature");
    }
    if (!has('DISCORD_TOKEN') && !has('DISCORD_APPLICATION_ID')) problems.push('DISCORD_TOKEN: DISCORD_MODE=http needs DISCORD_TOKEN and DISCORD_APPLICATION_ID too');
  }
  if (has('DISCORD_PUBLIC_KEY')) {
    try {
      parseDiscordPublicKey(env.DISCORD_PUBLIC_KEY!);
    } catch (error) {
      problems.push(`DISCORD_PUBLIC_KEY: ${(error as Error).message}`);
    }
  }
  if (has('SLACK_APP_TOKEN') && !has('SLACK_BOT_TOKEN')) problems.push('SLACK_BOT_TOKEN: Socket Mode (SLACK_APP_TOKEN) also needs SLACK_BOT_TOKEN');
  const repos = (env.RELEASE_REPOS ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  if (has('GITHUB_TOKEN') && repos.length === 0) problems.push('RELEASE_REPOS: list the repositories to release, e.g. cyverse/atmosphere,cyverse/troposphere');
  for (const repo of repos) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) problems.push(`RELEASE_REPOS: "${repo}" is not owner/name`);
  }
  for (const image of (env.RELEASE_IMAGES ?? '').split(',').map((item) => item.trim()).filter(Boolean)) {
    if (!isDockerHubImageName(image)) problems.push(`RELEASE_IMAGES: "${image}" is not a Docker Hub image name such as cyverse/atmosphere`);
  }
  if (has('FLOWER_USER') && !has('FLOWER_URL')) problems.push("FLOWER_URL: FLOWER_USER is set but FLOWER_URL is not; give Flower's address, e.g. https://atmo.example.org/flower");
  if (has('TROPOSPHERE_DATABASE_URL') && !has('DATABASE_URL')) {
    problems.push('DATABASE_URL: TROPOSPHERE_DATABASE_URL is set but DATABASE_URL is not; set both or neither');
  }
  return problems;
}


/** A setting that is valid but does nothing, or less than the operator probably meant. */
export interface ConfigWarning {
  variable: string;
  message: string;
}

/** The settings the warnings look at: a part of the parsed configuration. */
export interface WarnedSettings {
  SLACK_BOT_TOKEN?: string | undefined;
  DISCORD_TOKEN?: string | undefined;
  DISCORD_GUILD_ID?: string | undefined;
  DISCORD_MODE?: 'gateway' | 'http' | undefined;
  DISCORD_PUBLIC_KEY?: string | undefined;
  ALERT_CHANNEL?: string | undefined;
  ANNOUNCE_CHANNEL?: string | undefined;
  BOT_ADMINS: readonly string[];
}

/** What a bot admin's id looks like on each platform (as its adapter reports the user). */
const ADMIN_ID: Record<string, RegExp> = {
  slack: /^[UW][A-Z0-9]{2,}$/,
  discord: /^\d{5,20}$/,
  console: /^[\w.@+-]{1,64}$/,
};

/**
 * Settings the bot accepts but that silently do nothing, said at start-up (STYLE 10: operator
 * mistakes get operator instructions). Unlike ConfigError these do not stop the bot: each is a
 * legitimate, if unlikely, choice.
 */
export function configWarnings(config: WarnedSettings): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const chats = [config.SLACK_BOT_TOKEN ? 'Slack' : null, config.DISCORD_TOKEN ? 'Discord' : null].filter((name): name is string => name !== null);
  if (chats.length > 0 && !config.ALERT_CHANNEL) {
    warnings.push({
      variable: 'ALERT_CHANNEL',
      message:
        `${chats.join(' and ')} ${chats.length > 1 ? 'are' : 'is'} configured but ALERT_CHANNEL is not: alert threads for errored or stuck requests and instances, ` +
        `resource-request reminders, the imaging queue's notices and the replica report are posted nowhere` +
        `${config.ANNOUNCE_CHANNEL ? ' (maintenance reminders go to ANNOUNCE_CHANNEL)' : ', nor are maintenance reminders'}. ` +
        'Set it to slack:<channel id> or discord:<channel id>.',
    });
  }
  if (config.DISCORD_TOKEN && !config.DISCORD_GUILD_ID) {
    warnings.push({
      variable: 'DISCORD_GUILD_ID',
      message:
        'Discord is configured without DISCORD_GUILD_ID, so the bot registers no /atmo command at start-up: users see none unless the commands ' +
        'are registered globally for the application, or in a server with `npm run discord:register` (which needs DISCORD_GUILD_ID set).',
    });
  }
  if (config.DISCORD_PUBLIC_KEY && config.DISCORD_MODE !== 'http') {
    warnings.push({
      variable: 'DISCORD_MODE',
      message:
        'DISCORD_PUBLIC_KEY is set but DISCORD_MODE is gateway, so /discord/interactions is not served and the key is unused. Set DISCORD_MODE=http ' +
        'to take interactions over HTTP (and the Interactions Endpoint URL in the developer portal), or leave the key out.',
    });
  }
  for (const entry of config.BOT_ADMINS) {
    const match = /^([a-z]+):(.+)$/.exec(entry);
    const pattern = match ? ADMIN_ID[match[1]!] : undefined;
    if (match && pattern?.test(match[2]!)) continue;
    const why = !match
      ? 'is not platform:id'
      : !pattern
        ? `names the platform "${match[1]}", which is none of slack, discord, console`
        : `is not a ${match[1]} user id`;
    warnings.push({
      variable: 'BOT_ADMINS',
      message: `BOT_ADMINS entry "${entry.slice(0, 80)}" ${why}, so it makes nobody a bot admin. Write platform:id, e.g. slack:U0123ABC or discord:123456789012345678.`,
    });
  }
  return warnings;
}

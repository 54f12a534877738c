import { fileURLToPath } from 'node:url';
import { atmobot } from './bot-schema/atmobot.js';

/** The bot's migrations as drizzle-kit generates them (`drizzle/` at the project root). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** drizzle records what it applied in `atmobot.__drizzle_migrations`, inside the bot's own schema. */
export const MIGRATIONS_SCHEMA = atmobot.schemaName;
export const MIGRATIONS_TABLE = '__drizzle_migrations';

import { defineConfig } from 'drizzle-kit';

// Only the bot's own schema is generated. Atmosphere and Troposphere tables belong to Django and are
// mapped by hand in src/db/atmosphere-schema.ts and troposphere-schema.ts, outside this glob.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/bot-schema/*.ts',
  out: './drizzle',
  schemaFilter: ['atmobot'],
});

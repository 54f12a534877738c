import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from './client.js';
import { seedDemoData } from './demo-data.js';
import { loadAtmosphereSchema, loadTroposphereSchema } from './load-schema.js';
import { migrateBotSchema } from './migrate.js';

export interface DemoLoadReport {
  atmosphereSchema: 'loaded' | 'present';
  demoData: 'seeded' | 'had users';
  troposphereSchema: 'loaded' | 'present' | 'not configured';
}

/** node-postgres and PGlite results both carry `rows`. */
function firstRow<T>(result: unknown): T | undefined {
  return (result as { rows?: T[] }).rows?.[0];
}

async function hasTable(handle: DatabaseHandle, qualified: string): Promise<boolean> {
  const row = firstRow<{ present: boolean }>(await handle.db.execute(sql`select to_regclass(${qualified}) is not null as present`));
  return row?.present === true;
}

async function userCount(handle: DatabaseHandle): Promise<number> {
  const row = firstRow<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from public.atmosphere_user`));
  return row?.n ?? 0;
}

/**
 * FOR A DEMO OR TRIAL POSTGRES ONLY (compose.yaml): gives empty Atmosphere and Troposphere databases
 * the real schemas, the demo cloud the embedded mode shows, and the bot's own tables. Each step is
 * skipped when its tables are already there, and the demo rows only go into a database without users,
 * so pointed at a real Atmosphere it changes nothing of Atmosphere's.
 */
export async function loadDemoDatabases(atmosphere: DatabaseHandle, troposphere: DatabaseHandle | null, now: Date): Promise<DemoLoadReport> {
  const atmosphereSchema = (await hasTable(atmosphere, 'public.atmosphere_user')) ? 'present' : 'loaded';
  await loadAtmosphereSchema(atmosphere);
  const demoData = (await userCount(atmosphere)) > 0 ? 'had users' : 'seeded';
  await seedDemoData(atmosphere.db, now);
  await migrateBotSchema(atmosphere);
  let troposphereSchema: DemoLoadReport['troposphereSchema'] = 'not configured';
  if (troposphere) {
    troposphereSchema = (await hasTable(troposphere, 'public.api_maintenancerecord')) ? 'present' : 'loaded';
    await loadTroposphereSchema(troposphere);
  }
  return { atmosphereSchema, demoData, troposphereSchema };
}

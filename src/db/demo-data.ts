import { atmosphereUser } from './atmosphere-schema.js';
import type { Database } from './client.js';
import { seedAccounts } from './demo/seed-accounts.js';
import { seedContext } from './demo/seed-context.js';
import { seedInstances } from './demo/seed-instances.js';
import { seedLookups } from './demo/seed-lookups.js';
import { seedProviders } from './demo/seed-providers.js';
import { seedRequests } from './demo/seed-requests.js';

// Writes the demo cloud of demo/demo-catalogue.ts into an empty embedded database, in one
// transaction. The steps run in the order Atmosphere's foreign keys need, and always in this order,
// so every table's sequence hands out the same ids on every seed.

export { DEMO_ERRORS, demoUuid } from './demo/demo-catalogue.js';

/**
 * Fills an EMPTY embedded Atmosphere database with a small, realistic cloud: three OpenStack providers,
 * staff and ordinary users (two active accounts whose e-mails differ only by case, one disabled),
 * identities, quotas and allocation sources, resource requests and imaging requests in every state the
 * staff guide describes (with its real error texts), and instances healthy, stuck and failed.
 * Does nothing when `atmosphere_user` has any row. Deterministic: the same `now` gives the same rows,
 * every date is relative to `now`, and ids come from the tables' own sequences. Says whether it seeded.
 */
export async function seedDemoData(db: Database, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: atmosphereUser.id }).from(atmosphereUser).limit(1);
    if (existing) return false;
    const ctx = seedContext(tx, now);
    const lookups = await seedLookups(ctx);
    const providers = await seedProviders(ctx, lookups);
    const accounts = await seedAccounts(ctx, providers);
    const instances = await seedInstances(ctx, { lookups, providers, accounts });
    await seedRequests(ctx, { lookups, providers, accounts, instances });
    return true;
  });
}

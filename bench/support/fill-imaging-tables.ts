import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { TEST_NOW } from '../../test/support/databases.js';

/** How many of the bulk requests are unfinished: a third errored, a third pending, a third started. */
const ACTIVE_EXTRA = 30;

/**
 * Grows a demo database to `rows` machine requests and `rows` instance status history rows, in SQL
 * with generate_series: copies of the first demo rows (so every foreign key points at a real row),
 * all completed except `ACTIVE_EXTRA` (errored in `processing`, `pending`, and `started`, which holds
 * the imaging slot). Returns an errored request (to change every tick) and a pending one (to queue).
 */
export async function fillImagingTables(db: Database, rows: number): Promise<{ erroredId: number; queuedId: number }> {
  await db.execute(sql`
    insert into machine_request (uuid, admin_message, start_date, end_date, old_status, new_application_name,
      new_application_description, new_application_visibility, access_list, system_files, installed_software,
      exclude_files, new_version_name, new_version_change_log, new_version_tags, new_version_memory_min,
      new_version_cpu_min, new_version_allow_imaging, new_version_forked, created_by_id, instance_id, membership_id,
      new_machine_owner_id, new_machine_provider_id, parent_machine_id, status_id)
    select gen_random_uuid(), '', ${TEST_NOW}::timestamptz - g * interval '1 minute',
      case when g <= ${ACTIVE_EXTRA} then null else ${TEST_NOW}::timestamptz - g * interval '1 minute' + interval '1 hour' end,
      case when g <= ${ACTIVE_EXTRA / 3} then '(processing - 9a1f) - ERROR - AttributeError("''NoneType'' object has no attribute ''id''",) Exception:x'
           when g <= ${ACTIVE_EXTRA} then 'pending' else 'completed' end,
      'bulk image ' || g, 'Description Missing', 'private', '', '', '', '', '1.0', 'Changelog Missing', '', 0, 0, true, true,
      t.created_by_id, t.instance_id, t.membership_id, t.new_machine_owner_id, t.new_machine_provider_id, t.parent_machine_id,
      (select min(id) from status_type where name =
        case when g <= ${ACTIVE_EXTRA / 3} then 'processing' when g <= ${(2 * ACTIVE_EXTRA) / 3} then 'pending'
             when g <= ${ACTIVE_EXTRA} then 'started' else 'completed' end)
    from generate_series(1, ${rows}) g, (select * from machine_request order by id limit 1) t`);
  await db.execute(sql`
    insert into instance_status_history (uuid, activity, start_date, end_date, instance_id, size_id, status_id, extra)
    select gen_random_uuid(), null, ${TEST_NOW}::timestamptz - g * interval '1 minute', ${TEST_NOW}::timestamptz - (g - 1) * interval '1 minute',
      t.instance_id, t.size_id, t.status_id, null
    from generate_series(1, ${rows}) g, (select * from instance_status_history order by id limit 1) t`);
  // Production tables are vacuumed and have planner statistics; a fresh bulk load has neither until
  // autovacuum comes by, and would then be vacuumed in the middle of the measured ticks.
  await db.execute(sql`vacuum analyze machine_request`);
  await db.execute(sql`vacuum analyze instance_status_history`);
  const idOf = async (name: string) => {
    const result = await db.execute(sql`select min(id) as id from machine_request where new_application_name = ${name}`);
    return Number((result as unknown as { rows: { id: number }[] }).rows[0]?.id);
  };
  return { erroredId: await idOf('bulk image 1'), queuedId: await idOf(`bulk image ${ACTIVE_EXTRA / 2}`) };
}

import type pg from 'pg';

/** How many troubled instances the load plants; the same in every size, so only the table size varies. */
export const TROUBLED_INSTANCES = 40;

/**
 * Grows a database holding the demo data by `historyRows` rows of `instance_status_history`: one
 * instance per ten rows (nine ended rows, then the current one), owned by the demo's users, on its
 * image sources and sizes. All current rows are green-light active except TROUBLED_INSTANCES, which
 * are spread over networking, deploying, deploy_error, active/user_deploy_error and error. Plain
 * generate_series, ids from the sequences (no arithmetic that could overflow an integer).
 */
export async function loadInstanceHistory(pool: pg.Pool, historyRows: number): Promise<number> {
  const started = performance.now();
  const instances = Math.max(TROUBLED_INSTANCES * 2, Math.floor(historyRows / 10));
  await pool.query(`
    insert into public.instance (name, token, provider_alias, ip_address, shell, vnc, web_desktop, start_date, created_by_id, source_id)
    select 'bench-vm-' || g, null, gen_random_uuid()::text, null, true, false, false, now() - interval '30 days' - (g % 900) * interval '1 hour',
           (select id from public.atmosphere_user order by id offset (g % 8) limit 1),
           (select id from public.instance_source order by id offset (g % 4) limit 1)
    from generate_series(1, ${instances}) g`);
  await pool.query(`
    with vm as (select id, start_date, row_number() over (order by id) as n from public.instance where name like 'bench-vm-%'),
         st as (select name, min(id) as id from public.instance_status group by name),
         sz as (select min(id) as id from public.size)
    insert into public.instance_status_history (uuid, activity, start_date, end_date, instance_id, size_id, status_id)
    select gen_random_uuid(),
           case when k < 10 then null when vm.n % ${Math.floor(instances / TROUBLED_INSTANCES)} <> 0 or vm.n > ${Math.floor(instances / TROUBLED_INSTANCES) * TROUBLED_INSTANCES} then null
                else (array['networking', 'deploying', 'deploy_error', 'user_deploy_error', null])[1 + (vm.n / ${Math.floor(instances / TROUBLED_INSTANCES)})::int % 5] end,
           vm.start_date + (k - 1) * interval '2 days',
           case when k < 10 then vm.start_date + k * interval '2 days' else null end,
           vm.id, (select id from sz),
           (select id from st where st.name = case
              when k < 10 then (array['build', 'networking', 'deploying', 'active', 'suspended', 'active', 'shutoff', 'active', 'active'])[k]
              when vm.n % ${Math.floor(instances / TROUBLED_INSTANCES)} <> 0 or vm.n > ${Math.floor(instances / TROUBLED_INSTANCES) * TROUBLED_INSTANCES} then 'active'
              else (array['networking', 'deploying', 'deploy_error', 'active', 'error'])[1 + (vm.n / ${Math.floor(instances / TROUBLED_INSTANCES)})::int % 5] end)
    from vm cross join generate_series(1, 10) k`);
  await pool.query('analyze public.instance; analyze public.instance_status_history');
  return (performance.now() - started) / 1000;
}

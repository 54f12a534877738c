import type pg from 'pg';

/** How much data the query benchmark runs against. */
export interface BulkSize {
  users: number;
  resourceRequests: number;
  /** Each instance gets `historyPerInstance` status history rows. */
  instances: number;
  historyPerInstance: number;
}

export const PRODUCTION_SIZE: BulkSize = { users: 5_000, resourceRequests: 1_000_000, instances: 200_000, historyPerInstance: 5 };

/**
 * Statements that grow a database holding the demo data to a production-like size, all in SQL with
 * generate_series so a million rows load in seconds. They reuse the demo's status types (inserted in
 * a shuffled order, as Atmosphere's lazily created ones are), providers, sizes and image sources.
 * Requests: 2 % pending (spread over every age), 70 % approved, 20 % denied, 8 % closed.
 */
export function bulkLoadStatements(size: BulkSize): { label: string; sql: string }[] {
  return [
    {
      label: `${size.users} users`,
      sql: `insert into public.atmosphere_user (password, is_superuser, uuid, username, first_name, last_name, email, is_staff, is_active, date_joined, last_login)
        select '!', false, gen_random_uuid(), 'bench' || g, 'Bench', 'User ' || g, 'bench' || g || '@example.org', false, true,
               now() - (g % 3000) * interval '1 day', now() - (g % 90) * interval '1 day'
        from generate_series(1, ${size.users}) g`,
    },
    {
      label: 'identities on 3 providers, one quota each',
      sql: `with u as (select id, row_number() over (order by id) - 1 as n from public.atmosphere_user where username like 'bench%'),
             p as (select id, row_number() over (order by id) - 1 as k from (select id from public.provider order by id limit 3) s),
             q as (insert into public.quota (uuid, cpu, memory, storage, instance_count, snapshot_count, storage_count, floating_ip_count, port_count)
                   select gen_random_uuid(), 16, 128, 1000, 10, 10, 10, 10, 10 from u cross join p returning id),
             qn as (select id, row_number() over (order by id) - 1 as m from q)
        insert into public.identity (uuid, created_by_id, provider_id, quota_id)
        select gen_random_uuid(), u.id, p.id, qn.id from u cross join p join qn on qn.m = u.n * 3 + p.k`,
    },
    {
      label: `${size.resourceRequests} resource requests`,
      sql: `with base as (select min(id) as first from public.atmosphere_user where username like 'bench%'),
             r as (select g, case when g % 50 = 0 then 'pending' when g % 10 < 7 then 'approved' when g % 10 < 9 then 'denied' else 'closed' end as s
                   from generate_series(1, ${size.resourceRequests}) g)
        insert into public.resource_request (uuid, admin_message, start_date, end_date, request, description, created_by_id, status_id)
        select gen_random_uuid(), case when r.s = 'pending' then '' else 'Thanks, done.' end,
               now() - (${size.resourceRequests} - r.g) * interval '40 minutes',
               case when r.s = 'pending' then null else now() - (${size.resourceRequests} - r.g) * interval '40 minutes' + interval '2 days' end,
               'cpu: 16, memory: 64 GB', 'Bench request ' || r.g || ' for a course of twenty students.',
               -- bigint: g * 7919 passes int4's 2^31 once g is above about 271,000.
               base.first + ((r.g::bigint * 7919) % ${size.users})::int, st.id
        from r cross join base join public.status_type st on st.name = r.s`,
    },
    {
      label: `${size.instances} instances`,
      sql: `with base as (select min(id) as first from public.atmosphere_user where username like 'bench%'),
             src as (select min(id) as id from public.instance_source)
        insert into public.instance (name, provider_alias, shell, vnc, web_desktop, start_date, end_date, created_by_id, source_id)
        select 'bench-' || g, gen_random_uuid()::text, false, false, false,
               now() - (g % 2000) * interval '1 day', case when g % 4 = 0 then null else now() - (g % 2000) * interval '1 day' + interval '5 hours' end,
               base.first + g % ${size.users}, src.id
        from generate_series(1, ${size.instances}) g cross join base cross join src`,
    },
    {
      label: `${size.instances * size.historyPerInstance} instance status history rows`,
      sql: `with statuses as (select array_agg(id order by id) as ids from public.instance_status),
             sz as (select min(id) as id from public.size)
        insert into public.instance_status_history (uuid, activity, start_date, end_date, instance_id, size_id, status_id, extra)
        select gen_random_uuid(), '', i.start_date + k * interval '1 hour',
               case when k < ${size.historyPerInstance - 1} then i.start_date + (k + 1) * interval '1 hour' end,
               i.id, sz.id, statuses.ids[1 + (i.id + k) % array_length(statuses.ids, 1)], null
        from public.instance i cross join generate_series(0, ${size.historyPerInstance - 1}) k cross join statuses cross join sz
        where i.name like 'bench-%'`,
    },
  ];
}

/** Runs the statements, then ANALYZE so the planner sees the real sizes. Returns seconds per step. */
export async function bulkLoad(pool: pg.Pool, size: BulkSize): Promise<{ label: string; seconds: number }[]> {
  const timings: { label: string; seconds: number }[] = [];
  for (const step of bulkLoadStatements(size)) {
    const started = performance.now();
    await pool.query(step.sql);
    timings.push({ label: step.label, seconds: (performance.now() - started) / 1000 });
  }
  // Production tables are vacuumed (visibility map set, so counts can be index-only) and analysed.
  const started = performance.now();
  await pool.query('vacuum analyze');
  timings.push({ label: 'vacuum analyze', seconds: (performance.now() - started) / 1000 });
  return timings;
}

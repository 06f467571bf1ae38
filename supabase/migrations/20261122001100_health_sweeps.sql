-- Scheduled health sweeps. Sweepers (the `health-sweep` edge function, called by pg_cron on
-- hosted Supabase and by a timer in the local stack) claim the providers that are due with
-- FOR UPDATE SKIP LOCKED leases, check them, and record the results; several may run at
-- once without checking a provider twice in a round. An unattended check marks a provider
-- failed only after the organization's threshold of consecutive failures; every change of
-- status becomes a provider_status_events row (and, as before, an audit event).

-- ---------------------------------------------------------------------------------------
-- Per-organization settings (admins change them through the existing update policy)

alter table public.organizations
  add column health_check_interval_minutes integer not null default 15,
  add column health_failure_threshold integer not null default 2,
  add constraint organizations_health_check_interval check (health_check_interval_minutes between 5 and 1440),
  add constraint organizations_health_failure_threshold check (health_failure_threshold between 1 and 10);
comment on column public.organizations.health_check_interval_minutes is 'How often scheduled sweeps check each provider: 5 minutes to 24 hours.';
comment on column public.organizations.health_failure_threshold is 'Consecutive failed scheduled checks before a provider is marked failed (1–10). A check a person runs counts at once.';
grant update (health_check_interval_minutes, health_failure_threshold) on public.organizations to authenticated;

-- ---------------------------------------------------------------------------------------
-- When each provider is due, who holds it, and its failure streak. Kept beside
-- cloud_providers rather than in it, so leases and streaks neither bump updated_at nor
-- show up in the audit log as provider edits.

create table public.provider_check_schedule (
  provider_id uuid primary key references public.cloud_providers (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  next_check_at timestamptz not null,
  consecutive_failures integer not null default 0,
  leased_by text,
  leased_until timestamptz
);
comment on table public.provider_check_schedule is 'One row per provider, maintained by triggers: when the next scheduled check is due, the current failure streak, and the sweeper lease.';
comment on column public.provider_check_schedule.next_check_at is 'last_checked_at + the organization''s interval; now() when never checked, just resumed or rotated (pending); infinity while suspended.';
comment on column public.provider_check_schedule.leased_until is 'A sweeper holds the provider until then; a crashed sweeper''s claim returns when it passes.';
-- Claims read the due end of this index only, in its order.
create index provider_check_schedule_due_idx on public.provider_check_schedule (next_check_at, provider_id);
create index provider_check_schedule_org_idx on public.provider_check_schedule (organization_id);

alter table public.provider_check_schedule enable row level security;
revoke all on public.provider_check_schedule from anon, authenticated;
-- The lease columns are the sweepers' business, not the organization's.
grant select (provider_id, organization_id, next_check_at, consecutive_failures) on public.provider_check_schedule to authenticated;
create policy "Members can view the check schedule of their organization"
  on public.provider_check_schedule for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));

-- The one rule for when a provider is next due: never while suspended, one interval after
-- its last check, and now when it was never checked.
create function private.next_check_at(status public.provider_status, last_checked_at timestamptz, interval_minutes integer)
returns timestamptz
language sql
stable
set search_path = ''
as $$
  select case when status = 'suspended' then 'infinity'::timestamptz
              else coalesce(last_checked_at + make_interval(mins => interval_minutes), now()) end
$$;

insert into public.provider_check_schedule (provider_id, organization_id, next_check_at)
select p.id, p.organization_id, private.next_check_at(p.status, p.last_checked_at, o.health_check_interval_minutes)
from public.cloud_providers p
join public.organizations o on o.id = p.organization_id;

-- Keeps a provider's schedule in step with its status and last check: created with the
-- provider; suspended → never due; pending (resumed, or credentials rotated) → due now with
-- a fresh streak; otherwise due one interval after the last check.
create function private.cloud_providers_schedule()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into public.provider_check_schedule (provider_id, organization_id, next_check_at)
    select new.id, new.organization_id, private.next_check_at(new.status, new.last_checked_at, o.health_check_interval_minutes)
    from public.organizations o where o.id = new.organization_id;
    return null;
  end if;
  update public.provider_check_schedule s set
    next_check_at = case
      when new.status = 'pending' and old.status is distinct from 'pending' then now()
      else private.next_check_at(new.status, new.last_checked_at, o.health_check_interval_minutes)
    end,
    consecutive_failures = case when new.status = 'pending' and old.status is distinct from 'pending' then 0 else s.consecutive_failures end
  from public.organizations o
  where s.provider_id = new.id and o.id = new.organization_id;
  return null;
end
$$;
create trigger cloud_providers_schedule after insert or update of status, last_checked_at on public.cloud_providers
  for each row execute function private.cloud_providers_schedule();

-- A new interval applies at once: each provider becomes due one new interval after its last
-- check (a pending one keeps its earlier turn).
create function private.organizations_reschedule_checks()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.provider_check_schedule s set
    next_check_at = case
      when p.status = 'pending' then least(s.next_check_at, private.next_check_at(p.status, p.last_checked_at, new.health_check_interval_minutes))
      else private.next_check_at(p.status, p.last_checked_at, new.health_check_interval_minutes)
    end
  from public.cloud_providers p
  where s.organization_id = new.id and p.id = s.provider_id and p.status <> 'suspended';
  return null;
end
$$;
create trigger organizations_reschedule_checks after update of health_check_interval_minutes on public.organizations
  for each row when (old.health_check_interval_minutes is distinct from new.health_check_interval_minutes)
  execute function private.organizations_reschedule_checks();

-- ---------------------------------------------------------------------------------------
-- Status changes, readable by everyone in the organization (the audit log is for admins).

create table public.provider_status_events (
  id bigint generated always as identity primary key,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  provider_id uuid not null references public.cloud_providers (id) on delete cascade,
  from_status public.provider_status not null,
  to_status public.provider_status not null,
  health_check_id bigint references public.provider_health_checks (id) on delete set null,
  consecutive_failures integer not null default 0,
  error_code text,
  error_message text,
  actor_id uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table public.provider_status_events is 'Every change of a provider''s status: the check that caused it (health_check_id, with its trigger) or the person (actor_id: suspend, resume, rotate). No secrets: codes and provider messages only.';
create index provider_status_events_provider_idx on public.provider_status_events (provider_id, created_at desc);
create index provider_status_events_org_idx on public.provider_status_events (organization_id, created_at desc);
create index provider_status_events_check_idx on public.provider_status_events (health_check_id);

alter table public.provider_status_events enable row level security;
revoke all on public.provider_status_events from anon, authenticated;
grant select on public.provider_status_events to authenticated;
create policy "Members can view status changes in their organization"
  on public.provider_status_events for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));

create function private.cloud_providers_status_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.provider_status_events (organization_id, provider_id, from_status, to_status, health_check_id, consecutive_failures,
                                             error_code, error_message, actor_id)
  values (
    new.organization_id, new.id, old.status, new.status,
    -- record_health_check inserts the check, then moves the status: the latest check is the cause.
    case when new.last_checked_at is distinct from old.last_checked_at then
      (select c.id from public.provider_health_checks c where c.provider_id = new.id order by c.checked_at desc, c.id desc limit 1)
    end,
    coalesce((select s.consecutive_failures from public.provider_check_schedule s where s.provider_id = new.id), 0),
    case when new.status = 'failed' then new.last_error_code end,
    case when new.status = 'failed' then new.last_error_message end,
    (select auth.uid())
  );
  return null;
end
$$;
create trigger cloud_providers_status_event after update of status on public.cloud_providers
  for each row when (old.status is distinct from new.status)
  execute function private.cloud_providers_status_event();

-- ---------------------------------------------------------------------------------------
-- Recording a check. Same signature and result as before (connectivity.ts and the API call
-- it); what changed is the status rule and the schedule bookkeeping:
--   success                    → healthy, streak reset;
--   failure of a check a person ran (manual, api, save) → failed at once: they asked, they
--                                 see what it saw;
--   failure of a scheduled check → failed once the streak reaches the organization's
--                                 threshold; until then the status stays and last_error_*
--                                 tell what the last check saw.
-- A suspended provider keeps its status. 'scheduled' checks also release the sweeper lease,
-- and only the service role may record them.

create or replace function private.record_health_check(
  provider uuid, ok boolean, latency_ms integer, identity jsonb, error_code text, error_message text, error_hint text, trigger text
)
returns public.provider_health_checks
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.require_live_access(provider);
  kind text := coalesce(trigger, 'manual');
  scheduled boolean := kind = 'scheduled';
  recorded public.provider_health_checks;
  streak integer;
  threshold integer;
begin
  if scheduled and (select auth.role()) is distinct from 'service_role' then
    raise exception 'Only the scheduled sweep records scheduled checks' using errcode = '42501';
  end if;
  insert into public.provider_health_checks (organization_id, provider_id, ok, latency_ms, identity, error_code, error_message, error_hint, trigger, triggered_by)
  values (org, provider, ok, latency_ms, identity, error_code, left(error_message, 1000), left(error_hint, 1000), kind, (select auth.uid()))
  returning * into recorded;

  update public.provider_check_schedule s set
    consecutive_failures = case when ok then 0 else s.consecutive_failures + 1 end,
    leased_by = case when scheduled then null else s.leased_by end,
    leased_until = case when scheduled then null else s.leased_until end
  where s.provider_id = provider
  returning s.consecutive_failures into streak;
  select o.health_failure_threshold into threshold from public.organizations o where o.id = org;

  update public.cloud_providers p set
    status = case
      when p.status = 'suspended' then p.status
      when ok then 'healthy'::public.provider_status
      when not scheduled or coalesce(streak, 1) >= threshold then 'failed'::public.provider_status
      else p.status
    end,
    last_checked_at = recorded.checked_at,
    last_error_code = case when ok then null else error_code end,
    last_error_message = case when ok then null else left(error_message, 1000) end,
    -- Token clouds learn their account only from a check; keep the first one learned.
    account_identifier = coalesce(p.account_identifier, case when ok then identity ->> 'account' end)
  where p.id = provider;
  return recorded;
end
$$;
revoke execute on function private.record_health_check(uuid, boolean, integer, jsonb, text, text, text, text) from public;
grant execute on function private.record_health_check(uuid, boolean, integer, jsonb, text, text, text, text) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Claiming. Up to max_count providers that were due by `due_by` (the sweep's start, so a
-- round never returns to what it already checked), not suspended, and not leased by a live
-- sweeper; only those of `only_organizations` when given (one organization swept on demand).
-- Rows another sweeper is claiming right now are skipped, not waited for. Returns what a
-- check needs except the credential: the sweeper reads that through
-- private.read_provider_credentials like every other caller, so the read is audited there
-- (actor: Cloudkeep) and the organization's read-only rule applies.

create function private.claim_health_checks(
  sweeper text, max_count integer default 50, due_by timestamptz default now(), lease interval default interval '5 minutes',
  only_organizations uuid[] default null
)
returns table (
  id uuid, organization_id uuid, name text, provider_type public.provider_type, api_endpoint text, regions text[],
  allow_http_endpoints boolean, allowed_private_cidrs text[], horizon_url text
)
language plpgsql
security definer
set search_path = ''
as $$
begin
  if char_length(btrim(coalesce(sweeper, ''))) not between 1 and 100 then
    raise exception 'A sweeper needs an id of 1–100 characters' using errcode = '22023';
  end if;
  if lease is null or lease < interval '1 second' or lease > interval '1 hour' then
    raise exception 'A lease lasts between 1 second and 1 hour' using errcode = '22023';
  end if;
  return query
    with due as (
      select s.provider_id
      from public.provider_check_schedule s
      join public.cloud_providers p on p.id = s.provider_id
      where s.next_check_at <= least(now(), coalesce(due_by, now()))
        and (s.leased_until is null or s.leased_until <= now())
        and p.status <> 'suspended'
        and (only_organizations is null or s.organization_id = any (only_organizations))
      order by s.next_check_at, s.provider_id
      limit least(greatest(coalesce(max_count, 0), 0), 1000)
      for update of s skip locked
    ), leased as (
      update public.provider_check_schedule s set leased_by = sweeper, leased_until = now() + lease
      from due where s.provider_id = due.provider_id
      returning s.provider_id
    )
    select p.id, p.organization_id, p.name, p.provider_type, p.api_endpoint, p.regions,
           o.allow_http_endpoints, o.allowed_private_cidrs::text[], o.horizon_url
    from leased l
    join public.cloud_providers p on p.id = l.provider_id
    join public.organizations o on o.id = p.organization_id;
end
$$;
revoke execute on function private.claim_health_checks(text, integer, timestamptz, interval, uuid[]) from public;
grant execute on function private.claim_health_checks(text, integer, timestamptz, interval, uuid[]) to service_role;

-- ---------------------------------------------------------------------------------------
-- The run log behind the "last sweep" status strip: one row per sweep run and organization,
-- so an organization sees only its own numbers.

create table public.health_sweeps (
  id bigint generated always as identity primary key,
  run_id uuid not null,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  sweeper_id text not null,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  checked integer not null default 0,
  failed integer not null default 0,
  constraint health_sweeps_run_org_key unique (run_id, organization_id),
  constraint health_sweeps_counts check (checked >= 0 and failed between 0 and checked)
);
comment on table public.health_sweeps is 'Per sweep run and organization: when it ran, how many of the organization''s providers it checked and how many of those checks failed. finished_at is when its last check of the organization was recorded.';
create index health_sweeps_org_idx on public.health_sweeps (organization_id, finished_at desc);

alter table public.health_sweeps enable row level security;
revoke all on public.health_sweeps from anon, authenticated;
grant select on public.health_sweeps to authenticated;
create policy "Members can view the sweeps of their organization"
  on public.health_sweeps for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));

-- Adds a batch of results to a run's per-organization counts. `counts` is
-- [{ "organization_id", "checked", "failed" }]; organizations deleted meanwhile are skipped.
create function private.record_sweep_progress(run uuid, sweeper text, started timestamptz, counts jsonb)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.health_sweeps as h (run_id, organization_id, sweeper_id, started_at, finished_at, checked, failed)
  select run, c.organization_id, left(sweeper, 100), started, now(), c.checked, c.failed
  from jsonb_to_recordset(counts) as c(organization_id uuid, checked integer, failed integer)
  where exists (select 1 from public.organizations o where o.id = c.organization_id)
  on conflict (run_id, organization_id) do update set
    checked = h.checked + excluded.checked,
    failed = h.failed + excluded.failed,
    finished_at = excluded.finished_at;
$$;
revoke execute on function private.record_sweep_progress(uuid, text, timestamptz, jsonb) from public;
grant execute on function private.record_sweep_progress(uuid, text, timestamptz, jsonb) to service_role;

-- ---------------------------------------------------------------------------------------
-- Scheduling on hosted Supabase: pg_cron calls the health-sweep edge function every minute
-- through pg_net (each organization's interval decides what is due). The project URL and a
-- secret key come from Vault, never from this file:
--   select vault.create_secret('https://<project-ref>.supabase.co', 'cloudkeep_project_url');
--   select vault.create_secret('<sb_secret_… key>', 'cloudkeep_sweep_key');
-- Where the extensions are missing (the local stack's embedded Postgres), nothing is
-- scheduled and the local stack runs the sweep on a timer instead.

create function private.invoke_health_sweep()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  base text;
  key text;
begin
  select decrypted_secret into base from vault.decrypted_secrets where name = 'cloudkeep_project_url';
  select decrypted_secret into key from vault.decrypted_secrets where name = 'cloudkeep_sweep_key';
  if base is null or key is null then
    raise exception 'Health sweep not called: store cloudkeep_project_url and cloudkeep_sweep_key in Vault (see README)';
  end if;
  return net.http_post(
    url := rtrim(base, '/') || '/functions/v1/health-sweep',
    headers := jsonb_build_object('content-type', 'application/json', 'authorization', 'Bearer ' || key),
    body := '{}'::jsonb,
    timeout_milliseconds := 150000
  );
end
$$;
revoke execute on function private.invoke_health_sweep() from public;

do $$
begin
  if not exists (select 1 from pg_available_extensions where name = 'pg_cron')
     or not exists (select 1 from pg_available_extensions where name = 'pg_net') then
    raise notice 'pg_cron or pg_net is not available: health sweeps are not scheduled by the database (the local stack runs them on a timer).';
    return;
  end if;
  begin
    create extension if not exists pg_cron;
    create extension if not exists pg_net with schema extensions;
  exception when others then
    raise notice 'pg_cron or pg_net could not be enabled (%): health sweeps are not scheduled by the database.', sqlerrm;
    return;
  end;
  perform cron.schedule('cloudkeep-health-sweep', '* * * * *', 'select private.invoke_health_sweep()');
end
$$;

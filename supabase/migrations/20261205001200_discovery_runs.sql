-- The last discovery of each whole-organization provider (issue 15, part 3): when it ran, who ran it
-- (an admin or the sweep) and how it ended. A discovery that fails as a whole (the organization
-- cannot be listed: permission missing, scope wrong, cloud down) used to be shown only to whoever ran
-- it, or written to the sweep's log; now everyone who can see the provider sees it on its page and in
-- the API, with the cloud's reason and a hint, until a later discovery succeeds.
--
-- One row per parent, replaced by each run. Clients only read it; the domain writes it through
-- private.record_discovery_run, as the service role or an admin of the organization.

create table public.provider_discovery_runs (
  parent_provider_id uuid primary key,
  organization_id uuid not null,
  trigger text not null,
  ran_at timestamptz not null default now(),
  ok boolean not null,
  error_code text,
  error_message text,
  error_hint text,
  -- On success: discovered, added, connected, unavailable, failed, excluded.
  counts jsonb not null default '{}',
  constraint provider_discovery_runs_trigger check (trigger in ('manual', 'scheduled')),
  constraint provider_discovery_runs_error check (ok = (error_code is null)),
  constraint provider_discovery_runs_parent_fk foreign key (parent_provider_id, organization_id)
    references public.cloud_providers (id, organization_id) on delete cascade
);
create index provider_discovery_runs_org_idx on public.provider_discovery_runs (organization_id);
comment on table public.provider_discovery_runs is
  'The last discovery of each whole-organization provider: when, by whom (manual or scheduled), and its counts or why it failed.';

alter table public.provider_discovery_runs enable row level security;
revoke all on public.provider_discovery_runs from anon, authenticated;
grant select on public.provider_discovery_runs to authenticated;
create policy "Members can view discovery runs in their organization"
  on public.provider_discovery_runs for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));

-- Replaces the parent's last run. `failure`: {code, message, hint} or null for a run that listed the
-- organization; `counts` as DiscoveryOutcome has them.
create function private.record_discovery_run(parent uuid, run_trigger text, failure jsonb, counts jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.require_parent_admin(parent);
begin
  insert into public.provider_discovery_runs as r
    (parent_provider_id, organization_id, trigger, ran_at, ok, error_code, error_message, error_hint, counts)
  values
    (parent, org, run_trigger, now(), failure is null, left(failure ->> 'code', 100), left(failure ->> 'message', 1000),
     left(nullif(failure ->> 'hint', ''), 1000), case when failure is null then coalesce(counts, '{}') else '{}' end)
  on conflict (parent_provider_id) do update set
    trigger = excluded.trigger, ran_at = excluded.ran_at, ok = excluded.ok, error_code = excluded.error_code,
    error_message = excluded.error_message, error_hint = excluded.error_hint, counts = excluded.counts;
end
$$;
revoke execute on function private.record_discovery_run(uuid, text, jsonb, jsonb) from public;
grant execute on function private.record_discovery_run(uuid, text, jsonb, jsonb) to authenticated, service_role;

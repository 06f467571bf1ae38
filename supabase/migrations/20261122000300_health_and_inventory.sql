-- Health checks (history), resource inventory, and the organization settings that govern
-- outbound calls. Clients read these under RLS; results are written only through the
-- security-definer functions below, which check the caller's role.

alter table public.organizations
  add column allowed_private_cidrs cidr[] not null default '{}',
  add column horizon_url text,
  add constraint organizations_horizon_url check (horizon_url is null or horizon_url ~ '^https?://');
comment on column public.organizations.allowed_private_cidrs is 'Private networks Cloudkeep may call (on-premises OpenStack, MinIO). Everything private is refused otherwise.';
comment on column public.organizations.horizon_url is 'OpenStack Horizon base URL, for console links.';
grant update (allowed_private_cidrs, horizon_url) on public.organizations to authenticated;

create table public.provider_health_checks (
  id bigint generated always as identity primary key,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  provider_id uuid not null references public.cloud_providers (id) on delete cascade,
  checked_at timestamptz not null default now(),
  ok boolean not null,
  latency_ms integer,
  identity jsonb,
  error_code text,
  error_message text,
  error_hint text,
  trigger text not null default 'manual',
  triggered_by uuid references auth.users (id) on delete set null,
  constraint provider_health_checks_trigger check (trigger in ('manual', 'save', 'api', 'scheduled'))
);
comment on table public.provider_health_checks is 'One row per health check. identity holds what the cloud said the credential reaches (account, label), never a secret.';
create index provider_health_checks_provider_idx on public.provider_health_checks (provider_id, checked_at desc);
create index provider_health_checks_org_idx on public.provider_health_checks (organization_id, checked_at desc);

create table public.provider_resources (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  provider_id uuid not null references public.cloud_providers (id) on delete cascade,
  resource_id text not null,
  name text not null,
  type text not null,
  region text,
  zone text,
  status text not null,
  raw_status text,
  size text,
  public_ips text[] not null default '{}',
  private_ips text[] not null default '{}',
  tags jsonb not null default '{}',
  launched_at timestamptz,
  console_url text,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  vanished_at timestamptz,
  primary key (provider_id, resource_id)
);
comment on column public.provider_resources.vanished_at is 'Set when a refresh no longer finds the resource; cleared if it comes back.';
create index provider_resources_org_idx on public.provider_resources (organization_id);
create index provider_resources_list_idx on public.provider_resources (provider_id, name, resource_id);

create table public.provider_inventory (
  provider_id uuid primary key references public.cloud_providers (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  refreshed_at timestamptz not null,
  resource_count integer not null,
  partial_failures jsonb not null default '[]'
);
comment on table public.provider_inventory is 'When each provider''s resources were last listed live, and which regions failed then.';
create index provider_inventory_org_idx on public.provider_inventory (organization_id);

alter table public.provider_health_checks enable row level security;
alter table public.provider_resources enable row level security;
alter table public.provider_inventory enable row level security;
revoke all on public.provider_health_checks, public.provider_resources, public.provider_inventory from anon, authenticated;
grant select on public.provider_health_checks, public.provider_resources, public.provider_inventory to authenticated;

create policy "Members can view health checks in their organization"
  on public.provider_health_checks for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));
create policy "Members can view resources in their organization"
  on public.provider_resources for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));
create policy "Members can view inventory runs in their organization"
  on public.provider_inventory for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));

-- Whether the caller may run live calls against a provider: members and above of its
-- organization, or the service role (scheduled sweeps). Returns the organization id.
create function private.require_live_access(provider uuid)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  org uuid;
begin
  select organization_id into org from public.cloud_providers where id = provider;
  if org is null or (
    (select auth.role()) is distinct from 'service_role'
    and not (org = any (array(select private.org_ids_with_role('member'))))
  ) then
    raise exception 'Provider not found' using errcode = 'P0002';
  end if;
  return org;
end
$$;

-- Records one health check and moves the provider's status: healthy on success, failed on
-- failure; a suspended provider keeps its status. Status changes are audited by the
-- cloud_providers trigger.
create function private.record_health_check(
  provider uuid, ok boolean, latency_ms integer, identity jsonb, error_code text, error_message text, error_hint text, trigger text
)
returns public.provider_health_checks
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.require_live_access(provider);
  recorded public.provider_health_checks;
begin
  insert into public.provider_health_checks (organization_id, provider_id, ok, latency_ms, identity, error_code, error_message, error_hint, trigger, triggered_by)
  values (org, provider, ok, latency_ms, identity, error_code, left(error_message, 1000), left(error_hint, 1000), coalesce(trigger, 'manual'), (select auth.uid()))
  returning * into recorded;

  update public.cloud_providers p set
    status = case when p.status = 'suspended' then p.status when ok then 'healthy'::public.provider_status else 'failed'::public.provider_status end,
    last_checked_at = recorded.checked_at,
    last_error_code = case when ok then null else error_code end,
    last_error_message = case when ok then null else left(error_message, 1000) end,
    -- Token clouds learn their account only from a check; keep the first one learned.
    account_identifier = coalesce(p.account_identifier, case when ok then identity ->> 'account' end)
  where p.id = provider;
  return recorded;
end
$$;
revoke execute on function private.require_live_access(uuid) from public;
revoke execute on function private.record_health_check(uuid, boolean, integer, jsonb, text, text, text, text) from public;
grant execute on function private.require_live_access(uuid) to authenticated, service_role;
grant execute on function private.record_health_check(uuid, boolean, integer, jsonb, text, text, text, text) to authenticated, service_role;

-- Replaces a provider's inventory with a fresh listing: upserts what was found, marks what
-- vanished (kept, with vanished_at), and notes when and which scopes failed.
create function private.record_inventory(provider uuid, resources jsonb, partial_failures jsonb)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.require_live_access(provider);
  found integer;
begin
  insert into public.provider_resources as r (organization_id, provider_id, resource_id, name, type, region, zone, status, raw_status, size,
                                             public_ips, private_ips, tags, launched_at, console_url, first_seen_at, last_seen_at, vanished_at)
  select org, provider, x.id, x.name, x.type, x.region, x.zone, x.status, x.raw_status, x.size,
         coalesce(x.public_ips, '{}'), coalesce(x.private_ips, '{}'), coalesce(x.tags, '{}'), x.created_at, x.console_url, now(), now(), null
  from jsonb_to_recordset(resources) as x(id text, name text, type text, region text, zone text, status text, raw_status text, size text,
                                           public_ips text[], private_ips text[], tags jsonb, created_at timestamptz, console_url text)
  on conflict (provider_id, resource_id) do update set
    name = excluded.name, type = excluded.type, region = excluded.region, zone = excluded.zone, status = excluded.status,
    raw_status = excluded.raw_status, size = excluded.size, public_ips = excluded.public_ips, private_ips = excluded.private_ips,
    tags = excluded.tags, launched_at = excluded.launched_at, console_url = excluded.console_url, last_seen_at = now(), vanished_at = null;
  get diagnostics found = row_count;

  -- Only scopes that answered can say a resource is gone.
  update public.provider_resources r set vanished_at = now()
  where r.provider_id = provider and r.vanished_at is null
    and not exists (select 1 from jsonb_to_recordset(resources) as x(id text) where x.id = r.resource_id)
    and not exists (select 1 from jsonb_to_recordset(coalesce(partial_failures, '[]')) as f(scope text) where f.scope = r.region);

  insert into public.provider_inventory (provider_id, organization_id, refreshed_at, resource_count, partial_failures)
  values (provider, org, now(), found, coalesce(partial_failures, '[]'))
  on conflict (provider_id) do update set refreshed_at = excluded.refreshed_at, resource_count = excluded.resource_count, partial_failures = excluded.partial_failures;
  return found;
end
$$;
revoke execute on function private.record_inventory(uuid, jsonb, jsonb) from public;
grant execute on function private.record_inventory(uuid, jsonb, jsonb) to authenticated, service_role;

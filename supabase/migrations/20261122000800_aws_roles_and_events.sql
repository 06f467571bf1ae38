-- AWS providers without stored keys, and the account's change timeline.
--
-- 1. external_id: the secret-free value a customer's role trust policy requires
--    (sts:ExternalId), so that no other Cloudkeep organization can make Cloudkeep assume
--    that role (the "confused deputy"). It protects only if the customer cannot choose it,
--    so the database issues it: clients have no INSERT or UPDATE right on the column, a
--    trigger fills it for every AWS provider, and it never changes afterwards.
-- 2. provider_events: CloudTrail management events imported per provider, deduplicated by
--    event id, readable by members and above, written only by a security-definer function.

-- external_id ----------------------------------------------------------------------------

alter table public.cloud_providers
  add column external_id text,
  add constraint cloud_providers_external_id check (external_id is null or external_id ~ '^[A-Za-z0-9]{32,128}$');
comment on column public.cloud_providers.external_id is
  'AWS only: the sts:ExternalId the customer''s role must require. Issued by the database, never chosen by a client, never changed. Not a secret.';
grant select (external_id) on public.cloud_providers to authenticated;

-- 66 characters: "ck" and 244 random bits from two version-4 UUIDs.
create function private.new_external_id()
returns text
language sql
volatile
set search_path = ''
as $$
  select 'ck' || replace(pg_catalog.gen_random_uuid()::text || pg_catalog.gen_random_uuid()::text, '-', '')
$$;
revoke execute on function private.new_external_id() from public;

-- Issues the external ID the next provider inserted in this transaction will get, so the
-- domain can seal it into the encrypted credential before the row exists. Lives in
-- `private`, which PostgREST does not expose: only server code can call it, and even
-- server code cannot pick the value.
create function private.issue_external_id()
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  issued text := private.new_external_id();
begin
  perform set_config('cloudkeep.issued_external_id', issued, true);
  return issued;
end
$$;
revoke execute on function private.issue_external_id() from public;
grant execute on function private.issue_external_id() to authenticated, service_role;

-- Every AWS provider gets an external ID at insert: the issued one when the domain asked for
-- it in this transaction, a fresh one otherwise (a direct insert, the demo seed). Any value a
-- client tried to set is overwritten; other kinds have none. An issue is used once.
create function private.assign_external_id()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.provider_type = 'aws' then
    new.external_id := coalesce(nullif(current_setting('cloudkeep.issued_external_id', true), ''), private.new_external_id());
  else
    new.external_id := null;
  end if;
  perform set_config('cloudkeep.issued_external_id', '', true);
  return new;
end
$$;

-- AWS providers that existed before this migration get theirs now, before the guard below.
update public.cloud_providers set external_id = private.new_external_id() where provider_type = 'aws' and external_id is null;

create trigger cloud_providers_assign_external_id before insert on public.cloud_providers
  for each row execute function private.assign_external_id();
create trigger cloud_providers_external_id_immutable before update on public.cloud_providers
  for each row execute function private.guard_immutable_columns('external_id');

-- provider_events --------------------------------------------------------------------------

create table public.provider_events (
  provider_id uuid not null references public.cloud_providers (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  event_id text not null,
  event_name text not null,
  event_source text,
  username text,
  event_time timestamptz not null,
  region text not null,
  read_only boolean,
  resources jsonb not null default '[]',
  console_url text,
  imported_at timestamptz not null default now(),
  primary key (provider_id, event_id),
  constraint provider_events_resources check (jsonb_typeof(resources) = 'array')
);
comment on table public.provider_events is
  'CloudTrail management events of an AWS provider''s account (who, what, when, which resources), newest kept 90 days. No request parameters, source addresses or raw event JSON are stored.';
comment on column public.provider_events.resources is 'Array of {"type", "name"} as CloudTrail lists them.';
create index provider_events_timeline_idx on public.provider_events (provider_id, event_time desc, event_id desc);
create index provider_events_org_idx on public.provider_events (organization_id);

create table public.provider_event_imports (
  provider_id uuid primary key references public.cloud_providers (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  imported_at timestamptz not null,
  regions text[] not null default '{}',
  added integer not null,
  partial_failures jsonb not null default '[]'
);
comment on table public.provider_event_imports is 'When each provider''s events were last imported, from which regions, how many were new, and which regions failed.';
create index provider_event_imports_org_idx on public.provider_event_imports (organization_id);
create index provider_event_imports_due_idx on public.provider_event_imports (imported_at);

alter table public.provider_events enable row level security;
alter table public.provider_event_imports enable row level security;
revoke all on public.provider_events, public.provider_event_imports from anon, authenticated;
grant select on public.provider_events, public.provider_event_imports to authenticated;

create policy "Members and above can view account activity in their organization"
  on public.provider_events for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('member'))));
create policy "Members and above can view activity imports in their organization"
  on public.provider_event_imports for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('member'))));

-- Stores one import: adds events not seen before (an event id is kept once per provider,
-- however often an overlapping window returns it), drops events older than CloudTrail's own
-- 90 days, and notes the run. Members and above, or the service role (scheduled imports),
-- through private.require_live_access. Returns how many events were new.
create function private.record_provider_events(provider uuid, events jsonb, regions text[], partial_failures jsonb)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.require_live_access(provider);
  added integer;
begin
  if (select p.provider_type from public.cloud_providers p where p.id = provider) is distinct from 'aws' then
    raise exception 'Account activity is recorded for AWS providers only' using errcode = '22023';
  end if;
  insert into public.provider_events as e (organization_id, provider_id, event_id, event_name, event_source, username, event_time, region,
                                           read_only, resources, console_url)
  select org, provider, left(x.event_id, 128), left(x.event_name, 128), left(x.event_source, 128), left(x.username, 256), x.event_time,
         left(x.region, 64), x.read_only, coalesce(x.resources, '[]'), left(x.console_url, 2048)
  from jsonb_to_recordset(coalesce(events, '[]')) as x(event_id text, event_name text, event_source text, username text, event_time timestamptz,
                                                      region text, read_only boolean, resources jsonb, console_url text)
  where x.event_id is not null and x.event_name is not null and x.event_time is not null and x.region is not null
    and jsonb_typeof(coalesce(x.resources, '[]')) = 'array'
  on conflict (provider_id, event_id) do nothing;
  get diagnostics added = row_count;

  delete from public.provider_events e where e.provider_id = provider and e.event_time < now() - interval '90 days';

  insert into public.provider_event_imports (provider_id, organization_id, imported_at, regions, added, partial_failures)
  values (provider, org, now(), coalesce(regions, '{}'), added, coalesce(partial_failures, '[]'))
  on conflict (provider_id) do update set
    imported_at = excluded.imported_at, regions = excluded.regions, added = excluded.added, partial_failures = excluded.partial_failures;
  return added;
end
$$;
revoke execute on function private.record_provider_events(uuid, jsonb, text[], jsonb) from public;
grant execute on function private.record_provider_events(uuid, jsonb, text[], jsonb) to authenticated, service_role;

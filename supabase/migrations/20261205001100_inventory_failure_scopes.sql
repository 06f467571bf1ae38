-- Which stored resources a partial failure protects (issue 15, every cloud's further types). Migration
-- 0800 let a failure protect rows whose region OR type it named exactly. The adapters now scope
-- failures more finely, and those scopes protected nothing, so a resource in a zone or region whose
-- listing of its type failed was marked vanished:
--   * `<type>/<region>` (AWS: "database/eu-west-1", the RDS call of one region failed),
--   * `zones/<zone>` and `regions/<region>` (Google's aggregated lists name the zone or region),
--   * `<type>/zones/<zone>`, `<type>/regions/<region>`, `<type>/<zone>` (a type's call in one zone).
-- A failure now protects a resource when it names its type, its region or its zone, or its type and
-- then its region or zone. Anything else (power-state, ip-addresses: enrichment that failed, not a
-- listing) protects nothing, as before.
--
-- And provider_inventory.resource_count is the provider's live resources after the write, not what
-- this listing returned: a refresh of one type no longer reports that type's count as the provider's.
-- A resource id listed twice is stored once instead of failing the whole write ("ON CONFLICT DO UPDATE
-- command cannot affect row a second time").

create function private.failure_covers(scope text, type text, region text, zone text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  with place(name) as (
    select unnest(array[region, zone, 'regions/' || region, 'zones/' || zone])
  )
  select scope = type
      or exists (select 1 from place where place.name = scope)
      or exists (select 1 from place where type || '/' || place.name = scope)
$$;
revoke execute on function private.failure_covers(text, text, text, text) from public;

create or replace function private.record_inventory(provider uuid, resources jsonb, partial_failures jsonb, listed_type text default null)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.require_live_access(provider);
  kind public.provider_type;
  horizon text;
  found integer;
begin
  select p.provider_type, o.horizon_url into kind, horizon
  from public.cloud_providers p join public.organizations o on o.id = p.organization_id
  where p.id = provider;
  insert into public.provider_resources as r (organization_id, provider_id, resource_id, name, type, region, zone, status, raw_status, size,
                                             public_ips, private_ips, tags, launched_at, console_url, first_seen_at, last_seen_at, vanished_at)
  -- An id listed twice (a cloud that repeats one across pages or regions) is stored once, not refused whole.
  select distinct on (x.id) org, provider, x.id, x.name, x.type, x.region, x.zone, x.status, x.raw_status, x.size,
         coalesce(x.public_ips, '{}'), coalesce(x.private_ips, '{}'), coalesce(x.tags, '{}'), x.created_at,
         case when private.console_url_allowed(kind, x.console_url, horizon) then x.console_url end, now(), now(), null
  from jsonb_to_recordset(resources) as x(id text, name text, type text, region text, zone text, status text, raw_status text, size text,
                                           public_ips text[], private_ips text[], tags jsonb, created_at timestamptz, console_url text)
  on conflict (provider_id, resource_id) do update set
    name = excluded.name, type = excluded.type, region = excluded.region, zone = excluded.zone, status = excluded.status,
    raw_status = excluded.raw_status, size = excluded.size, public_ips = excluded.public_ips, private_ips = excluded.private_ips,
    tags = excluded.tags, launched_at = excluded.launched_at, console_url = excluded.console_url, last_seen_at = now(), vanished_at = null;
  get diagnostics found = row_count;

  -- Only scopes that answered can say a resource is gone. Everything in this listing was just
  -- stamped last_seen_at = now() (the transaction's time); whatever was not is gone.
  update public.provider_resources r set vanished_at = now()
  where r.provider_id = provider and r.vanished_at is null
    and r.last_seen_at < now()
    and (listed_type is null or r.type = listed_type)
    and not exists (select 1 from jsonb_to_recordset(coalesce(partial_failures, '[]')) as f(scope text)
                    where private.failure_covers(f.scope, r.type, r.region, r.zone));

  insert into public.provider_inventory (provider_id, organization_id, refreshed_at, resource_count, partial_failures)
  values (provider, org, now(),
          (select count(*)::int from public.provider_resources c where c.provider_id = provider and c.vanished_at is null),
          coalesce(partial_failures, '[]'))
  on conflict (provider_id) do update set refreshed_at = excluded.refreshed_at, resource_count = excluded.resource_count, partial_failures = excluded.partial_failures;
  return found;
end
$$;

comment on function private.record_inventory(uuid, jsonb, jsonb, text) is
  'Stores a listing: upserts what was listed; marks vanished only what a scope that answered (and, with listed_type, of that type) no longer lists; a failure covers its type, region or zone, or its type in a region or zone (private.failure_covers). Service role only.';

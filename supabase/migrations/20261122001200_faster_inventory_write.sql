-- Refreshing a large inventory spent seconds deciding which stored resources vanished
-- (bench/resources.ts: 2.7 s of a 3.3 s refresh for 17 regions × 500 instances). Same
-- behaviour, one pass.
create or replace function private.record_inventory(provider uuid, resources jsonb, partial_failures jsonb)
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
    -- Everything in this listing was just stamped last_seen_at = now() (the transaction's time);
    -- whatever was not is gone. One pass over the provider's rows instead of a lookup into the
    -- listing per row (2.7 s → well under 0.3 s for 8,500 resources).
    and r.last_seen_at < now()
    and not exists (select 1 from jsonb_to_recordset(coalesce(partial_failures, '[]')) as f(scope text) where f.scope = r.region);

  insert into public.provider_inventory (provider_id, organization_id, refreshed_at, resource_count, partial_failures)
  values (provider, org, now(), found, coalesce(partial_failures, '[]'))
  on conflict (provider_id) do update set refreshed_at = excluded.refreshed_at, resource_count = excluded.resource_count, partial_failures = excluded.partial_failures;
  return found;
end
$$;

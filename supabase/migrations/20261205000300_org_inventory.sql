-- The organization-wide inventory (issue 15, part 2): /orgs/<slug>/inventory and GET /api/resources
-- read every stored resource of an organization across its providers, searched, filtered,
-- sorted and counted. With 500,000 resources in one organization a filtered page must stay
-- under 100 ms under RLS (bench/inventory.ts), so:
--
-- 1. Pages come off ordered indexes led by organization_id, partial on `vanished_at is null`
--    (the default view): one per sort column that has an index, each also serving equality
--    filters on that column with the name order behind it. Sorting by provider, cloud or size
--    sorts the filtered rows instead (documented as slower on very large unfiltered sets).
-- 2. Search (name, id, addresses, as substrings) uses a trigram index over one expression.
--    pg_trgm ships with Postgres and is available on hosted Supabase (schema `extensions`).
-- 3. Tag filters (tags @> '{"k":"v"}') use a jsonb_path_ops GIN index.
-- 4. Totals, counts by cloud and type, the filter options and list-price totals come from
--    public.provider_resource_counts, a small per-provider summary kept by triggers, instead of
--    counting 500,000 rows on every page view. Only search, tag and vanished filters, which the
--    summary cannot answer, count the table itself (through the indexes above).

create extension if not exists pg_trgm with schema extensions;

-- The text searched by the inventory: name, id and every address, lower-cased. Immutable so an
-- index can be built on it; queries call it with the same arguments to use the index.
create function private.resource_search_text(name text, resource_id text, public_ips text[], private_ips text[])
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select lower(name || ' ' || resource_id || ' ' || array_to_string(public_ips, ' ') || ' ' || array_to_string(private_ips, ' '))
$$;
revoke execute on function private.resource_search_text(text, text, text[], text[]) from public;
grant execute on function private.resource_search_text(text, text, text[], text[]) to authenticated, service_role;

create index provider_resources_inventory_name_idx on public.provider_resources (organization_id, name, provider_id, resource_id)
  where vanished_at is null;
create index provider_resources_inventory_type_idx on public.provider_resources (organization_id, type, name, provider_id, resource_id)
  where vanished_at is null;
create index provider_resources_inventory_region_idx on public.provider_resources (organization_id, region, name, provider_id, resource_id)
  where vanished_at is null;
create index provider_resources_inventory_status_idx on public.provider_resources (organization_id, status, name, provider_id, resource_id)
  where vanished_at is null;
create index provider_resources_inventory_launched_idx on public.provider_resources (organization_id, launched_at, name, provider_id, resource_id)
  where vanished_at is null;
create index provider_resources_inventory_search_idx on public.provider_resources
  using gin (private.resource_search_text(name, resource_id, public_ips, private_ips) extensions.gin_trgm_ops)
  where vanished_at is null;
create index provider_resources_inventory_tags_idx on public.provider_resources using gin (tags jsonb_path_ops)
  where vanished_at is null;

-- Search and tag filters under RLS. Postgres may use a condition as an index condition under
-- row-level security only when its operator is LEAKPROOF (otherwise the policy is checked
-- first, row by row). LIKE and jsonb @> are not, and only a superuser may mark a function
-- leakproof (hosted Supabase's postgres role is not one), so under RLS a search read every
-- resource of the organization: 16× slower than as service role in the first benchmark run.
-- These functions run the filtered read on the indexes after making the same membership
-- check the policy makes (or for the service role): one returns a page of rows in the
-- asked order, the other the counts. Dynamic SQL, so each call is planned for its own values.

-- The WHERE clause both share, over the parameters $1…$8 in the order they pass them.
create function private.inventory_match_condition(
  search_pattern text, tag_filter jsonb, tag_keys text[], provider_ids uuid[],
  type_filter text, region_filter text, status_filter text, include_vanished boolean
)
returns text
language sql
immutable
set search_path = ''
as $$
  select 'r.organization_id = $1'
    || case when include_vanished then '' else ' and r.vanished_at is null' end
    || case when search_pattern is null then ''
            else ' and private.resource_search_text(r.name, r.resource_id, r.public_ips, r.private_ips) like $2' end
    || case when tag_filter is null then '' else ' and r.tags @> $3' end
    || case when tag_keys is null then '' else ' and r.tags ?& $4' end
    || case when provider_ids is null then '' else ' and r.provider_id = any ($5)' end
    || case when type_filter is null then '' else ' and r.type = $6' end
    || case when region_filter is null then '' else ' and r.region = $7' end
    || case when status_filter is null then '' else ' and r.status = $8' end
$$;
revoke execute on function private.inventory_match_condition(text, jsonb, text[], uuid[], text, text, text, boolean) from public;

-- Whether the caller may read the organization's inventory: what the SELECT policy checks.
create function private.can_read_inventory(org uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select (select auth.role()) = 'service_role' or org = any (array(select private.org_ids_with_role('viewer')))
$$;
revoke execute on function private.can_read_inventory(uuid) from public;

-- One page of matching rows. order_by is name, type, region, status, size, launched_at or
-- provider (by provider_rank, the providers in the order to show); after_key continues a
-- keyset page in name order (name, provider_id, resource_id). collect_first gathers every
-- match before ordering (right when few rows match: walking an ordered index for them would
-- read the whole organization); otherwise Postgres may walk the ordered index and stop after
-- the page (right when many match). The caller knows which from the counts.
create function private.inventory_matches(
  org uuid, search_pattern text, tag_filter jsonb, tag_keys text[], provider_ids uuid[],
  type_filter text, region_filter text, status_filter text, include_vanished boolean,
  order_by text, descending boolean, provider_rank uuid[], after_key text[], row_limit integer, row_offset integer,
  collect_first boolean
)
returns setof public.provider_resources
language plpgsql
stable
security definer
set search_path = ''
rows 50
as $$
declare
  dir text := case when descending then ' desc' else ' asc' end;
  tail text := 'r.name' || dir || ', r.provider_id' || dir || ', r.resource_id' || dir;
  ordering text;
begin
  if not private.can_read_inventory(org) then
    return;
  end if;
  ordering := case
    when order_by = 'name' then tail
    when order_by = 'provider' then 'array_position($9, r.provider_id)' || dir || ', ' || tail
    when order_by in ('type', 'region', 'status', 'size', 'launched_at') then format('r.%I', order_by) || dir || ', ' || tail
    else null
  end;
  if ordering is null then
    raise exception 'unknown inventory order: %', order_by using errcode = '22023';
  end if;
  return query execute
    case when collect_first then 'with matched as materialized (' else '' end
    || 'select r.* from public.provider_resources r where '
    || private.inventory_match_condition(search_pattern, tag_filter, tag_keys, provider_ids, type_filter, region_filter, status_filter, include_vanished)
    || case when after_key is null then '' else ' and (r.name, r.provider_id, r.resource_id) > ($10[1], $10[2]::uuid, $10[3])' end
    || case when collect_first then ') select r.* from matched r' else '' end
    || ' order by ' || ordering || ' limit $11 offset $12'
    using org, search_pattern, tag_filter, tag_keys, provider_ids, type_filter, region_filter, status_filter,
          provider_rank, after_key, least(greatest(row_limit, 1), 1000), greatest(row_offset, 0);
end;
$$;
revoke execute on function private.inventory_matches(uuid, text, jsonb, text[], uuid[], text, text, text, boolean, text, boolean, uuid[], text[], integer, integer, boolean) from public;
grant execute on function private.inventory_matches(uuid, text, jsonb, text[], uuid[], text, text, text, boolean, text, boolean, uuid[], text[], integer, integer, boolean) to authenticated, service_role;

-- How many rows match, grouped like public.provider_resource_counts.
create function private.inventory_match_counts(
  org uuid, search_pattern text, tag_filter jsonb, tag_keys text[], provider_ids uuid[],
  type_filter text, region_filter text, status_filter text, include_vanished boolean
)
returns table (provider_id uuid, type text, region text, status text, size text, resources integer)
language plpgsql
stable
security definer
set search_path = ''
rows 100
as $$
begin
  if not private.can_read_inventory(org) then
    return;
  end if;
  return query execute
    'select r.provider_id, r.type, r.region, r.status, r.size, count(*)::integer from public.provider_resources r where '
    || private.inventory_match_condition(search_pattern, tag_filter, tag_keys, provider_ids, type_filter, region_filter, status_filter, include_vanished)
    || ' group by r.provider_id, r.type, r.region, r.status, r.size'
    using org, search_pattern, tag_filter, tag_keys, provider_ids, type_filter, region_filter, status_filter;
end;
$$;
revoke execute on function private.inventory_match_counts(uuid, text, jsonb, text[], uuid[], text, text, text, boolean) from public;
grant execute on function private.inventory_match_counts(uuid, text, jsonb, text[], uuid[], text, text, text, boolean) to authenticated, service_role;

-- How many live (not vanished) resources each provider has per type, region, status and size.
create table public.provider_resource_counts (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  provider_id uuid not null references public.cloud_providers (id) on delete cascade,
  type text not null,
  region text,
  status text not null,
  size text,
  resources integer not null check (resources > 0)
);
comment on table public.provider_resource_counts is
  'Live resources per provider, type, region, status and size: the inventory''s totals, charts, filter options and list-price totals without counting provider_resources. Kept by triggers on provider_resources; never written by clients.';
create unique index provider_resource_counts_key on public.provider_resource_counts (provider_id, type, region, status, size) nulls not distinct;
create index provider_resource_counts_org_idx on public.provider_resource_counts (organization_id);

alter table public.provider_resource_counts enable row level security;
revoke all on public.provider_resource_counts from anon, authenticated;
grant select on public.provider_resource_counts to authenticated;
grant select on public.provider_resource_counts to service_role;

create policy "Members can view inventory counts in their organization"
  on public.provider_resource_counts for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));

-- Recomputes the counts of the providers a statement touched (from its transition tables):
-- one grouped read per provider over provider_resources_list_idx, so a refresh of a few
-- thousand resources costs milliseconds, whatever else the organization holds.
create function private.refresh_resource_counts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  touched uuid[];
begin
  if tg_op = 'INSERT' then
    select array_agg(distinct provider_id) into touched from new_rows;
  elsif tg_op = 'DELETE' then
    select array_agg(distinct provider_id) into touched from old_rows;
  else
    select array_agg(distinct provider_id) into touched
    from (select provider_id from new_rows union select provider_id from old_rows) changed;
  end if;
  if touched is null then
    return null;
  end if;

  delete from public.provider_resource_counts c where c.provider_id = any (touched);
  insert into public.provider_resource_counts (organization_id, provider_id, type, region, status, size, resources)
  select r.organization_id, r.provider_id, r.type, r.region, r.status, r.size, count(*)
  from public.provider_resources r
  where r.provider_id = any (touched) and r.vanished_at is null
    -- A provider being deleted takes its resources with it; nothing to count for it.
    and exists (select 1 from public.cloud_providers p where p.id = r.provider_id)
  group by r.organization_id, r.provider_id, r.type, r.region, r.status, r.size;
  return null;
end;
$$;
revoke execute on function private.refresh_resource_counts() from public;

create trigger provider_resources_counts_insert after insert on public.provider_resources
  referencing new table as new_rows for each statement execute function private.refresh_resource_counts();
create trigger provider_resources_counts_update after update on public.provider_resources
  referencing old table as old_rows new table as new_rows for each statement execute function private.refresh_resource_counts();
create trigger provider_resources_counts_delete after delete on public.provider_resources
  referencing old table as old_rows for each statement execute function private.refresh_resource_counts();

-- Counts for what is already stored.
insert into public.provider_resource_counts (organization_id, provider_id, type, region, status, size, resources)
select organization_id, provider_id, type, region, status, size, count(*)
from public.provider_resources
where vanished_at is null
group by organization_id, provider_id, type, region, status, size;

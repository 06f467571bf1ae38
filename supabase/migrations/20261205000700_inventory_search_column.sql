-- Inventory search reads a stored column instead of calling a function per row (issue 15, part 2).
--
-- The trigram index of migration 20261205000300 was built over
-- private.resource_search_text(name, resource_id, public_ips, private_ips). A trigram match is
-- always rechecked against the row, and that recheck called the function for every candidate:
-- a SQL function that cannot be inlined (its SET search_path, and array_to_string is only
-- stable), so each call cost a few microseconds. A broad search ("api-", 62,500 of 500,000
-- resources) spent 250 of its 280 ms there (bench/inventory.ts, EXPLAIN ANALYZE). Stored once
-- per write, the text is read back by the recheck as a plain column: 61 ms. The planner also
-- gets statistics for the column, so it estimates a search's matches instead of guessing 1%.
-- The function stays: it defines the column.

alter table public.provider_resources
  add column search_text text generated always as (private.resource_search_text(name, resource_id, public_ips, private_ips)) stored;
comment on column public.provider_resources.search_text is
  'Name, id and every address, lower-cased, space-separated: what the inventory''s search matches as a substring (trigram index provider_resources_inventory_search_text_idx). Generated; never written.';

create index provider_resources_inventory_search_text_idx on public.provider_resources
  using gin (search_text extensions.gin_trgm_ops)
  where vanished_at is null;
drop index public.provider_resources_inventory_search_idx;

-- As in 20261205000300, with the search on the column.
create or replace function private.inventory_match_condition(
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
    || case when search_pattern is null then '' else ' and r.search_text like $2' end
    || case when tag_filter is null then '' else ' and r.tags @> $3' end
    || case when tag_keys is null then '' else ' and r.tags ?& $4' end
    || case when provider_ids is null then '' else ' and r.provider_id = any ($5)' end
    || case when type_filter is null then '' else ' and r.type = $6' end
    || case when region_filter is null then '' else ' and r.region = $7' end
    || case when status_filter is null then '' else ' and r.status = $8' end
$$;

-- Counting a common tag without reading the table (issue 15, the inventory's one missed target).
-- A filter on one tag (env:prod, or just the key) was counted from provider_resources: the tag's GIN
-- index hands back every candidate and grouping them reads most of the heap (252 ms p95 for env:prod +
-- type=database at 500,000 resources). provider_resource_tag_counts is provider_resource_counts per
-- tag key and value, kept by the same statement triggers, so one tag's counts are an index read.

create table public.provider_resource_tag_counts (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  provider_id uuid not null references public.cloud_providers (id) on delete cascade,
  tag_key text not null,
  tag_value text not null,
  type text not null,
  region text,
  status text not null,
  size text,
  resources integer not null check (resources > 0)
);
comment on table public.provider_resource_tag_counts is
  'Live resources per provider, tag (key and value), type, region, status and size: the inventory''s counts for a one-tag filter. Kept by triggers on provider_resources; never written by clients.';
create unique index provider_resource_tag_counts_key
  on public.provider_resource_tag_counts (provider_id, tag_key, tag_value, type, region, status, size) nulls not distinct;
create index provider_resource_tag_counts_org_tag_idx on public.provider_resource_tag_counts (organization_id, tag_key, tag_value);

alter table public.provider_resource_tag_counts enable row level security;
revoke all on public.provider_resource_tag_counts from anon, authenticated;
grant select on public.provider_resource_tag_counts to authenticated, service_role;
create policy "Members can view inventory tag counts in their organization"
  on public.provider_resource_tag_counts for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));

-- The same recount as before, for both summaries: the providers a statement touched, one grouped
-- read each over provider_resources_list_idx.
create or replace function private.refresh_resource_counts()
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

  delete from public.provider_resource_tag_counts c where c.provider_id = any (touched);
  insert into public.provider_resource_tag_counts (organization_id, provider_id, tag_key, tag_value, type, region, status, size, resources)
  select r.organization_id, r.provider_id, t.key, t.value, r.type, r.region, r.status, r.size, count(*)
  from public.provider_resources r
  cross join lateral jsonb_each_text(r.tags) t
  where r.provider_id = any (touched) and r.vanished_at is null and r.tags <> '{}'::jsonb
    and exists (select 1 from public.cloud_providers p where p.id = r.provider_id)
  group by r.organization_id, r.provider_id, t.key, t.value, r.type, r.region, r.status, r.size;
  return null;
end;
$$;

-- Counts for what is already stored.
insert into public.provider_resource_tag_counts (organization_id, provider_id, tag_key, tag_value, type, region, status, size, resources)
select r.organization_id, r.provider_id, t.key, t.value, r.type, r.region, r.status, r.size, count(*)
from public.provider_resources r
cross join lateral jsonb_each_text(r.tags) t
where r.vanished_at is null and r.tags <> '{}'::jsonb
group by r.organization_id, r.provider_id, t.key, t.value, r.type, r.region, r.status, r.size;

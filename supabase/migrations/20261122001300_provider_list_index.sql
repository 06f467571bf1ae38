-- The provider list reads one page in `name, id` order from cloud_providers_org_name_idx and
-- stops after it. Under RLS the planner sees two conditions on organization_id — the policy's
-- `organization_id = any (array(select private.org_ids_with_role(...)))` and the query's own
-- `organization_id = $1` — and multiplies their selectivities, so it expects about one row
-- for an organization with a thousand. With that estimate, any other index led by
-- organization_id looks as good as the ordered one, and it picked the smaller
-- (organization_id, status) index, read every provider of the organization and sorted them
-- to return 24 (0.4–0.6 ms against 0.04 ms as service role on 100,000 providers).
--
-- So cloud_providers_org_name_idx stays the only index led by organization_id: it also
-- serves the foreign key, status filters and counts for one organization (a few thousand
-- rows at most). The two unique constraints keep their meaning with organization_id last;
-- their lookups give every column.

drop index public.cloud_providers_org_status_idx;

alter table public.cloud_providers drop constraint cloud_providers_account_key;
alter table public.cloud_providers
  add constraint cloud_providers_account_key unique (provider_type, account_identifier, organization_id);

drop index public.cloud_providers_org_fingerprint_idx;
create unique index cloud_providers_fingerprint_org_idx on public.cloud_providers (credential_fingerprint, organization_id);

-- Whole cloud organizations (issue 15, part 3). A provider connected with an organization-wide
-- identity (an AWS management account, an Azure principal over a tenant or management group, a GCP
-- identity on an organization or folder) carries an organization_scope and discovers the accounts
-- behind it. Each account it can reach becomes a provider of its own, a child (parent_provider_id),
-- whose credential is derived from the parent's and encrypted for the child's own row.
--
-- provider_discovered_accounts keeps what each discovery saw, one row per account, including the
-- accounts that could not be connected and why. Clients only read it; the domain writes it through
-- private.record_discovered_accounts, as the service role or an admin of the organization.

alter table public.cloud_providers
  add column organization_scope jsonb,
  add column parent_provider_id uuid,
  add column federation_subject_id uuid,
  add constraint cloud_providers_org_scope check (
    organization_scope is null
    or (jsonb_typeof(organization_scope) = 'object' and organization_scope ->> 'cloud' = provider_type::text and provider_type in ('aws', 'azure', 'gcp'))
  ),
  add constraint cloud_providers_not_own_parent check (parent_provider_id is distinct from id),
  -- One level only: a child never discovers, so a removal never has to walk a tree.
  add constraint cloud_providers_child_not_parent check (parent_provider_id is null or organization_scope is null),
  add constraint cloud_providers_id_org_key unique (id, organization_id),
  -- A parent of the same organization; removing it detaches its children (the domain removes them first when asked to).
  add constraint cloud_providers_parent_fk foreign key (parent_provider_id, organization_id)
    references public.cloud_providers (id, organization_id) on delete set null (parent_provider_id);

comment on column public.cloud_providers.organization_scope is
  'Set on a parent: what it connects beside its own account ({cloud:"aws", member_role_name} | {cloud:"azure", management_group_id} | {cloud:"gcp", parent}). Not a secret.';
comment on column public.cloud_providers.parent_provider_id is
  'Set on an account discovered through a parent; null once the parent is removed with its children kept.';
comment on column public.cloud_providers.federation_subject_id is
  'Whose subject the OIDC tokens of a federated child carry: the parent''s, which the member accounts trust. Kept when the parent is removed, so a kept child still connects.';

create index cloud_providers_parent_idx on public.cloud_providers (parent_provider_id) where parent_provider_id is not null;

grant select (organization_scope, parent_provider_id, federation_subject_id) on public.cloud_providers to authenticated;
grant insert (organization_scope) on public.cloud_providers to authenticated;
grant update (organization_scope) on public.cloud_providers to authenticated;

-- parent_provider_id and federation_subject_id are not granted: only discovery (the service role) links
-- an account to its parent or picks whose subject its tokens carry.

create table public.provider_discovered_accounts (
  parent_provider_id uuid not null,
  organization_id uuid not null,
  account text not null,
  name text not null,
  -- connected: a child provider exists; unavailable: the cloud says it cannot be used (suspended,
  -- disabled); failed: its derived credential did not pass a health check; excluded: an admin removed
  -- its provider or chose not to connect it, so discovery leaves it alone.
  state text not null,
  child_provider_id uuid references public.cloud_providers (id) on delete set null,
  reason_code text,
  reason_message text,
  reason_hint text,
  details jsonb not null default '{}',
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  checked_at timestamptz not null default now(),
  primary key (parent_provider_id, account),
  foreign key (parent_provider_id, organization_id) references public.cloud_providers (id, organization_id) on delete cascade,
  constraint provider_discovered_accounts_state check (state in ('connected', 'unavailable', 'failed', 'excluded')),
  constraint provider_discovered_accounts_connected check ((state = 'connected') = (child_provider_id is not null) or state = 'excluded')
);
comment on table public.provider_discovered_accounts is
  'What each organization-wide provider discovered: every account in its scope, connected or why not.';
create index provider_discovered_accounts_org_idx on public.provider_discovered_accounts (organization_id);
create index provider_discovered_accounts_child_idx on public.provider_discovered_accounts (child_provider_id) where child_provider_id is not null;

alter table public.provider_discovered_accounts enable row level security;
revoke all on public.provider_discovered_accounts from anon, authenticated;
grant select on public.provider_discovered_accounts to authenticated;
create policy "Members can view discovered accounts in their organization"
  on public.provider_discovered_accounts for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));

-- When a child provider is removed, its account is excluded: the next discovery does not add it
-- back. (An admin can connect it again from the parent's page.)
create function private.exclude_removed_child()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.parent_provider_id is not null then
    update public.provider_discovered_accounts
      set state = 'excluded', child_provider_id = null, reason_code = 'removed',
          reason_message = 'Its provider was removed; discovery will not add it again.', reason_hint = null
      where parent_provider_id = old.parent_provider_id and child_provider_id = old.id;
  end if;
  return old;
end
$$;
create trigger cloud_providers_exclude_removed_child before delete on public.cloud_providers
  for each row execute function private.exclude_removed_child();

-- The organization of a provider that connects a whole organization, for the service role or an admin
-- of it; anyone else is told it does not exist.
create function private.require_parent_admin(parent uuid)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  org uuid;
begin
  select organization_id into org from public.cloud_providers where id = parent and organization_scope is not null;
  if org is null or (
    (select auth.role()) is distinct from 'service_role'
    and not (org = any (array(select private.org_ids_with_role('admin'))))
  ) then
    raise exception 'Provider not found' using errcode = 'P0002';
  end if;
  return org;
end
$$;
revoke execute on function private.require_parent_admin(uuid) from public;

-- Replaces what one discovery saw. `accounts`: [{account, name, state, child_provider_id, reason_code,
-- reason_message, reason_hint, details}]. Accounts not in the list keep their rows (their last_seen_at
-- tells when they were last seen); excluded accounts stay excluded unless the list says connected.
create function private.record_discovered_accounts(parent uuid, accounts jsonb)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid := private.require_parent_admin(parent);
  written integer;
begin
  insert into public.provider_discovered_accounts as d
    (parent_provider_id, organization_id, account, name, state, child_provider_id, reason_code, reason_message, reason_hint, details)
  select parent, org, a.account, left(a.name, 200), a.state, a.child_provider_id, a.reason_code,
         left(a.reason_message, 1000), left(a.reason_hint, 1000), coalesce(a.details, '{}')
  from jsonb_to_recordset(accounts) as a(account text, name text, state text, child_provider_id uuid,
                                        reason_code text, reason_message text, reason_hint text, details jsonb)
  on conflict (parent_provider_id, account) do update set
    name = excluded.name,
    state = case when d.state = 'excluded' and excluded.state <> 'connected' then 'excluded' else excluded.state end,
    child_provider_id = case when d.state = 'excluded' and excluded.state <> 'connected' then null else excluded.child_provider_id end,
    reason_code = case when d.state = 'excluded' and excluded.state <> 'connected' then d.reason_code else excluded.reason_code end,
    reason_message = case when d.state = 'excluded' and excluded.state <> 'connected' then d.reason_message else excluded.reason_message end,
    reason_hint = case when d.state = 'excluded' and excluded.state <> 'connected' then d.reason_hint else excluded.reason_hint end,
    details = excluded.details,
    last_seen_at = now(),
    checked_at = now();
  get diagnostics written = row_count;
  return written;
end
$$;
revoke execute on function private.record_discovered_accounts(uuid, jsonb) from public;
grant execute on function private.record_discovered_accounts(uuid, jsonb) to authenticated, service_role;

-- An admin decides an account should (again) be connected, or never: flips `excluded`.
create function private.set_discovered_account_excluded(parent uuid, target_account text, exclude boolean)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.require_parent_admin(parent);
  update public.provider_discovered_accounts set
    state = case when exclude then 'excluded' else 'failed' end,
    reason_code = case when exclude then 'excluded' else 'pending' end,
    reason_message = case when exclude then 'An admin chose not to connect it.' else 'Waiting for the next discovery.' end,
    reason_hint = null
  where parent_provider_id = parent and account = target_account and child_provider_id is null;
  if not found then
    raise exception 'Account not found, or already connected' using errcode = 'P0002';
  end if;
end
$$;
revoke execute on function private.set_discovered_account_excluded(uuid, text, boolean) from public;
grant execute on function private.set_discovered_account_excluded(uuid, text, boolean) to authenticated, service_role;

-- A member account's role trusts the parent's external ID (the StackSet gives every member the same
-- trust), so the child provider carries it too: it waits for the child's insert in this
-- transaction's slot, as an issued one does (private.assign_external_id). Only discovery (the
-- service role) asks, and only for a parent that connects an organization.
create function private.inherit_external_id(parent uuid)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  inherited text;
begin
  if (select auth.role()) is distinct from 'service_role' then
    raise exception 'Only discovery inherits an external ID' using errcode = '42501';
  end if;
  select external_id into inherited from public.cloud_providers
  where id = parent and provider_type = 'aws' and organization_scope is not null and external_id is not null;
  if inherited is null then
    raise exception 'Provider not found' using errcode = 'P0002';
  end if;
  insert into private.issued_external_ids (transaction_id, external_id) values (pg_catalog.pg_current_xact_id(), inherited)
  on conflict (transaction_id) do update set external_id = excluded.external_id;
  return inherited;
end
$$;
revoke execute on function private.inherit_external_id(uuid) from public;
grant execute on function private.inherit_external_id(uuid) to service_role;

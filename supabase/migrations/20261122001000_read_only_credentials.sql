-- Read-only credential pairs. A provider may hold a second credential that can only read;
-- health checks and listings use it whenever it is there. An organization may require
-- read-only access: then a provider without a read-only credential is refused, never
-- checked with its full credential.
--
-- The read-only envelope is bound to its own associated data (`<provider id>_ro`), so it
-- cannot be swapped with the full one, and no client may select it (column grants).

alter table public.cloud_providers
  add column read_only_credentials jsonb,
  add column read_only_credential_hint text,
  add column read_only_auth_method text,
  add constraint cloud_providers_read_only_envelope check (
    read_only_credentials is null
    or (jsonb_typeof(read_only_credentials) = 'object' and read_only_credentials ? 'ct' and read_only_credentials ? 'wk')
  );
comment on column public.cloud_providers.read_only_credentials is 'Optional read-only credential (envelope bound to <provider id>_ro). Used for checks and listings when present.';

grant select (read_only_credential_hint, read_only_auth_method) on public.cloud_providers to authenticated;
grant update (read_only_credentials, read_only_credential_hint, read_only_auth_method) on public.cloud_providers to authenticated;

alter table public.organizations
  add column read_only_access_only boolean not null default false;
comment on column public.organizations.read_only_access_only is 'Checks and listings use only read-only credentials; a provider without one is refused (fail closed).';
grant update (read_only_access_only) on public.organizations to authenticated;

-- The envelope a live call may use, and whether it is the read-only one. Raises CKR01 when the
-- organization requires read-only access and the provider has no read-only credential.
create function private.usable_envelope(provider public.cloud_providers)
returns table (envelope jsonb, read_only boolean)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if provider.read_only_credentials is not null then
    return query select provider.read_only_credentials, true;
  elsif (select o.read_only_access_only from public.organizations o where o.id = provider.organization_id) then
    raise exception 'Provider % has no read-only credential and its organization allows read-only access only', provider.id
      using errcode = 'CKR01';
  else
    return query select provider.credentials, false;
  end if;
end
$$;
revoke all on function private.usable_envelope(public.cloud_providers) from public;

-- Same contract as before, plus which credential came back. Every read is audited, with
-- whether it was the read-only one.
drop function private.read_provider_credentials(uuid, text);
create function private.read_provider_credentials(provider uuid, purpose text)
returns table (organization_id uuid, provider_type public.provider_type, api_endpoint text, credentials jsonb, read_only boolean)
language plpgsql
security definer
set search_path = ''
as $$
declare
  row public.cloud_providers;
  usable record;
begin
  select * into row from public.cloud_providers p where p.id = provider;
  if not found or (
    (select auth.role()) is distinct from 'service_role'
    and not (row.organization_id = any (array(select private.org_ids_with_role('member'))))
  ) then
    raise exception 'Provider not found' using errcode = 'P0002';
  end if;
  select * into usable from private.usable_envelope(row);
  perform private.record_audit_event(row.organization_id, 'provider.credentials_read', 'provider', row.id, row.name,
    jsonb_build_object('purpose', left(coalesce(purpose, 'unspecified'), 64), 'read_only', usable.read_only));
  return query select row.organization_id, row.provider_type, row.api_endpoint, usable.envelope, usable.read_only;
end
$$;
revoke execute on function private.read_provider_credentials(uuid, text) from public;
grant execute on function private.read_provider_credentials(uuid, text) to authenticated, service_role;

-- The audit trigger learns the read-only credential: setting or removing it is its own
-- action, and a key-ring rotation that re-wraps it (same ciphertext) records nothing.
create or replace function private.audit_cloud_provider_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed text[];
  action text;
begin
  if tg_op = 'INSERT' then
    perform private.record_audit_event(new.organization_id, 'provider.created', 'provider', new.id, new.name,
      jsonb_build_object('provider_type', new.provider_type, 'environment', new.environment, 'credential_hint', new.credential_hint));
    return new;
  elsif tg_op = 'DELETE' then
    -- Skipped when the organization itself is being deleted (its log goes with it).
    if exists (select 1 from public.organizations where id = old.organization_id) then
      perform private.record_audit_event(old.organization_id, 'provider.deleted', 'provider', old.id, old.name,
        jsonb_build_object('provider_type', old.provider_type, 'credential_hint', old.credential_hint));
    end if;
    return old;
  end if;

  select coalesce(array_agg(key order by key), '{}') into changed
  from jsonb_each(to_jsonb(new)) n
  where key not in ('updated_at') and n.value is distinct from (to_jsonb(old) -> key);
  if cardinality(changed) = 0 then
    return new;
  end if;
  -- A key-ring rotation re-wraps the data key (and re-keys the fingerprint) without touching
  -- the credential ciphertext: the credential did not change, so there is nothing to record.
  if changed <@ array['credentials', 'credential_fingerprint', 'read_only_credentials']
     and new.credentials ->> 'ct' = old.credentials ->> 'ct'
     and new.credentials ->> 'iv' = old.credentials ->> 'iv'
     and new.read_only_credentials ->> 'ct' is not distinct from old.read_only_credentials ->> 'ct' then
    return new;
  end if;

  action := case
    when 'credentials' = any (changed) then 'provider.credentials_rotated'
    when 'read_only_credentials' = any (changed) then
      case when new.read_only_credentials is null then 'provider.read_only_credentials_removed' else 'provider.read_only_credentials_set' end
    when new.status = 'suspended' and old.status <> 'suspended' then 'provider.suspended'
    when old.status = 'suspended' and new.status <> 'suspended' and (select auth.role()) is distinct from 'service_role' then 'provider.resumed'
    -- Only health results touch these columns (clients have no grant on last_*).
    when changed <@ array['status', 'last_checked_at', 'last_error_code', 'last_error_message', 'account_identifier'] then
      case when new.status is distinct from old.status then 'provider.status_changed' else null end
    else 'provider.updated'
  end;
  if action is null then
    return new;
  end if;
  perform private.record_audit_event(new.organization_id, action, 'provider', new.id, new.name,
    jsonb_build_object('changed', to_jsonb(changed), 'credential_hint', new.credential_hint, 'read_only_credential_hint', new.read_only_credential_hint)
    || case when new.status is distinct from old.status then jsonb_build_object('from', old.status, 'to', new.status) else '{}'::jsonb end);
  return new;
end
$$;

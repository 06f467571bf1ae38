-- Cloud providers (one encrypted credential each) and the append-only audit log.
-- The credentials column holds an envelope (see supabase/functions/_shared/crypto): no
-- client role may select it; servers read it through private.read_provider_credentials(),
-- which checks the caller's role and records the read.

create type public.provider_type as enum ('aws', 'azure', 'gcp', 'digitalocean', 'linode', 'vultr', 'openstack', 's3_compatible');
create type public.provider_environment as enum ('production', 'staging', 'development', 'other');
create type public.provider_status as enum ('pending', 'healthy', 'failed', 'suspended');

alter table public.organizations
  add column allow_http_endpoints boolean not null default false;
comment on column public.organizations.allow_http_endpoints is 'Accept http:// API endpoints (private OpenStack or MinIO). Off by default: credentials only travel over TLS.';
grant update (allow_http_endpoints) on public.organizations to authenticated;

create table public.cloud_providers (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null,
  provider_type public.provider_type not null,
  api_endpoint text,
  auth_method text not null,
  credentials jsonb not null,
  credential_hint text,
  credential_fingerprint text not null,
  account_identifier text,
  environment public.provider_environment not null default 'production',
  regions text[] not null default '{}',
  status public.provider_status not null default 'pending',
  last_checked_at timestamptz,
  last_error_code text,
  last_error_message text,
  credentials_rotated_at timestamptz,
  credentials_expires_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint cloud_providers_name_length check (char_length(btrim(name)) between 1 and 80),
  constraint cloud_providers_envelope check (jsonb_typeof(credentials) = 'object' and credentials ? 'ct' and credentials ? 'wk'),
  constraint cloud_providers_account_key unique (organization_id, provider_type, account_identifier)
);
comment on column public.cloud_providers.credentials is 'Envelope-encrypted credential JSON (AES-256-GCM, data key wrapped by CLOUDKEEP_ENCRYPTION_KEYS). Never selectable by anon or authenticated.';
comment on column public.cloud_providers.credential_hint is 'A recognisable, non-secret part of the credential, e.g. AKIA…MPLE.';
comment on column public.cloud_providers.credential_fingerprint is '<key id>:<HMAC-SHA256> of the canonical credential, for finding duplicates without decrypting.';

-- The list page filters and sorts within one organization; every lookup starts there.
create index cloud_providers_org_name_idx on public.cloud_providers (organization_id, name, id);
create index cloud_providers_org_status_idx on public.cloud_providers (organization_id, status);
create unique index cloud_providers_org_fingerprint_idx on public.cloud_providers (organization_id, credential_fingerprint);

alter table public.cloud_providers enable row level security;

create trigger cloud_providers_immutable before update on public.cloud_providers
  for each row execute function private.guard_immutable_columns('id', 'organization_id', 'provider_type', 'created_by', 'created_at');

-- Keeps updated_at honest and stops clients from writing health results: healthy/failed
-- are set only by the service role or by private.record_health_check() (a security definer
-- function, so current_user is its owner there, not `authenticated`).
create function private.cloud_providers_before_write()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    new.created_by := coalesce((select auth.uid()), new.created_by);
    if current_user in ('authenticated', 'anon') then
      new.created_at := now();
      new.status := 'pending';
    end if;
  elsif current_user in ('authenticated', 'anon')
        and new.status is distinct from old.status
        and new.status not in ('suspended', 'pending') then
    raise exception 'Only a health check can mark a provider %', new.status using errcode = '42501';
  end if;
  new.updated_at := now();
  return new;
end
$$;
create trigger cloud_providers_before_write before insert or update on public.cloud_providers
  for each row execute function private.cloud_providers_before_write();

-- Column rights: everything but the ciphertext is readable; writes are limited to what an
-- admin may set. RLS below decides which rows.
revoke all on public.cloud_providers from anon, authenticated;
grant select (id, organization_id, name, provider_type, api_endpoint, auth_method, credential_hint, credential_fingerprint,
              account_identifier, environment, regions, status, last_checked_at, last_error_code, last_error_message,
              credentials_rotated_at, credentials_expires_at, created_by, created_at, updated_at)
  on public.cloud_providers to authenticated;
grant insert (id, organization_id, name, provider_type, api_endpoint, auth_method, credentials, credential_hint, credential_fingerprint,
              account_identifier, environment, regions, credentials_expires_at)
  on public.cloud_providers to authenticated;
grant update (name, api_endpoint, auth_method, credentials, credential_hint, credential_fingerprint, account_identifier,
              environment, regions, status, credentials_rotated_at, credentials_expires_at)
  on public.cloud_providers to authenticated;
grant delete on public.cloud_providers to authenticated;

create policy "Members can view providers in their organization"
  on public.cloud_providers for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('viewer'))));

create policy "Admins can add providers to their organization"
  on public.cloud_providers for insert to authenticated
  with check (organization_id = any (array(select private.org_ids_with_role('admin'))));

create policy "Admins can update providers in their organization"
  on public.cloud_providers for update to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('admin'))))
  with check (organization_id = any (array(select private.org_ids_with_role('admin'))));

create policy "Admins can delete providers in their organization"
  on public.cloud_providers for delete to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('admin'))));

-- Audit log -------------------------------------------------------------------------------

create table public.audit_events (
  id bigint generated always as identity primary key,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  actor_id uuid references auth.users (id) on delete set null,
  actor_email text,
  action text not null,
  target_type text,
  target_id uuid,
  target_name text,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now()
);
comment on table public.audit_events is 'Append-only record of who did what. Written only by triggers and security-definer functions; metadata never holds a secret.';
create index audit_events_org_id_idx on public.audit_events (organization_id, id desc);
create index audit_events_org_target_idx on public.audit_events (organization_id, target_id, created_at desc);
create index audit_events_org_action_idx on public.audit_events (organization_id, action, created_at desc);

alter table public.audit_events enable row level security;
revoke all on public.audit_events from anon, authenticated;
grant select on public.audit_events to authenticated;

create policy "Admins can read their organization's audit log"
  on public.audit_events for select to authenticated
  using (organization_id = any (array(select private.org_ids_with_role('admin'))));

-- Appends one event as the current caller. The only writer of audit_events.
create function private.record_audit_event(
  org uuid, action text, target_type text, target_id uuid, target_name text, metadata jsonb default '{}'
)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.audit_events (organization_id, actor_id, actor_email, action, target_type, target_id, target_name, metadata)
  values (
    org,
    (select auth.uid()),
    nullif((select auth.jwt()) ->> 'email', ''),
    action, target_type, target_id, target_name, coalesce(metadata, '{}')
  )
$$;
grant execute on function private.record_audit_event(uuid, text, text, uuid, text, jsonb) to service_role;

-- Audits every change to a provider. Metadata names what changed, never a value of the
-- credentials column.
create function private.audit_cloud_provider_change()
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
  if changed <@ array['credentials', 'credential_fingerprint']
     and new.credentials ->> 'ct' = old.credentials ->> 'ct'
     and new.credentials ->> 'iv' = old.credentials ->> 'iv' then
    return new;
  end if;

  action := case
    when 'credentials' = any (changed) then 'provider.credentials_rotated'
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
    jsonb_build_object('changed', to_jsonb(changed), 'credential_hint', new.credential_hint)
    || case when new.status is distinct from old.status then jsonb_build_object('from', old.status, 'to', new.status) else '{}'::jsonb end);
  return new;
end
$$;
create trigger cloud_providers_audit after insert or update or delete on public.cloud_providers
  for each row execute function private.audit_cloud_provider_change();

-- The one way to read a credential envelope. Members and above may (health checks and live
-- listings decrypt); viewers may not. Every read is recorded with its purpose.
create function private.read_provider_credentials(provider uuid, purpose text)
returns table (organization_id uuid, provider_type public.provider_type, api_endpoint text, credentials jsonb)
language plpgsql
security definer
set search_path = ''
as $$
declare
  row public.cloud_providers;
begin
  select * into row from public.cloud_providers p where p.id = provider;
  if not found or (
    (select auth.role()) is distinct from 'service_role'
    and not (row.organization_id = any (array(select private.org_ids_with_role('member'))))
  ) then
    raise exception 'Provider not found' using errcode = 'P0002';
  end if;
  perform private.record_audit_event(row.organization_id, 'provider.credentials_read', 'provider', row.id, row.name,
    jsonb_build_object('purpose', left(coalesce(purpose, 'unspecified'), 64)));
  return query select row.organization_id, row.provider_type, row.api_endpoint, row.credentials;
end
$$;
revoke execute on function private.read_provider_credentials(uuid, text) from public;
grant execute on function private.read_provider_credentials(uuid, text) to authenticated, service_role;

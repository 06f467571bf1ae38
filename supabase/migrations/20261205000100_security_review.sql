-- What an independent security review found in the database, closed here (issue 11). Each
-- part names the finding it closes; tests/integration/security-review.test.ts proves each.

-- 1. A stored read-only credential no longer follows an endpoint change --------------------
-- The read-only envelope was entered for the old endpoint. When the endpoint changes (only
-- ever together with new full credentials), the read-only credential goes too, unless the
-- same update replaces it: a check must never send it to an address nobody entered it for.
create or replace function private.cloud_providers_before_write()
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
  else
    if current_user in ('authenticated', 'anon')
       and new.status is distinct from old.status
       and new.status not in ('suspended', 'pending') then
      raise exception 'Only a health check can mark a provider %', new.status using errcode = '42501';
    end if;
    if new.api_endpoint is distinct from old.api_endpoint then
      if new.credentials is not distinct from old.credentials then
        raise exception 'The endpoint of provider % changes only together with new credentials', old.id
          using errcode = '22023', hint = 'Rotate the credentials and give the new endpoint with them.';
      end if;
      if new.read_only_credentials is not distinct from old.read_only_credentials then
        new.read_only_credentials := null;
        new.read_only_credential_hint := null;
        new.read_only_auth_method := null;
      end if;
    end if;
  end if;
  new.updated_at := now();
  return new;
end
$$;

-- 2. The private-network allow-list cannot open loopback, link-local or metadata addresses --
-- Whatever an owner allow-lists, Cloudkeep's servers may call: these ranges are never
-- allow-listable, nor is anything wider than /8. The outbound guard (net/outbound.ts) refuses
-- the same ranges even if a row somehow holds them.
create function private.cidr_is_allowlistable(network cidr)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.masklen(network) >= 8
    and not exists (
      select 1
      -- The same list as NEVER_ALLOW_LISTED in supabase/functions/_shared/net/outbound.ts.
      from unnest(array[
        '0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '100.100.100.200/32', '192.0.0.192/32',
        '::/96', '::1/128', 'fe80::/10', 'fd00:ec2::/32', '::ffff:0.0.0.0/104', '::ffff:127.0.0.0/104', '::ffff:169.254.0.0/112',
        '64:ff9b::/104', '64:ff9b::7f00:0/104', '64:ff9b::a9fe:0/112', '2002::/24', '2002:7f00::/24', '2002:a9fe::/32'
      ]::cidr[]) as forbidden(range)
      where pg_catalog.family(forbidden.range) = pg_catalog.family(network)
        and (network operator(pg_catalog.<<=) forbidden.range or network operator(pg_catalog.>>=) forbidden.range)
    )
$$;
comment on function private.cidr_is_allowlistable(cidr) is
  'Whether an organization may allow-list this network: /8 or narrower, and not loopback, unspecified, link-local or cloud metadata (nor their IPv4-in-IPv6 forms).';
grant execute on function private.cidr_is_allowlistable(cidr) to authenticated, service_role;

create function private.cidrs_are_allowlistable(networks cidr[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(bool_and(private.cidr_is_allowlistable(n)), true) from unnest(networks) as n
$$;
grant execute on function private.cidrs_are_allowlistable(cidr[]) to authenticated, service_role;

-- Rows that hold such a range lose it (the guard already refuses it); the change is audited.
update public.organizations o
set allowed_private_cidrs = array(select n from unnest(o.allowed_private_cidrs) as n where private.cidr_is_allowlistable(n))
where not private.cidrs_are_allowlistable(o.allowed_private_cidrs);

alter table public.organizations
  add constraint organizations_allowed_private_cidrs_allowlistable check (private.cidrs_are_allowlistable(allowed_private_cidrs));

-- 4. Every change a client can make to a provider is audited ------------------------------
-- Two exemptions used to hide client writes: a change to credential_fingerprint alone (meant
-- for key-ring rotation, which re-wraps without touching the ciphertext) and a change to
-- account_identifier alone (meant for health results). Both now apply only to the trusted
-- writers — key-ring rotation and health results, which run as the service role or the
-- database owner — never to a client's own update.
create or replace function private.audit_cloud_provider_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed text[];
  action text;
  by_client boolean := coalesce((select auth.role()) in ('authenticated', 'anon'), false);
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
  if not by_client
     and changed <@ array['credentials', 'credential_fingerprint', 'read_only_credentials']
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
    -- Health results (the service role) touch only these columns; a status change is recorded.
    when not by_client and changed <@ array['status', 'last_checked_at', 'last_error_code', 'last_error_message', 'account_identifier'] then
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

-- 5. The API roles keep only the table rights hosted Supabase's clients use -----------------
-- The bootstrap (like hosted Supabase) grants ALL on new tables in public; TRIGGER let an
-- owner attach a trigger to organization_members and break other tenants, REFERENCES and
-- TRUNCATE (and MAINTAIN on PostgreSQL 17+) serve no client. Revoked on every table, and
-- from the default rights of tables created later.
revoke trigger, references, truncate on all tables in schema public from anon, authenticated;
alter default privileges in schema public revoke trigger, references, truncate on tables from anon, authenticated;
do $$
begin
  if current_setting('server_version_num')::int >= 170000 then
    execute 'revoke maintain on all tables in schema public from anon, authenticated';
    execute 'alter default privileges in schema public revoke maintain on tables from anon, authenticated';
  end if;
end
$$;

-- 6. Only the path that made the real call records its result ------------------------------
-- Members could call the result writers with a forged result (healthy, any account, any
-- console link). The writers are now the service role's alone: the API and the portal call
-- them only after they performed the call, with the caller's identity kept in the claims.
revoke execute on function private.record_health_check(uuid, boolean, integer, jsonb, text, text, text, text) from authenticated;
revoke execute on function private.record_inventory(uuid, jsonb, jsonb) from authenticated;
revoke execute on function private.record_provider_events(uuid, jsonb, text[], jsonb) from authenticated;

-- A console link is https to the cloud's own console (for OpenStack, the organization's
-- https Horizon); anything else is stored as no link.
create function private.console_url_allowed(kind public.provider_type, url text, horizon text)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  host text := lower(substring(url from '^https://([^/?#:@]+)(?:[/?#]|$)'));
begin
  if url is null or host is null then
    return false;
  end if;
  return case kind
    when 'aws' then host ~ '^([a-z0-9-]+\.)?console\.aws\.amazon\.com$' or host in ('console.amazonaws-us-gov.com', 'console.amazonaws.cn')
    when 's3_compatible' then host in ('s3.console.aws.amazon.com', 'console.amazonaws-us-gov.com', 'console.amazonaws.cn')
    when 'azure' then host in ('portal.azure.com', 'portal.azure.cn', 'portal.azure.us')
    when 'gcp' then host = 'console.cloud.google.com'
    when 'digitalocean' then host = 'cloud.digitalocean.com'
    when 'linode' then host = 'cloud.linode.com'
    when 'vultr' then host = 'my.vultr.com'
    when 'openstack' then horizon ~ '^https://' and starts_with(url, rtrim(horizon, '/') || '/')
    else false
  end;
end
$$;
grant execute on function private.console_url_allowed(public.provider_type, text, text) to service_role;

create or replace function private.record_inventory(provider uuid, resources jsonb, partial_failures jsonb)
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
  select org, provider, x.id, x.name, x.type, x.region, x.zone, x.status, x.raw_status, x.size,
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
    and not exists (select 1 from jsonb_to_recordset(coalesce(partial_failures, '[]')) as f(scope text) where f.scope = r.region);

  insert into public.provider_inventory (provider_id, organization_id, refreshed_at, resource_count, partial_failures)
  values (provider, org, now(), found, coalesce(partial_failures, '[]'))
  on conflict (provider_id) do update set refreshed_at = excluded.refreshed_at, resource_count = excluded.resource_count, partial_failures = excluded.partial_failures;
  return found;
end
$$;

-- Existing links that fail the rule are dropped.
update public.provider_resources r set console_url = null
from public.cloud_providers p join public.organizations o on o.id = p.organization_id
where p.id = r.provider_id and r.console_url is not null and not private.console_url_allowed(p.provider_type, r.console_url, o.horizon_url);
update public.provider_events e set console_url = null
where e.console_url is not null and not private.console_url_allowed('aws', e.console_url, null);

-- Account activity links follow the same rule (AWS console only).
create or replace function private.record_provider_events(provider uuid, events jsonb, regions text[], partial_failures jsonb)
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
         left(x.region, 64), x.read_only, coalesce(x.resources, '[]'),
         case when length(x.console_url) <= 2048 and private.console_url_allowed('aws', x.console_url, null) then x.console_url end
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

-- 7. The external ID is issued inside the database only ------------------------------------
-- It travelled from issue_external_id() to the insert trigger in a session setting, which any
-- client can set to a value of its choosing. It now waits in a table no client can write,
-- keyed by the issuing transaction.
create table private.issued_external_ids (
  transaction_id xid8 primary key,
  external_id text not null
);
comment on table private.issued_external_ids is
  'The external ID issued in a transaction, waiting for that transaction''s AWS provider insert. Written only by private.issue_external_id().';
alter table private.issued_external_ids enable row level security;
revoke all on private.issued_external_ids from public, anon, authenticated;

create or replace function private.issue_external_id()
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  issued text := private.new_external_id();
begin
  insert into private.issued_external_ids (transaction_id, external_id) values (pg_catalog.pg_current_xact_id(), issued)
  on conflict (transaction_id) do update set external_id = excluded.external_id;
  return issued;
end
$$;

create or replace function private.assign_external_id()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  issued text;
begin
  delete from private.issued_external_ids i where i.transaction_id = pg_catalog.pg_current_xact_id()
  returning i.external_id into issued;
  if new.provider_type = 'aws' then
    new.external_id := coalesce(issued, private.new_external_id());
  else
    new.external_id := null;
  end if;
  return new;
end
$$;

-- 10. A token dies for good when its creator leaves ----------------------------------------
-- Authentication refused such a token only while its creator was away; rejoining revived it.
-- Leaving (or being removed) now revokes the member's tokens in that organization.
create function private.revoke_tokens_of_departed_member()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Nothing to do when the whole organization goes (its tokens go with it).
  update public.api_tokens t set revoked_at = now()
  where t.organization_id = old.organization_id and t.created_by = old.user_id and t.revoked_at is null
    and exists (select 1 from public.organizations o where o.id = old.organization_id);
  return old;
end
$$;
create trigger organization_members_revoke_tokens after delete on public.organization_members
  for each row execute function private.revoke_tokens_of_departed_member();

update public.api_tokens t set revoked_at = now()
where t.revoked_at is null
  and not exists (select 1 from public.organization_members m where m.organization_id = t.organization_id and m.user_id = t.created_by);

-- 12. Only a confirmed address accepts an invitation ---------------------------------------
-- email_confirmed_at says an address was confirmed once, not that the current one was: with
-- autoconfirm or insecure email change, the auth server applies a new address at once. The
-- address a user actually confirmed is remembered here: at sign-up or confirmation, and when
-- a pending change (email_change) is confirmed. A change applied directly does not count.
create table private.confirmed_emails (
  user_id uuid primary key references auth.users (id) on delete cascade,
  email text not null,
  confirmed_at timestamptz not null default now()
);
comment on table private.confirmed_emails is 'The address each user last confirmed; invitations are accepted only for it.';
alter table private.confirmed_emails enable row level security;
revoke all on private.confirmed_emails from public, anon, authenticated;

create function private.remember_confirmed_email()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.email is null or new.email_confirmed_at is null then
    return new;
  end if;
  if tg_op = 'INSERT'
     or (old.email_confirmed_at is null and new.email is not distinct from old.email)
     or (new.email is distinct from old.email and nullif(old.email_change, '') is not null and lower(old.email_change) = lower(new.email)) then
    insert into private.confirmed_emails (user_id, email, confirmed_at) values (new.id, lower(new.email), now())
    on conflict (user_id) do update set email = excluded.email, confirmed_at = excluded.confirmed_at;
  end if;
  return new;
end
$$;
create trigger cloudkeep_remember_confirmed_email after insert or update of email, email_confirmed_at on auth.users
  for each row execute function private.remember_confirmed_email();

insert into private.confirmed_emails (user_id, email)
select u.id, lower(u.email) from auth.users u where u.email is not null and u.email_confirmed_at is not null
on conflict (user_id) do nothing;

create or replace function public.accept_invitation(token text)
returns table (status text, organization_id uuid, organization_slug text, organization_name text, role public.org_role)
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  inv public.organization_invitations;
  org public.organizations;
  caller_email text;
  caller_confirmed boolean;
begin
  if caller is null then
    raise exception 'Sign in to accept an invitation' using errcode = '42501';
  end if;
  select * into inv from public.organization_invitations i
    where i.token_hash = private.invitation_token_hash(token)
    for update;
  if not found then
    return query select 'not_found'::text, null::uuid, null::text, null::text, null::public.org_role;
    return;
  end if;
  select * into org from public.organizations o where o.id = inv.organization_id;
  status := case
    when inv.accepted_at is not null then 'used'
    when inv.revoked_at is not null then 'revoked'
    when inv.expires_at <= now() then 'expired'
  end;
  if status is null then
    select lower(u.email),
           u.email_confirmed_at is not null and exists (select 1 from private.confirmed_emails c where c.user_id = u.id and c.email = lower(u.email))
      into caller_email, caller_confirmed
    from auth.users u where u.id = caller;
    status := case
      when caller_email is distinct from inv.email then 'wrong_email'
      when not coalesce(caller_confirmed, false) then 'unconfirmed'
      when exists (select 1 from public.organization_members m where m.organization_id = inv.organization_id and m.user_id = caller)
        then 'already_member'
    end;
  end if;
  if status is null then
    begin
      update public.organization_invitations set accepted_at = now(), accepted_by = caller where id = inv.id;
      insert into public.organization_members (organization_id, user_id, role) values (inv.organization_id, caller, inv.role);
      status := 'accepted';
    exception when unique_violation then
      -- Added by other means between our check and the insert; the invitation stays open.
      status := 'already_member';
    end;
  end if;
  return query select status, org.id, org.slug, org.name, inv.role;
end
$$;
